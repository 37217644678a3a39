import { declarationIn } from '../../backfill';
import type { SqlRule } from '../context';
import type { PgNode } from '../parse';
import { isExisting, tableOf, verbRange } from './_shared';

export const unbatchedBackfill: SqlRule = {
  id: 'unbatched-backfill',
  severity: 'warning',
  summary: 'An UPDATE or DELETE of an existing table with no batch bound rewrites every matching row in one transaction.',
  kinds: ['UpdateStmt', 'DeleteStmt'],
  check(stmt, ctx, report) {
    const n = stmt.node;
    // Function bodies are application code, not migration steps; declared backfills are batched by the runner.
    if (stmt.origin === 'function-body' || !isExisting(ctx, n.relation)) return;
    if (ctx.commentsBefore.some((c) => declarationIn(c) !== undefined)) return;
    // In a DO block, bare names in the WHERE are usually PL/pgSQL loop variables (id >= lo AND id < lo + 1000).
    const variables = stmt.origin === 'do-block';
    if (n.whereClause && hasBatchBound(n.whereClause, variables)) return;
    if (joinsLimitedRows(n)) return;
    const table = tableOf(n.relation);
    const verb = stmt.kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
    const scope = n.whereClause ? `every row of ${table} that the WHERE matches` : `every row of ${table}`;
    report({
      ...verbRange(stmt, verb.toLowerCase(), n.relation),
      message: `${verb} of ${scope} in one statement: each changed row stays locked until it commits, so the running version's writes to them wait, and replication lags. Work in batches by key range (WHERE id >= $1 AND id < $2), or declare it for the backfill runner: -- rollout-guard: backfill table=${table} key=id batch=1000.`,
    });
  },
};

/** A LIMITed subquery or CTE in FROM / USING bounds the rows a join-style UPDATE or DELETE touches. */
function joinsLimitedRows(n: PgNode): boolean {
  const limitedCtes = new Set<string>(
    (n.withClause?.ctes ?? []).filter((c: PgNode) => c.CommonTableExpr?.ctequery?.SelectStmt?.limitCount).map((c: PgNode) => c.CommonTableExpr.ctename),
  );
  const sources: PgNode[] = [...(n.fromClause ?? []), ...(n.usingClause ?? [])];
  if (sources.some((f) => f.RangeSubselect?.subquery?.SelectStmt?.limitCount || (f.RangeVar && !f.RangeVar.schemaname && limitedCtes.has(f.RangeVar.relname))))
    return true;
  // WHERE id IN (SELECT id FROM batch)
  return limitedCtes.size > 0 && n.whereClause !== undefined && readsFrom(n.whereClause, limitedCtes);
}

function readsFrom(node: PgNode, names: Set<string>): boolean {
  if (!node || typeof node !== 'object') return false;
  if (node.RangeVar && !node.RangeVar.schemaname && names.has(node.RangeVar.relname)) return true;
  return Object.values(node).some((v) => readsFrom(v, names));
}

/**
 * A WHERE bounds a batch when it restricts a column to a range, a key to a value or a list,
 * or picks rows with a LIMITed subquery. A condition on other columns (status IS NULL,
 * status = 'active') can still match every row.
 */
export function hasBatchBound(where: PgNode, variables = false): boolean {
  const lower = new Set<string>();
  const upper = new Set<string>();
  let bounded = false;
  const isBound = (node: PgNode): boolean => isConstant(node, variables) || isLimitedSubquery(node);
  const visit = (node: PgNode): void => {
    if (bounded || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    if (node.BoolExpr) {
      // An OR can widen a bounded branch back to the whole table, NOT inverts it; only AND keeps bounds.
      if (node.BoolExpr.boolop === 'AND_EXPR') node.BoolExpr.args.forEach(visit);
      return;
    }
    if (isLimitedSubquery(node)) {
      bounded = true;
      return;
    }
    const e = node.A_Expr;
    if (e) {
      const op: string = e.name?.[0]?.String?.sval ?? '';
      const columnOnLeft = !!columnName(e.lexpr);
      const column = columnOnLeft ? columnName(e.lexpr) : columnName(e.rexpr);
      const other = columnOnLeft ? e.rexpr : e.lexpr;
      if ((e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_BETWEEN_SYM') && column) bounded = true;
      else if (e.kind === 'AEXPR_IN' && column && op === '=' && isKeyLike(column)) bounded = true;
      else if (e.kind === 'AEXPR_OP_ANY' && column && op === '=' && isBound(other) && isKeyLike(column)) bounded = true;
      else if (e.kind === 'AEXPR_OP' && column && isBound(other)) {
        const flipped = columnOnLeft ? op : (({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op] ?? op);
        if (flipped === '=' && isKeyLike(column)) bounded = true;
        if (flipped === '<' || flipped === '<=') upper.add(column);
        if (flipped === '>' || flipped === '>=') lower.add(column);
        if (lower.has(column) && upper.has(column)) bounded = true;
      }
    }
  };
  visit(where);
  return bounded;
}

/**
 * Whether equality on a column picks a few rows: keys and identifiers do (id = 5, code = 'eu'),
 * categories do not (status = 'active' can match the whole table).
 */
const isKeyLike = (column: string): boolean => /(^|\.)(id|ctid|uuid|pk|key|code|slug|name|email|\w+_(id|uuid|key|code|slug))$/i.test(column);

/** `(SELECT … LIMIT n)`, `ARRAY(SELECT … LIMIT n)`. */
const isLimitedSubquery = (node: PgNode): boolean => !!node?.SubLink?.subselect?.SelectStmt?.limitCount;

function columnName(node: PgNode): string | undefined {
  const fields: PgNode[] | undefined = node?.ColumnRef?.fields;
  return fields ? fields.map((f) => f.String?.sval ?? '*').join('.') : undefined;
}

/** Literals, parameters ($1) and expressions of them, e.g. 1000 * $2 or '2024-01-01'::date; with `variables`, bare names too. */
function isConstant(node: PgNode, variables: boolean): boolean {
  if (!node || typeof node !== 'object') return false;
  if (node.A_Const || node.ParamRef) return true;
  if (variables && node.ColumnRef?.fields?.length === 1) return true;
  if (node.TypeCast) return isConstant(node.TypeCast.arg, variables);
  if (node.A_Expr) return isConstant(node.A_Expr.lexpr ?? { A_Const: {} }, variables) && isConstant(node.A_Expr.rexpr, variables);
  if (node.A_ArrayExpr) return (node.A_ArrayExpr.elements ?? []).every((e: PgNode) => isConstant(e, variables));
  return false;
}
