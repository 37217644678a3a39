/**
 * What migration tools' conventions say about a PostgreSQL file: which parts and files only undo a
 * migration (not checked), and how the file runs, which decides what its locks cost and what
 * cannot run in it: in a transaction its tool opens, as one query string (one implicit transaction
 * when it holds several statements), or statement by statement. How it runs comes from
 * assumeInTransaction and from the file:
 * - a tool's no-transaction marker wins over everything (goose `-- +goose NO TRANSACTION`, sqlx
 *   `-- no-transaction`, dbmate `-- migrate:up transaction:false`, sql-migrate `-- +migrate Up notransaction`);
 * - `auto` (the default) follows the tool when the file shows which and the tool runs every file
 *   one way: goose (`-- +goose Up`), sql-migrate (`-- +migrate Up`) and dbmate (`-- migrate:up`)
 *   open a transaction; Prisma (`<14-digit timestamp>_<name>/migration.sql`) sends one query
 *   string. Names that tools share while running files differently say nothing (`….up.sql`:
 *   golang-migrate sends one query string, sqlx and pop open a transaction; Flyway's `V1__…` runs
 *   outside one when a statement cannot run inside): assumeInTransaction says for them;
 * - SET LOCAL in a file with no BEGIN, COMMIT or ROLLBACK of its own shows a tool's transaction.
 */
import type { EngineSettings } from '../types';
import type { SqlPiece } from './split';
import { FileState } from './state';

export interface MigrationTool {
  name: string;
  /** How it runs a file: in a transaction it opens, or as one query string (see EngineSettings). */
  runs: true | 'implicit';
  /** How a migration of this tool runs a statement outside any transaction (CREATE INDEX CONCURRENTLY). */
  withoutTransaction: string;
}

const TOOLS: Record<string, MigrationTool> = {
  goose: { name: 'goose', runs: true, withoutTransaction: 'in a migration of its own marked `-- +goose NO TRANSACTION`' },
  'sql-migrate': { name: 'sql-migrate', runs: true, withoutTransaction: 'in a migration of its own marked `-- +migrate Up notransaction`' },
  dbmate: { name: 'dbmate', runs: true, withoutTransaction: 'in a migration of its own marked `-- migrate:up transaction:false`' },
  Prisma: { name: 'Prisma', runs: 'implicit', withoutTransaction: 'alone in a migration of its own: a single statement runs in no transaction' },
};

/** A tool's marker of a file's forward or rollback part: goose `-- +goose Up`/`Down`, sql-migrate `-- +migrate Up`/`Down`, dbmate `-- migrate:up`/`down`. */
const SECTION_MARKER = /^[ \t]*--[ \t]*(\+goose[ \t]+|\+migrate[ \t]+|migrate:)(up|down)\b/im;
const TOOL_OF_MARKER: Record<string, string> = { '+goose': 'goose', '+migrate': 'sql-migrate', 'migrate:': 'dbmate' };
const PRISMA_MIGRATION = /(?:^|[\\/])\d{14}_[^\\/]+[\\/]migration\.sql$/i;
const NO_TRANSACTION =
  /^[ \t]*--[ \t]*(?:\+goose[ \t]+no[ \t]+transaction|no-transaction|migrate:up\b.*\btransaction:false|\+migrate[ \t]+up\b.*\bnotransaction)\b/im;

/** The tool that runs `text` (named `fileName`), when the file shows it. */
function migrationToolOf(fileName: string | undefined, text: string): MigrationTool | undefined {
  const marker = SECTION_MARKER.exec(text)?.[1];
  if (marker) return TOOLS[TOOL_OF_MARKER[marker.trim().toLowerCase()]!];
  if (fileName && PRISMA_MIGRATION.test(fileName)) return TOOLS.Prisma;
  return undefined;
}

/** A tool the state names (FileState.migrationTool). */
export const migrationToolNamed = (name: string): MigrationTool | undefined => TOOLS[name];

/**
 * The state a file's first statement starts from: its settings with assumeInTransaction as the file
 * runs (true, false or implicit; never auto), and the tool or SET LOCAL that shows it.
 */
export function startState(text: string, pieces: readonly SqlPiece[], given: EngineSettings, fileName: string | undefined): FileState {
  const outsideTransaction = NO_TRANSACTION.test(text);
  const tool = given.assumeInTransaction === 'auto' ? migrationToolOf(fileName, text) : undefined;
  const declared = given.assumeInTransaction === 'auto' ? (tool?.runs ?? false) : given.assumeInTransaction;
  // One query string of a single statement runs in no implicit transaction.
  const runs = outsideTransaction || (declared === 'implicit' && pieces.length < 2) ? false : declared;
  const state = new FileState(runs === given.assumeInTransaction ? given : { ...given, assumeInTransaction: runs });
  if (runs) return tool ? state.with({ migrationTool: tool.name }) : state;
  return !outsideTransaction && setLocalShowsTransaction(text, pieces) ? state.with({ setLocalShowsTransaction: true }) : state;
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

/** The part of the file a comment starts (see SECTION_MARKER): `down` runs only to undo the migration. */
export function toolSection(comment: string): 'up' | 'down' | undefined {
  return SECTION_MARKER.exec(comment.trim())?.[2]?.toLowerCase() as 'up' | 'down' | undefined;
}

/**
 * A file that only undoes a migration, like the Down part of a goose file: golang-migrate's and sqlx's
 * `….down.sql`, diesel's `down.sql`, Flyway's undo migrations `U<version>__….sql`.
 */
export function isRollbackFile(fileName: string): boolean {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  return /^(?:.*\.)?down\.(?:sql|pgsql|psql)$|^U\d[\w.]*__.*\.sql$/i.test(base);
}
