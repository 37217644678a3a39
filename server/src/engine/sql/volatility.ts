import catalogue from './pg-functions.json';
import type { PgNode } from './parse';

const notVolatile = new Set<string>([...catalogue.stable, ...catalogue.immutable]);

/**
 * Whether an expression may give a different value per row — the case where adding a
 * column with it as DEFAULT rewrites the table even on PostgreSQL 11+. Built-in functions
 * take their volatility from pg_proc; any other function is volatile, PostgreSQL's default
 * for CREATE FUNCTION.
 */
export function isVolatileExpression(expr: PgNode): boolean {
  return firstVolatileCall(expr) !== undefined;
}

/** Name of the first volatile function called in an expression. */
export function firstVolatileCall(expr: PgNode): string | undefined {
  if (Array.isArray(expr)) {
    for (const item of expr) {
      const found = firstVolatileCall(item);
      if (found) return found;
    }
    return undefined;
  }
  if (!expr || typeof expr !== 'object') return undefined;
  const call = expr.FuncCall;
  if (call) {
    const names: string[] = (call.funcname ?? []).map((n: PgNode) => n.String?.sval);
    const name = names[names.length - 1] ?? '';
    const schema = names.length > 1 ? names[0] : 'pg_catalog';
    if (schema !== 'pg_catalog' || !notVolatile.has(name)) return `${name}()`;
  }
  // nextval('seq') as a default, serial columns: volatile.
  for (const value of Object.values(expr)) {
    const found = firstVolatileCall(value);
    if (found) return found;
  }
  return undefined;
}
