/**
 * The bodies of a migration's `down` function in TS/JS: knex, Sequelize, umzug, db-migrate,
 * node-pg-migrate, Kysely (`exports.down = …`, `down: async (…) => {…}`, `export async function
 * down(…)`) and TypeORM or MikroORM classes (`async down(queryRunner) {…}`). Their SQL runs only to
 * undo the migration, like a `….down.sql` file: it is not checked as a step of the release.
 */
import type { ScriptToken } from '../js/tokens';

export type Range = { start: number; end: number };

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Index of the token that closes the bracket at `open`, or the last token. */
function closing(tokens: readonly ScriptToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!.text;
    if (t in OPENERS) depth++;
    else if (t === ')' || t === ']' || t === '}') if (--depth === 0) return i;
  }
  return tokens.length - 1;
}

/** Where a function starting at token `i` (its parameters, or `async`/`function` before them) has its body. */
export function functionBody(tokens: readonly ScriptToken[], i: number): Range | undefined {
  if (tokens[i]?.text === 'async') i++;
  if (tokens[i]?.text === 'function') i += tokens[i + 1]?.type === 'ident' ? 2 : 1;
  if (tokens[i]?.text === '(') i = closing(tokens, i) + 1;
  else if (tokens[i]?.type === 'ident')
    i++; // knex => …
  else return undefined;
  // A return type (`: Promise<void>`) before the body or the arrow.
  if (tokens[i]?.text === ':') while (i < tokens.length && tokens[i]!.text !== '{' && tokens[i]!.text !== '=>') i++;
  if (tokens[i]?.text === '=>') i++;
  const first = tokens[i];
  if (!first) return undefined;
  if (first.text === '{') return { start: first.start, end: tokens[closing(tokens, i)]!.end };
  // An arrow's expression body: up to the `,` or `;` that ends it, or the bracket that closes around it.
  let depth = 0;
  let j = i;
  for (; j < tokens.length; j++) {
    const t = tokens[j]!.text;
    if (t in OPENERS) depth++;
    else if (t === ')' || t === ']' || t === '}') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (t === ',' || t === ';')) break;
  }
  return { start: first.start, end: tokens[Math.max(i, j - 1)]!.end };
}

/** Where the function named `name` is defined, by token index of the name: its body. */
function definitions(tokens: readonly ScriptToken[], name: string): Range[] {
  const found: Range[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type !== 'ident' || t.text !== name) continue;
    const before = tokens[k - 1]?.text;
    const after = tokens[k + 1]?.text;
    let body: Range | undefined;
    if (before === 'function') body = functionBody(tokens, k + 1);
    else if (after === '=' || after === ':') body = functionBody(tokens, k + 2);
    // A method definition, not a call (`migrator.down()`): `async down(…) {`, `down(…) {`.
    else if (after === '(' && before !== '.' && tokens[closing(tokens, k + 1) + 1]?.text !== ';') body = functionBody(tokens, k + 1);
    if (body) found.push(body);
  }
  return found;
}

/** The bodies of the file's `down` functions, when it also defines `up` (a migration); else none. */
export function rollbackBodies(tokens: readonly ScriptToken[]): Range[] {
  const down = definitions(tokens, 'down');
  return down.length && definitions(tokens, 'up').length ? down : [];
}

/**
 * The bodies of the callbacks given to `….transaction(…)` (Sequelize's `sequelize.transaction(async (t) => {…})`,
 * knex's `knex.transaction(async (trx) => {…})`): the queries in them run in one transaction.
 */
export function transactionBodies(tokens: readonly ScriptToken[]): Range[] {
  const found: Range[] = [];
  for (let k = 1; k + 2 < tokens.length; k++) {
    if (tokens[k]!.text !== 'transaction' || tokens[k - 1]!.text !== '.' || tokens[k + 1]!.text !== '(') continue;
    const body = functionBody(tokens, k + 2);
    if (body) found.push(body);
  }
  return found;
}
