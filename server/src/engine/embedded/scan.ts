/**
 * Finds SQL in TypeScript/JavaScript: string and template literals passed as the first
 * argument of query(…), execute(…), raw(…) (and their ORM spellings), and templates tagged
 * `sql`. The SQL of a migration's `down` function is left out (see rollback.ts).
 */
import { tokenizeScript, type Literal } from '../js/tokens';
import { rollbackBodies } from './rollback';

export interface SqlLiteral {
  /** Offsets of the quotes (start: the opening quote; end: after the closing quote). */
  start: number;
  end: number;
  /** `${…}` substitutions, offsets including `${` and `}`. */
  substitutions: { start: number; end: number }[];
  /** How it was found: the callee or tag name. */
  via: string;
}

/** Calls whose first argument is SQL (mysql2, pg, knex, Sequelize, TypeORM, Prisma, Drizzle, Kysely, postgres.js, db-migrate, MikroORM). */
export const SQL_CALLS = new Set([
  'runSql',
  'addSql',
  'query',
  'execute',
  'raw',
  'queryRaw',
  'executeRaw',
  '$queryRaw',
  '$executeRaw',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
  'unsafe',
  'exec',
  // node-pg-migrate's pgm.sql(…); as a method only: postgres.js's sql(…) quotes an identifier.
  'sql',
]);
/** Tags of SQL template literals. */
export const SQL_TAGS = new Set(['sql', 'SQL', '$queryRaw', '$executeRaw']);

/** The SQL literals of a script, in document order. */
export function findSqlLiterals(text: string): { literals: SqlLiteral[]; comments: readonly { start: number; end: number }[] } {
  const { tokens, comments } = tokenizeScript(text);
  const literals: SqlLiteral[] = [];
  // `const ddl = `…`; … query(ddl)`: literals bound once to a name, by name.
  const bound = new Map<string, Literal | null>();
  for (let k = 0; k + 3 < tokens.length; k++) {
    const [kw, name, eq, value] = [tokens[k]!, tokens[k + 1]!, tokens[k + 2]!, tokens[k + 3]!];
    if (kw.type !== 'ident' || !['const', 'let', 'var'].includes(kw.text) || name.type !== 'ident' || eq.text !== '=') continue;
    const end = tokens[k + 4]?.text;
    const single = value.type === 'literal' && (end === ';' || end === ',' || end === undefined || tokens[k + 4]!.start > text.indexOf('\n', value.end));
    // A name bound twice (shadowing, reassignment) is ambiguous: left alone.
    bound.set(name.text, bound.has(name.text) || !single ? null : (value as Literal));
  }
  // Reassigned names (`name = …` outside a declaration) may hold other text when the call runs.
  for (let k = 1; k + 1 < tokens.length; k++) {
    const [before, name, eq] = [tokens[k - 1]!, tokens[k]!, tokens[k + 1]!];
    if (name.type === 'ident' && eq.text === '=' && tokens[k + 2]?.text !== '=' && bound.has(name.text) && !['const', 'let', 'var', '.'].includes(before.text))
      bound.set(name.text, null);
  }
  const seen = new Set<number>();
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type !== 'ident') continue;
    const next = tokens[k + 1];
    // sql`…`, Prisma.sql`…`, db.$queryRaw`…`
    if (SQL_TAGS.has(t.text) && next?.type === 'literal' && next.kind === 'template' && next.start === t.end) {
      literals.push({ start: next.start, end: next.end, substitutions: next.substitutions, via: t.text });
      continue;
    }
    if (!SQL_CALLS.has(t.text)) continue;
    // exec only as a method (db.exec), not child_process exec(); sql likewise.
    if ((t.text === 'exec' || t.text === 'sql') && tokens[k - 1]?.text !== '.') continue;
    let a = k + 1;
    // query<Row[]>(…): skip type arguments
    if (tokens[a]?.text === '<') {
      let depth = 0;
      for (; a < tokens.length; a++) {
        if (tokens[a]!.text === '<') depth++;
        else if (tokens[a]!.text === '>' && --depth === 0) break;
      }
      a++;
    }
    if (tokens[a]?.text !== '(') continue;
    let arg = tokens[a + 1];
    // query(sql`…`): the tagged template is found on its own
    const afterArg = arg ? tokens[tokens.indexOf(arg) + 1] : undefined;
    if (arg?.type === 'ident' && SQL_TAGS.has(arg.text) && afterArg?.type === 'literal' && afterArg.start === arg.end) continue;
    // query({ sql: '…' }) / query({ text: '…' })
    if (arg?.text === '{' && tokens[a + 2]?.type === 'ident' && ['sql', 'text'].includes(tokens[a + 2]!.text) && tokens[a + 3]?.text === ':')
      arg = tokens[a + 4];
    if (arg?.type === 'ident' && tokens[tokens.indexOf(arg) + 1]?.text !== '.' && tokens[tokens.indexOf(arg) + 1]?.text !== '(') {
      const literal = bound.get(arg.text);
      if (literal && !seen.has(literal.start)) {
        seen.add(literal.start);
        literals.push({ start: literal.start, end: literal.end, substitutions: literal.substitutions, via: t.text });
      }
      continue;
    }
    if (arg?.type !== 'literal') continue;
    // A literal that is concatenated with something else is not the whole statement.
    const after = tokens.indexOf(arg) + 1;
    if (tokens[after]?.text === '+') continue;
    literals.push({ start: arg.start, end: arg.end, substitutions: arg.substitutions, via: t.text });
  }
  const rollback = rollbackBodies(tokens);
  const forward = rollback.length ? literals.filter((l) => !rollback.some((r) => l.start >= r.start && l.end <= r.end)) : literals;
  forward.sort((a, b) => a.start - b.start);
  return { literals: forward, comments };
}
