import type { SqlRule } from '../context';
import type { PgNode } from '../parse';
import { isExisting, tableOf } from './_shared';

export const unbatchedBackfill: SqlRule = {
  id: 'unbatched-backfill',
  severity: 'warning',
  summary: 'An UPDATE or DELETE of an existing table with no batch bound rewrites every matching row in one transaction.',
  kinds: ['UpdateStmt', 'DeleteStmt'],
  check(stmt, ctx, report) {
    const n = stmt.node;
    // Function bodies are application code, not migration steps; declared backfills are batched by the runner.
    if (stmt.origin === 'function-body' || !isExisting(ctx, n.relation)) return;
    if (ctx.commentsBefore.some((c) => /rollout-guard:\s*backfill\b/.test(c))) return;
    if (n.whereClause && hasBatchBound(n.whereClause)) return;
    const table = tableOf(n.relation);
    const verb = stmt.kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
    const scope = n.whereClause ? 'every row the WHERE matches' : 'every row';
    report({
      ...stmt.headRange(stmt.kind === 'UpdateStmt' ? 'update' : 'from'),
      end: stmt.nameRange(stmt.at(n.relation.location)).end,
      message: `${verb} of ${scope} of ${table} in one statement: each changed row stays locked until it commits, so the running version's writes to them wait, and replication lags. Work in batches by key range (WHERE id >= $1 AND id < $2), or declare it for the backfill runner: -- rollout-guard: backfill table=${table} key=id batch=1000.`,
    });
  },
};

/**
 * A WHERE bounds a batch when it restricts a key to a range or a list, or picks rows with a
 * LIMITed subquery. A condition on other columns (status IS NULL) can still match every row.
 */
export function hasBatchBound(where: PgNode): boolean {
  const lower = new Set<string>();
  const upper = new Set<string>();
  let bounded = false;
  const visit = (node: PgNode, negated: boolean): void => {
    if (bounded || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((x) => visit(x, negated));
    if (node.BoolExpr) {
      // An OR can widen a bounded branch back to the whole table; only AND keeps bounds.
      if (node.BoolExpr.boolop === 'AND_EXPR') node.BoolExpr.args.forEach((x: PgNode) => visit(x, negated));
      else if (node.BoolExpr.boolop === 'NOT_EXPR') return;
      return;
    }
    const sub = node.SubLink?.subselect?.SelectStmt;
    if (sub?.limitCount) {
      bounded = true;
      return;
    }
    const e = node.A_Expr;
    if (e) {
      const op: string = e.name?.[0]?.String?.sval ?? '';
      const column = columnName(e.lexpr) ?? columnName(e.rexpr);
      const other = columnName(e.lexpr) ? e.rexpr : e.lexpr;
      const constant = isConstant(other);
      if ((e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_BETWEEN_SYM') && column) bounded = true;
      else if (e.kind === 'AEXPR_IN' && column && op === '=') bounded = true;
      else if (e.kind === 'AEXPR_OP_ANY' && column && op === '=' && constant) bounded = true;
      else if (e.kind === 'AEXPR_OP' && column && constant) {
        const columnOnLeft = !!columnName(e.lexpr);
        const flipped = columnOnLeft ? op : (({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op] ?? op);
        if (flipped === '=') bounded = true;
        if (flipped === '<' || flipped === '<=') upper.add(column);
        if (flipped === '>' || flipped === '>=') lower.add(column);
        if (lower.has(column) && upper.has(column)) bounded = true;
      }
      return;
    }
  };
  visit(where, false);
  return bounded;
}

function columnName(node: PgNode): string | undefined {
  const fields: PgNode[] | undefined = node?.ColumnRef?.fields;
  return fields ? fields.map((f) => f.String?.sval ?? '*').join('.') : undefined;
}

/** Literals, parameters ($1) and expressions of them, e.g. 1000 * $2 or '2024-01-01'::date. */
function isConstant(node: PgNode): boolean {
  if (!node || typeof node !== 'object') return false;
  if (node.A_Const || node.ParamRef) return true;
  if (node.TypeCast) return isConstant(node.TypeCast.arg);
  if (node.A_Expr) return isConstant(node.A_Expr.lexpr ?? { A_Const: {} }) && isConstant(node.A_Expr.rexpr);
  if (node.A_ArrayExpr) return (node.A_ArrayExpr.elements ?? []).every(isConstant);
  return false;
}
