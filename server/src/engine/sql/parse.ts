import type { ParseResult } from 'libpg-query';
import { StatementCache } from '../statement-cache';
import { kindOf, type NodeKind, type NodeOf } from './ast';
import { compiledPgQuery, loadPgQuery, parseToJson, plpgsqlToJson } from './pg-query';
export type { CompiledParser } from './pg-query';

/**
 * A statement's kind (e.g. `AlterTableStmt`) and its node, as a union discriminated by kind:
 * `switch (parsed.kind)` narrows `parsed.node`.
 */
export type ParsedStatement<K extends NodeKind = NodeKind> = K extends NodeKind ? { readonly kind: K; readonly node: NodeOf<K> } : never;

export type ParseOutcome =
  | { ok: true; statements: ParsedStatement[] }
  | { ok: false; message: string; /** 0-based character (code point) offset in the statement, or -1. */ cursor: number };

/** Loads the WASM parser; every other function here needs it done. */
export const loadParser = loadPgQuery;
export const compiledParser = compiledPgQuery;

/** Recently parsed statements: editing one statement of a large file reparses only that one. */
const cache = new StatementCache<ParseOutcome>();

export function parseStatement(sql: string): ParseOutcome {
  let outcome = cache.get(sql);
  if (!outcome) cache.set(sql, (outcome = parseUncached(sql)));
  return outcome;
}

function parseUncached(sql: string): ParseOutcome {
  const parsed = parseToJson(sql);
  if (!parsed.ok) return { ok: false, message: parsed.message, cursor: parsed.cursor };
  const { json } = parsed;
  // {"version":…,"stmts":[{"stmt":{"Kind":{…}},…}, …]}: `{"stmt":{"` cannot occur inside a JSON string (its quotes are escaped).
  const first = json.indexOf(STMT);
  if (first < 0) return { ok: true, statements: [] };
  const kindStart = first + STMT.length;
  if (json.indexOf(STMT, kindStart) < 0)
    return { ok: true, statements: [new LazyStatement(json.slice(kindStart, json.indexOf('"', kindStart)) as NodeKind, json) as ParsedStatement] };
  const statements = ((JSON.parse(json) as ParseResult).stmts ?? []).map(({ stmt }) => {
    const kind = kindOf(stmt!);
    // The wrapper's one key is its kind, so kind and node match.
    return { kind, node: (stmt as Record<NodeKind, unknown>)[kind] } as ParsedStatement;
  });
  return { ok: true, statements };
}

const STMT = '{"stmt":{"';

/**
 * A statement parsed alone, its tree decoded the first time something reads it: most queries in a
 * migration (SELECT, EXPLAIN, INSERT … VALUES) reach no rule, and decoding is a third of parsing.
 */
class LazyStatement {
  private tree: unknown;
  constructor(
    readonly kind: NodeKind,
    private json: string | undefined,
  ) {}

  get node(): unknown {
    if (this.json !== undefined) {
      const stmt = (JSON.parse(this.json) as ParseResult).stmts![0]!.stmt as Record<NodeKind, unknown>;
      this.tree = stmt[this.kind];
      this.json = undefined;
    }
    return this.tree;
  }
}

/** SQL statements inside a PL/pgSQL body, in source order, or an error message. */
export function plpgsqlQueries(createOrDoSql: string): { queries: string[] } | { error: string } {
  const parsed = plpgsqlToJson(createOrDoSql);
  if ('error' in parsed) return parsed;
  const queries: string[] = [];
  collectQueries(JSON.parse(parsed.json), queries);
  return { queries };
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
