/**
 * What migration tools' conventions say about a PostgreSQL file: which parts and files only undo a
 * migration (not checked), and how the file runs, which decides what its locks cost and what
 * cannot run in it: in a transaction its tool opens, as one query string (one implicit transaction
 * when it holds several statements), or statement by statement. How it runs comes from
 * assumeInTransaction and from the file:
 * - a tool's no-transaction marker wins over everything: goose `-- +goose NO TRANSACTION` and
 *   sql-migrate `-- +migrate Up notransaction` then run the statements one by one, while sqlx
 *   `-- no-transaction`, dbmate `-- migrate:up transaction:false` and postgres-migrations
 *   `-- postgres-migrations disable-transaction` still send one query string;
 * - `auto` (the default) follows the tool when the file shows which and the tool runs every file
 *   one way: goose (`-- +goose Up`), sql-migrate (`-- +migrate Up`) and dbmate (`-- migrate:up`)
 *   open a transaction; Prisma (`<14-digit timestamp>_<name>/migration.sql`) sends one query
 *   string; synapse (`schema/main/delta/<version>/…`) runs every pending delta in one transaction;
 *   drizzle (a `--> statement-breakpoint`, or its journal: LintRequest.migrationTool) runs
 *   every pending migration in one transaction; Flyway (`V<version>__<name>.sql`, `R__<name>.sql`) opens a transaction unless a
 *   statement cannot run in one or the file says `-- flyway:executeInTransaction=false`. Names
 *   that tools share while running files differently say nothing (`….up.sql`: golang-migrate
 *   sends one query string, sqlx and pop open a transaction): assumeInTransaction says for them;
 *   The workspace may know the tool from the project instead (LintRequest.migrationTool: its go.mod
 *   or Cargo.toml depends on golang-migrate, pop, sqlx or diesel, its package.json on postgres-migrations);
 * - SET LOCAL in a file with no BEGIN, COMMIT or ROLLBACK of its own shows a tool's transaction.
 */
import type { EngineSettings } from '../types';
import { DRIZZLE_BREAKPOINT, type SqlPiece } from './split';
import { FileState } from './state';

export interface MigrationTool {
  name: string;
  /** How it runs a file: in a transaction it opens, as one query string (see EngineSettings), or statement by statement. */
  runs: boolean | 'implicit';
  /** How a migration of this tool runs a statement outside any transaction (CREATE INDEX CONCURRENTLY). */
  withoutTransaction: string;
}

const ALONE = 'alone in a migration of its own: a single statement runs in no transaction';
const TOOLS: MigrationTool[] = [
  { name: 'goose', runs: true, withoutTransaction: 'in a migration of its own marked `-- +goose NO TRANSACTION`' },
  { name: 'sql-migrate', runs: true, withoutTransaction: 'in a migration of its own marked `-- +migrate Up notransaction`' },
  { name: 'dbmate', runs: true, withoutTransaction: 'alone in a migration of its own marked `-- migrate:up transaction:false`' },
  { name: 'Prisma', runs: 'implicit', withoutTransaction: ALONE },
  // Known from the project's go.mod or Cargo.toml (workspace/migration-folder.ts), for names several tools use.
  { name: 'golang-migrate', runs: 'implicit', withoutTransaction: ALONE },
  {
    name: 'pop',
    runs: true,
    withoutTransaction: 'alone in a migration of its own named `….autocommit.up.sql` (ory/x popx; gobuffalo/pop runs every migration in a transaction)',
  },
  { name: 'pop with .autocommit', runs: 'implicit', withoutTransaction: ALONE },
  { name: 'sqlx', runs: true, withoutTransaction: 'alone in a migration of its own that starts with `-- no-transaction`' },
  { name: 'diesel', runs: true, withoutTransaction: 'alone in a migration of its own with `run_in_transaction = false` in its metadata.toml' },
  { name: 'diesel with run_in_transaction = false', runs: 'implicit', withoutTransaction: ALONE },
  // Without their transaction, goose and sql-migrate run the statements one by one; dbmate and
  // sqlx still send the whole file as one query string (dbmate declines to split statements).
  { name: 'goose with NO TRANSACTION', runs: false, withoutTransaction: 'in a migration marked `-- +goose NO TRANSACTION`' },
  { name: 'sql-migrate with notransaction', runs: false, withoutTransaction: 'in a migration marked `-- +migrate Up notransaction`' },
  { name: 'dbmate with transaction:false', runs: 'implicit', withoutTransaction: ALONE },
  { name: 'sqlx with no-transaction', runs: 'implicit', withoutTransaction: ALONE },
  {
    name: 'Flyway',
    runs: true,
    // With other statements, Flyway refuses the migration ("mixed" is false by default).
    withoutTransaction:
      'in a migration of its own: Flyway runs a migration outside a transaction when every statement in it needs that, or when it says `-- flyway:executeInTransaction=false` (or its `.sql.conf` says `executeInTransaction=false`)',
  },
  // Statements one by one, each committed (JDBC autocommit).
  { name: 'Flyway without a transaction', runs: false, withoutTransaction: 'in a migration that Flyway runs outside a transaction' },
  // Each changeset in a transaction of its own (FileState.changesetStarts).
  { name: 'Liquibase', runs: true, withoutTransaction: 'in a changeset of its own marked `runInTransaction:false`' },
  // drizzle-kit's migrations (known by their meta/_journal.json, or by its `--> statement-breakpoint`): the migrator
  // runs every pending migration in one transaction, statement by statement.
  {
    name: 'drizzle',
    runs: true,
    withoutTransaction: "outside drizzle's migrator, which runs every pending migration in one transaction: by hand or from a script of its own",
  },
  // Node's postgres-migrations (from the project's package.json): each file in a transaction, unless it holds the marker;
  // then it sends the file as one query string.
  { name: 'postgres-migrations', runs: true, withoutTransaction: 'alone in a migration that contains `-- postgres-migrations disable-transaction`' },
  { name: 'postgres-migrations without a transaction', runs: 'implicit', withoutTransaction: ALONE },
  // Mattermost's morph (from the project's go.mod): each file in a transaction, unless it starts with the marker; then
  // it sends the file as one query string (drivers/postgres: ExecContext of the whole file).
  { name: 'morph', runs: true, withoutTransaction: 'alone in a migration that starts with `-- morph:nontransactional`' },
  { name: 'morph without a transaction', runs: 'implicit', withoutTransaction: 'alone in a migration that starts with `-- morph:nontransactional`' },
  // synapse (its schema files' layout, SYNAPSE_SCHEMA): every pending delta runs in the upgrade's one transaction.
  {
    name: 'synapse',
    runs: true,
    withoutTransaction: "in a background update (synapse's `register_background_index_update`): synapse applies every schema delta in one transaction",
  },
  // TS/JS migrations (embedded/lint.ts embeddedMigrationTool), each run in a transaction unless it opts out.
  { name: 'TypeORM', runs: true, withoutTransaction: 'in a migration class with `transaction = false`' },
  { name: 'knex', runs: true, withoutTransaction: 'in a migration that exports `config = { transaction: false }`' },
  { name: 'node-pg-migrate', runs: true, withoutTransaction: 'in a migration that calls `pgm.noTransaction()`' },
  { name: 'MikroORM', runs: true, withoutTransaction: 'in a migration whose `isTransactional()` returns false' },
  { name: 'Kysely', runs: true, withoutTransaction: 'with a Migrator created with `disableTransactions: true`' },
];
const tool = (name: string): MigrationTool => TOOLS.find((t) => t.name === name)!;

/**
 * Tools' markers, found in one pass over the file: goose `-- +goose Up`/`Down`/`NO TRANSACTION`,
 * sql-migrate `-- +migrate Up`/`Down` (`Up notransaction`), dbmate `-- migrate:up`/`down`
 * (`up transaction:false`), sqlx `-- no-transaction`, Flyway `-- flyway:executeInTransaction=false`.
 * Groups: the tool's prefix, the part (or NO TRANSACTION), the rest of the line; or sqlx's marker; or Flyway's.
 */
const MARKER =
  /^[ \t]*--[ \t]*(?:(\+goose|\+migrate|migrate:)[ \t]*(up|down|no[ \t]+transaction)\b([^\n]*)|(no-transaction)\b|(flyway:executeInTransaction[ \t]*=[ \t]*false)\b)/gim;
const ONE_MARKER = new RegExp(MARKER.source, 'im');
const POSTGRES_MIGRATIONS_OFF = '-- postgres-migrations disable-transaction';
const TOOL_OF_PREFIX: Record<string, string> = { '+goose': 'goose', '+migrate': 'sql-migrate', 'migrate:': 'dbmate' };
const PRISMA_MIGRATION = /(?:^|[\\/])\d{14}_[^\\/]+[\\/]migration\.sql$/i;
/** Liquibase formatted SQL: the file's first line says so; `--changeset author:id [attribute:value…]` starts each changeset. */
const LIQUIBASE_FILE = /^\uFEFF?\s*--\s*liquibase\s+formatted\s+sql\b/i;
const CHANGESET = /^--\s*changeset\s+\S+([^\n]*)/i;
/**
 * synapse's schema files, `schema/<common|main|state>/<delta|full_schemas>/<version>/<name>.sql[.postgres]`
 * (group 1: which of the two): it prepares a database in one transaction, a new one from the full
 * schemas, and upgrades with the deltas of all its databases, version by version.
 */
export const SYNAPSE_SCHEMA = /(?:^|[\\/])schema[\\/](?:common|main|state)[\\/](delta|full_schemas)[\\/]\d+[\\/][^\\/]+$/;
/** Flyway's versioned (`V1__init.sql`, `V2_1__…`), baseline (`B1_20_0__…`) and repeatable (`R__views.sql`) migrations. */
const FLYWAY_MIGRATION = /(?:^|[\\/])(?:[VB]\d+(?:[._]\d+)*|R)__[^\\/]+\.sql$/;

/** The tools the file's markers name: the one whose marker says it runs the file without its transaction, and the one whose parts it marks. */
function markedTools(text: string): { withoutTransaction?: MigrationTool; parts?: MigrationTool } {
  const found: { withoutTransaction?: MigrationTool; parts?: MigrationTool } = {};
  // postgres-migrations looks for its marker anywhere in the file, as written.
  if (text.includes(POSTGRES_MIGRATIONS_OFF)) found.withoutTransaction = tool('postgres-migrations without a transaction');
  for (const [, prefix, part, rest, sqlx, flyway] of text.matchAll(MARKER)) {
    // sqlx reads its marker at the very start of the file only (`sql.starts_with("-- no-transaction")`).
    if (sqlx && !text.startsWith('-- no-transaction')) continue;
    if (flyway) {
      found.withoutTransaction ??= tool('Flyway without a transaction');
      continue;
    }
    const name = prefix ? TOOL_OF_PREFIX[prefix.toLowerCase()]! : 'sqlx';
    const word = part?.toLowerCase() ?? '';
    const off =
      sqlx ||
      (name === 'goose' && word.startsWith('no')) ||
      (name === 'sql-migrate' && word === 'up' && /\bnotransaction\b/i.test(rest ?? '')) ||
      (name === 'dbmate' && word === 'up' && /\btransaction:false\b/i.test(rest ?? ''));
    if (off) found.withoutTransaction ??= tool(`${name} with ${NO_TRANSACTION_MARKER[name]}`);
    else if (word === 'up' || word === 'down') found.parts ??= tool(name);
  }
  return found;
}
const NO_TRANSACTION_MARKER: Record<string, string> = {
  goose: 'NO TRANSACTION',
  'sql-migrate': 'notransaction',
  dbmate: 'transaction:false',
  sqlx: 'no-transaction',
};

/** The part of the file a comment starts (see MARKER): `down` runs only to undo the migration. */
function toolSection(comment: string): 'up' | 'down' | undefined {
  const part = ONE_MARKER.exec(comment.trim())?.[2]?.toLowerCase();
  return part === 'up' || part === 'down' ? part : undefined;
}

/**
 * The state of the part of a file that `comments` (those before a statement) start, and whether
 * that part is skipped: goose, sql-migrate and dbmate's Down part runs only to undo the migration;
 * a Liquibase changeset runs in a transaction of its own (or none with `runInTransaction:false`),
 * and one whose `dbms:` leaves out PostgreSQL does not run. Undefined `skipped`: no part starts here.
 */
export function partStarts(state: FileState, comments: readonly string[]): { state: FileState; skipped?: boolean } {
  let skipped: boolean | undefined;
  for (const comment of comments) {
    const section = toolSection(comment);
    if (section) skipped = section === 'down';
    const changeset = state.migrationTool === 'Liquibase' ? CHANGESET.exec(comment.trim()) : null;
    if (changeset) {
      const attributes = changeset[1]!;
      state = state.changesetStarts(!/\brunInTransaction:\s*false\b/i.test(attributes));
      skipped = !runsOnPostgres(/\bdbms:\s*(\S+)/i.exec(attributes)?.[1]);
    }
  }
  return { state, skipped };
}

/** Whether a changeset's `dbms:` list (`postgresql,h2`, `!mysql`, `all`) includes PostgreSQL; none: every database. */
function runsOnPostgres(list: string | undefined): boolean {
  if (!list) return true;
  const names = list.toLowerCase().split(',');
  if (names.includes('!postgresql')) return false;
  return names.some((name) => name === 'postgresql' || name === 'all') || names.every((name) => name.startsWith('!'));
}

/** A tool the state names (FileState.migrationTool). */
export const migrationToolNamed = (name: string): MigrationTool | undefined => TOOLS.find((t) => t.name === name);

/**
 * The state a file's first statement starts from: its settings with assumeInTransaction as the file
 * runs (true, false or implicit; never auto), and the tool or SET LOCAL that shows it.
 */
export function startState(
  text: string,
  pieces: readonly SqlPiece[],
  given: EngineSettings,
  fileName: string | undefined,
  /** The tool the file's project uses (LintRequest.migrationTool), when the file does not show its own. */
  projectTool?: string,
): FileState {
  const marked = markedTools(text);
  const fromLayout = (): MigrationTool | undefined => {
    if (fileName && PRISMA_MIGRATION.test(fileName)) return tool('Prisma');
    if (fileName && SYNAPSE_SCHEMA.test(fileName)) return tool('synapse');
    if (fileName && FLYWAY_MIGRATION.test(fileName)) {
      // Its script configuration (`….sql.conf`, read by the workspace) may say so too.
      const outside =
        projectTool === 'Flyway without a transaction' ||
        (pieces.length && pieces.every((piece) => flywayRunsOutsideTransaction(text, piece, given.pgVersion)));
      return tool(outside ? 'Flyway without a transaction' : 'Flyway');
    }
    // morph reads its marker at the very start of the file only (anywhere else it is a comment).
    if (projectTool === 'morph' && text.startsWith('-- morph:nontransactional')) return tool('morph without a transaction');
    if (projectTool) return migrationToolNamed(projectTool);
    return text.includes(DRIZZLE_BREAKPOINT) ? tool('drizzle') : undefined;
  };
  const parts = marked.parts ?? (LIQUIBASE_FILE.test(text) ? tool('Liquibase') : undefined);
  const shown = marked.withoutTransaction ?? (given.assumeInTransaction === 'auto' ? (parts ?? fromLayout()) : undefined);
  const declared = shown ? shown.runs : given.assumeInTransaction === 'auto' ? false : given.assumeInTransaction;
  // One query string of a single statement runs in no implicit transaction.
  const runs = declared === 'implicit' && pieces.length < 2 ? false : declared;
  const made = new FileState(runs === given.assumeInTransaction ? given : { ...given, assumeInTransaction: runs });
  // A file of one statement is applied whole or not at all (prefer-robust-stmts).
  const state = pieces.length === 1 ? made.with({ soleStatement: true }) : made;
  if (runs) return shown ? state.with({ migrationTool: shown.name }) : state;
  return !marked.withoutTransaction && setLocalShowsTransaction(text, pieces) ? state.with({ setLocalShowsTransaction: true }) : state;
}

/**
 * The statements Flyway's PostgreSQL parser runs outside a transaction (its own list, matched on
 * the statement's first words): a migration of only these runs statement by statement.
 */
const FLYWAY_NON_TRANSACTIONAL =
  /^(?:(?:CREATE|DROP)(?: UNIQUE)? INDEX CONCURRENTLY|REINDEX(?: VERBOSE)? (?:SCHEMA|DATABASE|SYSTEM)|VACUUM|DISCARD ALL|(?:CREATE|DROP) (?:DATABASE|TABLESPACE|SUBSCRIPTION)|ALTER SYSTEM)\b/;
const FLYWAY_ADD_VALUE = /^ALTER TYPE\b.*\bADD VALUE\b/;

function flywayRunsOutsideTransaction(text: string, piece: SqlPiece, pgVersion: number): boolean {
  const head = text
    .slice(piece.start, Math.min(piece.end, piece.start + 400))
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .trim()
    .replace(/\s+/g, ' ')
    .toUpperCase();
  // Before PostgreSQL 12, ALTER TYPE … ADD VALUE could not run in a transaction either.
  return FLYWAY_NON_TRANSACTIONAL.test(head) || (pgVersion < 12 && FLYWAY_ADD_VALUE.test(head));
}

const TRANSACTION_WORDS = new Set(['begin', 'start', 'commit', 'rollback', 'end', 'abort']);

/**
 * A file with SET LOCAL and no BEGIN, COMMIT or ROLLBACK of its own is written for a migration
 * tool that runs each file in a transaction (Flyway, goose, dbmate, node-pg-migrate…): outside one,
 * PostgreSQL ignores SET LOCAL with a warning. It is checked as assumeInTransaction would.
 */
function setLocalShowsTransaction(text: string, pieces: readonly SqlPiece[]): boolean {
  if (!/\bset\s+local\b/i.test(text)) return false;
  let setLocal = false;
  for (const piece of pieces) {
    const [first, second] = text
      .slice(piece.start, Math.min(piece.end, piece.start + 24))
      .toLowerCase()
      .split(/[^a-z_]+/, 2);
    if (TRANSACTION_WORDS.has(first!)) return false;
    if (first === 'set' && second === 'local') setLocal = true;
  }
  return setLocal;
}

/**
 * A file that only undoes a migration, like the Down part of a goose file: golang-migrate's and sqlx's
 * `….down.sql`, diesel's `down.sql`, Flyway's undo migrations `U<version>__….sql`.
 */
export function isRollbackFile(fileName: string): boolean {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  return /^(?:.*\.)?down\.(?:sql|pgsql|psql)$|^U\d[\w.]*__.*\.sql$/i.test(base);
}

/**
 * The engine a file's name says it is written for, other than PostgreSQL: pop, popx and sqlx name a
 * folder's files per engine (`….mysql.up.sql`, `….cockroach.up.sql`, `….sqlite3.up.sql`). MySQL and
 * MariaDB files get the MySQL rules; the other engines' are not checked.
 */
export function engineInName(fileName: string): string | undefined {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  return /\.(mysql|mariadb|sqlite3?|cockroach(?:db)?|mssql|sqlserver|oracle|clickhouse)\./i.exec(base)?.[1]?.toLowerCase();
}
