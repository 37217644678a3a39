/**
 * node-sql-parser (MySQL and MariaDB grammars) as a second opinion on syntax. It rejects some
 * valid MySQL (CONVERT TO CHARACTER SET, ALTER COLUMN … SET DEFAULT, FORCE, partitioning,
 * PREPARE, SET NAMES, …), so its errors count only where ./statement.ts agrees the statement
 * is malformed, or for DML that ends too early or has a stray comma.
 */
import type * as MariadbGrammar from 'node-sql-parser/build/mariadb';
import type * as MysqlGrammar from 'node-sql-parser/build/mysql';
import { StatementCache } from '../statement-cache';

export type MysqlDialect = 'mysql' | 'mariadb';

export type GrammarOutcome = { ok: true } | { ok: false; /** Offset in the statement source. */ offset: number; found: string | null; message: string };

let mysqlParser: MysqlGrammar.Parser | undefined;
let mariadbParser: MariadbGrammar.Parser | undefined;

const cache = new StatementCache<GrammarOutcome>();

/** Whether either grammar accepts the statement; the MySQL grammar's error otherwise (MariaDB's for `mariadb`). */
export function checkGrammar(source: string, dialect: MysqlDialect): GrammarOutcome {
  const key = `${dialect}\0${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const first = attempt(dialect === 'mariadb' ? mariadb() : mysql(), source);
  const outcome = first.ok ? first : attempt(dialect === 'mariadb' ? mysql() : mariadb(), source).ok ? { ok: true as const } : first;
  cache.set(key, outcome);
  return outcome;
}

// The grammars are loaded when a MySQL file is first checked: they are large, and most runs check none.
/* eslint-disable @typescript-eslint/no-require-imports */
const mysql = (): MysqlGrammar.Parser => (mysqlParser ??= new (require('node-sql-parser/build/mysql') as typeof MysqlGrammar).Parser());
const mariadb = (): MariadbGrammar.Parser => (mariadbParser ??= new (require('node-sql-parser/build/mariadb') as typeof MariadbGrammar).Parser());
/* eslint-enable @typescript-eslint/no-require-imports */

function attempt(parser: { astify(sql: string, options?: object): unknown }, source: string): GrammarOutcome {
  try {
    parser.astify(source);
    return { ok: true };
  } catch (error) {
    const e = error as { location?: { start?: { offset?: number } }; found?: string | null; message?: string };
    return { ok: false, offset: e.location?.start?.offset ?? 0, found: e.found ?? null, message: e.message ?? String(error) };
  }
}
