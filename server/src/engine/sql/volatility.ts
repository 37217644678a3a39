import catalogue from './pg-functions.json';
import { stringOf, subtree, unwrap, type Node } from './ast';

const notVolatile = new Set<string>([...catalogue.stable, ...catalogue.immutable]);

/**
 * Whether an expression may give a different value per row — the case where adding a
 * column with it as DEFAULT rewrites the table even on PostgreSQL 11+. Built-in functions
 * take their volatility from pg_proc; any other function is volatile, PostgreSQL's default
 * for CREATE FUNCTION.
 */
export function isVolatileExpression(expr: Node | undefined): boolean {
  return firstVolatileCall(expr) !== undefined;
}

/** Name of the first volatile function called in an expression. */
export function firstVolatileCall(expr: Node | undefined): string | undefined {
  for (const node of subtree(expr)) {
    const call = unwrap(node, 'FuncCall');
    if (!call) continue;
    const names = (call.funcname ?? []).map(stringOf);
    const name = names[names.length - 1] ?? '';
    const schema = names.length > 1 ? names[0] : 'pg_catalog';
    // nextval('seq') as a default, serial columns: volatile.
    if (schema !== 'pg_catalog' || !notVolatile.has(name)) return `${name}()`;
  }
  return undefined;
}
