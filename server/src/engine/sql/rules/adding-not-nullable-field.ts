import type { RuleContext, SqlRule } from '../context';
import type { PgNode } from '../parse';
import { alterActions, isExisting, sameTable, tableOf } from './_shared';

export const addingNotNullableField: SqlRule = {
  id: 'adding-not-nullable-field',
  severity: 'warning',
  summary: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    if (!isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    for (const action of alterActions(stmt)) {
      if (action.subtype !== 'AT_SetNotNull') continue;
      const column = action.cmd.name;
      // The safe form this rule recommends: PostgreSQL 12+ skips the scan.
      if (ctx.settings.pgVersion >= 12 && hasValidatedNotNullCheck(ctx, stmt.node.relation, column)) continue;
      const safer =
        ctx.settings.pgVersion >= 12
          ? `First add CHECK (${column} IS NOT NULL) NOT VALID and VALIDATE CONSTRAINT it in a separate transaction; SET NOT NULL then skips the scan (PostgreSQL 12+), and the CHECK can be dropped.`
          : `On PostgreSQL ${ctx.settings.pgVersion} there is no lock-free way: use a validated CHECK (${column} IS NOT NULL) constraint instead of NOT NULL.`;
      report({
        ...stmt.actionRange(action.index),
        message: `SET NOT NULL on ${table}.${column}: ACCESS EXCLUSIVE on ${table}: blocks reads and writes while every row is scanned. ${safer}`,
      });
    }
  },
};

/** Whether earlier statements of the file left a validated CHECK (column IS NOT NULL) on the table. */
function hasValidatedNotNullCheck(ctx: RuleContext, relation: PgNode, column: string): boolean {
  const notValid = new Set<string>();
  const validated = new Set<string>();
  for (const p of ctx.previous) {
    if (p.kind !== 'AlterTableStmt' || !sameTable(p.node.relation, relation)) continue;
    for (const a of alterActions(p)) {
      const c = a.cmd.def?.Constraint;
      if (a.subtype === 'AT_AddConstraint' && c?.contype === 'CONSTR_CHECK' && c.is_enforced !== false && isNotNullTest(c.raw_expr, column)) {
        const name = c.conname ?? `(unnamed ${a.index})`;
        (c.skip_validation ? notValid : validated).add(name);
      } else if (a.subtype === 'AT_ValidateConstraint' && notValid.has(a.cmd.name)) validated.add(a.cmd.name);
      else if (a.subtype === 'AT_DropConstraint') validated.delete(a.cmd.name);
    }
  }
  return validated.size > 0;
}

const isNotNullTest = (expr: PgNode, column: string): boolean =>
  expr?.NullTest?.nulltesttype === 'IS_NOT_NULL' &&
  expr.NullTest.arg?.ColumnRef?.fields?.length === 1 &&
  expr.NullTest.arg.ColumnRef.fields[0].String?.sval === column;
