/**
 * Locks measured by `rollout-guard trace` (or the editor's "Trace this migration"), as the hover
 * shows them beside the linter's prediction. The editor sends them to the language server with
 * the text that was traced; they hold only while the document has that text.
 */
import { LineIndex } from '../text';
import { splitSql } from './split';

/** One traced statement: the strongest lock per relation (pg_locks' mode names) and the tables rewritten. */
export interface MeasuredStatement {
  /** 1-based line of the statement's first token. */
  line: number;
  locks: { relation: string; mode: string }[];
  rewrites: string[];
  /** Why its locks were not measured (it cannot run in a transaction block). */
  notTraced?: string;
}

/** What the editor sends with `rolloutGuard/traced`: the file's text as traced and what PostgreSQL measured. */
export interface MeasuredTrace {
  uri: string;
  text: string;
  statements: MeasuredStatement[];
  /** The statement PostgreSQL refused; the trace stopped there. */
  failure?: { line: number; message: string };
}

/** The editor's command that traces a migration, which the language server's CodeLens runs. */
export const TRACE_COMMAND = 'rolloutGuard.traceMigration';
/** Client → server: what a trace measured (a MeasuredTrace). */
export const TRACED_NOTIFICATION = 'rolloutGuard/traced';
/** Client → server: the user trusted the workspace (its trust at start comes in initializationOptions.workspaceTrusted). */
export const WORKSPACE_TRUSTED_NOTIFICATION = 'rolloutGuard/workspaceTrusted';

/** Markdown for what the trace measured for the statement at `offset`, with the statement's range. */
export function measuredHover(trace: MeasuredTrace, offset: number): { start: number; end: number; contents: string } | undefined {
  const piece = splitSql(trace.text).pieces.find((p) => offset >= p.start && offset <= p.end);
  if (!piece) return undefined;
  const line = new LineIndex(trace.text).position(piece.start).line + 1;
  const range = { start: piece.start, end: piece.end };
  if (trace.failure?.line === line) return { ...range, contents: `**Measured by trace:** PostgreSQL refused it: ${trace.failure.message}` };
  const statement = trace.statements.find((s) => s.line === line);
  if (!statement) return undefined;
  const locks = statement.locks.map((lock) => `${lock.mode} on ${lock.relation}`).join(', ');
  const measured = statement.notTraced ?? (locks || 'no relation locks');
  const rewrites = statement.rewrites.length ? `; rewrote ${statement.rewrites.join(', ')}` : '';
  return { ...range, contents: `**Measured by trace:** ${measured}${rewrites}.` };
}
