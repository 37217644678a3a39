import { loadModule, parseSync, parsePlPgSQLSync } from 'libpg-query';
import { StatementCache } from '../statement-cache';
import { kindOf, type NodeKind, type NodeOf } from './ast';

/**
 * A statement's kind (e.g. `AlterTableStmt`) and its node, as a union discriminated by kind:
 * `switch (parsed.kind)` narrows `parsed.node`.
 */
export type ParsedStatement<K extends NodeKind = NodeKind> = K extends NodeKind ? { kind: K; node: NodeOf<K> } : never;

export type ParseOutcome =
  | { ok: true; statements: ParsedStatement[] }
  | { ok: false; message: string; /** 0-based character (code point) offset in the statement, or -1. */ cursor: number };

let loaded = false;
/** Loads the WASM parser; every other function here needs it done. */
export async function loadParser(): Promise<void> {
  if (!loaded) {
    await loadModule();
    loaded = true;
  }
}

/** Recently parsed statements: editing one statement of a large file reparses only that one. */
const cache = new StatementCache<ParseOutcome>();

export function parseStatement(sql: string): ParseOutcome {
  let outcome = cache.get(sql);
  if (!outcome) cache.set(sql, (outcome = parseUncached(sql)));
  return outcome;
}

function parseUncached(sql: string): ParseOutcome {
  // A syntax error is an outcome here, not a failure: its stack trace, which nothing reads, would
  // cost more than the parse itself (pg-regress: hundreds of statements fail on purpose).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const statements = (parseSync(sql).stmts ?? []).map(({ stmt }) => {
      const kind = kindOf(stmt!);
      // The wrapper's one key is its kind, so kind and node match.
      return { kind, node: (stmt as Record<NodeKind, unknown>)[kind] } as ParsedStatement;
    });
    return { ok: true, statements };
  } catch (error) {
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const message = details?.message ?? (error instanceof Error ? error.message : String(error));
    // libpg-query reports a 0-based cursor; 0 also means "unknown" for some errors.
    return { ok: false, message, cursor: typeof details?.cursorPosition === 'number' ? details.cursorPosition : -1 };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** SQL statements inside a PL/pgSQL body, in source order, or an error message. */
export function plpgsqlQueries(createOrDoSql: string): { queries: string[] } | { error: string } {
  try {
    const tree = parsePlPgSQLSync(createOrDoSql) as unknown;
    const queries: string[] = [];
    collectQueries(tree, queries);
    return { queries };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function collectQueries(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collectQueries(item, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  const execsql = record['PLpgSQL_stmt_execsql'] as { sqlstmt?: { PLpgSQL_expr?: { query?: string } } } | undefined;
  const query = execsql?.sqlstmt?.PLpgSQL_expr?.query;
  if (query) out.push(query);
  for (const value of Object.values(record)) collectQueries(value, out);
}
