/**
 * Lints SQL inside TS/JS. The SQL literals of the file are laid into a text of the same
 * length as the file — everything else blanked (newlines kept), each literal's closing quote
 * turned into `;`, each `${…}` into a placeholder of the same length, escapes into characters
 * of the same width — and that text is linted with the file's dialect. Offsets are therefore
 * the file's own: no mapping back, and statements of one file see each other (a table the file
 * created is new, `// rollout-guard-ignore` comments apply to the next statement).
 */
import { lintMysql } from '../mysql/lint';
import { explicitDialect } from '../mysql/dialect';
import { lintSql, type LintOptions } from '../sql/lint';
import type { EngineSettings, Finding, SqlDialect } from '../types';
import { tokenizeScript } from '../js/tokens';
import { transactionBodies } from './rollback';
import { findSqlLiterals, SQL_TAGS, type SqlLiteral } from './scan';

/** Words SQL statements start with: other strings passed to query() are not SQL (or are fragments). */
const SQL_START =
  /^\s*(?:(?:--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/)\s*)*(?:(?:begin|commit|rollback)\s*;?\s*$|(?:select|insert|update|delete|alter|create|drop|with|rename|truncate|set|begin|start|grant|revoke|lock|unlock|replace|call|do|comment|vacuum|analyze|explain|reindex|cluster|refresh|merge|optimize)\s+[\w`"'(*@$])/i;

/** Whether a file holds SQL worth linting: cheap test before the tokenizer runs. */
export const mayHoldSql = (text: string): boolean =>
  /\b(query|execute|raw|queryRaw|executeRaw|unsafe|exec|runSql|addSql)\s*(<[^>]*>)?\s*\(|\.sql\s*\(|\bsql\s*`|\$(query|execute)Raw/.test(text);

export interface EmbeddedSql {
  dialect: SqlDialect;
  /** Same length as the file: the SQL literals, everything else blank. */
  sql: string;
  literals: SqlLiteral[];
}

/** The SQL of a TS/JS file, laid out at its own offsets. */
export function extractSql(fileName: string, text: string, settings: EngineSettings): EmbeddedSql {
  const dialect = explicitDialect(fileName, text, settings) ?? importedDialect(text) ?? settings.dialect;
  const { literals: found, comments } = findSqlLiterals(text);
  const chars = blank(text);
  const literals: SqlLiteral[] = [];
  for (const literal of found) {
    const body = text.slice(literal.start + 1, literal.end - 1);
    if (!SQL_START.test(body.replace(/\$\{[^}]*\}/g, ''))) continue;
    literals.push(literal);
    layLiteral(text, literal, chars, dialect);
  }
  markTransactions(text, literals, chars);
  // `// rollout-guard-ignore …` in code reads as the SQL comment it stands for.
  for (const c of comments) {
    const comment = text.slice(c.start, c.end);
    const m = /^(\/\/|\/\*)(\s*rollout-guard-ignore)/.exec(comment);
    if (!m) continue;
    chars[c.start] = '-';
    chars[c.start + 1] = '-';
    const end = comment.startsWith('/*') ? c.end - 2 : c.end;
    for (let i = c.start + 2; i < end; i++) if (text[i] !== '\n') chars[i] = text[i]!;
  }
  return { dialect, sql: chars.join(''), literals };
}

/**
 * Rules that read BEGIN, COMMIT and ROLLBACK in text order: code sends them in the order its
 * control flow decides (a ROLLBACK in a catch block comes after the COMMIT in the text).
 */
const TRANSACTION_FLOW_RULES = new Set(['transaction-nesting', 'ban-uncommitted-transaction']);

/**
 * The migration tool a TS/JS migration is written for, when that tool runs each migration in a
 * transaction and the file does not opt out (for `assumeInTransaction: auto`, see migration-tools.ts).
 * Sequelize, umzug and db-migrate run migrations outside a transaction: no tool.
 */
export function embeddedMigrationTool(text: string): string | undefined {
  if (/\bimplements\s+MigrationInterface\b/.test(text)) return /\btransaction\s*=\s*false\b/.test(text) ? undefined : 'TypeORM';
  if (/\bextends\s+Migration\b/.test(text) && /\baddSql\s*\(/.test(text))
    return /\bisTransactional\s*\(\s*\)[^{]*\{\s*return\s+false\b/.test(text) ? undefined : 'MikroORM';
  if (/\bpgm\.\w+\s*\(/.test(text)) return /\bpgm\.noTransaction\s*\(/.test(text) ? undefined : 'node-pg-migrate';
  if (/\bfunction\s+up\s*\(\s*db\s*:\s*Kysely\s*</.test(text)) return 'Kysely';
  if (/\b(?:exports\.up|function\s+up)\b/.test(text) && /\bknex\.(?:raw|schema)\b/.test(text))
    return /\bconfig\s*=\s*\{\s*transaction\s*:\s*false\b/.test(text) ? undefined : 'knex';
  return undefined;
}

/** Findings for the SQL inside a TS/JS file, at the file's offsets. */
export function lintEmbedded(
  fileName: string,
  text: string,
  settings: EngineSettings,
  { isCancelled, onSchemaChanges }: Pick<LintOptions, 'isCancelled' | 'onSchemaChanges'> = {},
): Finding[] {
  if (!mayHoldSql(text)) return [];
  const { dialect, sql, literals } = extractSql(fileName, text, settings);
  if (literals.length === 0) return [];
  const findings =
    dialect === 'postgres'
      ? lintSql(sql, settings, { isCancelled, onSchemaChanges, projectTool: embeddedMigrationTool(text) })
      : lintMysql(sql, settings, { dialect, isCancelled });
  // A statement with a substitution may be fine once the value is in: its syntax is not judged.
  // An ignore comment for a finding goes above the literal, as a `//` comment in code.
  const literalAt = (offset: number): SqlLiteral | undefined => literals.find((l) => offset >= l.start && offset < l.end);
  return findings
    .map((f) => {
      const literal = literalAt(f.start);
      return literal ? { ...f, unitStart: literal.start } : f;
    })
    .filter((f) => f.rule !== 'syntax-error' || !literals.some((l) => l.substitutions.length > 0 && f.start >= l.start && f.start < l.end))
    .filter((f) => !TRANSACTION_FLOW_RULES.has(f.rule))
    .map((f) => (/\b_{3,}\b/.test(f.message) ? { ...f, message: f.message.replace(/\b_{3,}\b/g, '${…}') } : f));
}

/**
 * The queries of a `….transaction(async (t) => {…})` callback run in one transaction: `BEGIN;` and
 * `COMMIT;` are laid in the blanked code around them, so the rules see the transaction.
 */
function markTransactions(text: string, literals: readonly SqlLiteral[], chars: string[]): void {
  for (const body of transactionBodies(tokenizeScript(text).tokens)) {
    const inside = literals.filter((l) => l.start > body.start && l.end < body.end);
    if (!inside.length) continue;
    const begin = blankRun(chars, body.start, inside[0]!.start, 'BEGIN;'.length);
    const commit = blankRun(chars, inside.at(-1)!.end, body.end, 'COMMIT;'.length);
    if (begin < 0 || commit < 0) continue;
    chars.splice(begin, 'BEGIN;'.length, ...'BEGIN;');
    chars.splice(commit, 'COMMIT;'.length, ...'COMMIT;');
  }
}

/** The start of `length` blanked characters on one line between `from` and `to`, or -1. */
function blankRun(chars: readonly string[], from: number, to: number, length: number): number {
  let run = 0;
  for (let i = from; i < to; i++) {
    run = chars[i] === ' ' ? run + 1 : 0;
    if (run === length) return i - length + 1;
  }
  return -1;
}

/** Spaces for everything but newlines (and carriage returns), so lines stay where they are. */
function blank(text: string): string[] {
  const chars = new Array<string>(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    chars[i] = c === '\n' || c === '\r' ? c : ' ';
  }
  return chars;
}

function layLiteral(text: string, literal: SqlLiteral, chars: string[], dialect: SqlDialect): void {
  const quote = text[literal.start]!;
  const close = literal.end - 1;
  const substitutionAt = new Map(literal.substitutions.map((s) => [s.start, s.end]));
  let i = literal.start + 1;
  while (i < close) {
    const end = substitutionAt.get(i);
    if (end !== undefined && end > i) {
      const placeholder = placeholderFor(chars, literal.start, i, end - i, dialect);
      for (let k = 0; k < end - i; k++) if (text[i + k] !== '\n') chars[i + k] = placeholder[k] ?? ' ';
      i = end;
      continue;
    }
    const c = text[i]!;
    if (c === '\\') {
      // An escape keeps its width: the escaped quote or character, after a space.
      const next = text[i + 1] ?? '';
      chars[i] = ' ';
      if (next === '\n') chars[i + 1] = '\n';
      else chars[i + 1] = next === quote || next === '`' || next === "'" || next === '"' ? next : ' ';
      i += 2;
      continue;
    }
    chars[i] = c;
    i++;
  }
  // The literal is one statement: its closing quote ends it (unless it already ends with one).
  chars[close] = ';';
  // A tagged template binds values with ${…} only (slonik, postgres.js, Drizzle, Prisma): its ? is jsonb's operator.
  if (dialect === 'postgres' && !SQL_TAGS.has(literal.via)) replaceQuestionMarks(chars, literal.start + 1, close);
}

/**
 * A value placeholder (a bind parameter) where a value is expected, otherwise an identifier of
 * underscores: `ALTER TABLE ${table}` stays a statement about some table.
 */
function placeholderFor(chars: string[], literalStart: number, at: number, length: number, dialect: SqlDialect): string {
  let k = at - 1;
  while (k > literalStart && /\s/.test(chars[k]!)) k--;
  const before = chars[k] ?? '';
  let word = '';
  for (let j = k; j > literalStart && /[A-Za-z_]/.test(chars[j]!); j--) word = chars[j] + word;
  const valueExpected = /[=<>(,+\-*/]/.test(before) || /^(in|between|and|or|values|limit|offset|like|then|else|when|default|is|not)$/i.test(word);
  if (!valueExpected) return '_'.repeat(length);
  const param = dialect === 'postgres' ? '$1' : '?';
  return param + ' '.repeat(Math.max(0, length - param.length));
}

/**
 * knex-style `?` bindings are no PostgreSQL syntax: read them as a constant of the same width. A `?`
 * before a string or as `?|`, `?&` is jsonb's key operator (`payload ? 'grantId'`): no binding is.
 */
function replaceQuestionMarks(chars: string[], from: number, to: number): void {
  let quote = '';
  for (let i = from; i < to; i++) {
    const c = chars[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '?') {
      if (isKeyOperator(chars, i, to)) continue;
      if (chars[i + 1] === '?') {
        chars[i] = '_';
        chars[i + 1] = '_';
        i++;
      } else chars[i] = '1';
    }
  }
}

/** Whether the `?` at `at` is jsonb's operator: `?|`, `?&`, or followed by a string. */
function isKeyOperator(chars: readonly string[], at: number, to: number): boolean {
  if (chars[at + 1] === '|' || chars[at + 1] === '&') return true;
  let k = at + 1;
  while (k < to && /\s/.test(chars[k]!)) k++;
  return chars[k] === "'";
}

/** A file that imports a MySQL driver writes MySQL, unless the configuration or a marker says otherwise. */
function importedDialect(text: string): SqlDialect | undefined {
  const head = text.length > 20_000 ? text.slice(0, 20_000) : text;
  if (/\bfrom\s+['"]mariadb['"]|require\(\s*['"]mariadb['"]\s*\)/.test(head)) return 'mariadb';
  if (/\bfrom\s+['"](mysql2?)(\/promise)?['"]|require\(\s*['"]mysql2?(\/promise)?['"]\s*\)/.test(head)) return 'mysql';
  return undefined;
}
