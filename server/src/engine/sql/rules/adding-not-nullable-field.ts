import type { RuleContext, SqlRule } from '../context';
import type { PgNode } from '../parse';
import { alterActions, foldPrevious, isExisting, tableOf } from './_shared';

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
  // Keyed by table name (schema ignored) and column; constraint names are per table.
  const { validated } = foldPrevious(
    ctx,
    'not-null-checks',
    () => ({ notValid: new Map<string, string>(), validated: new Map<string, Set<string>>() }),
    (acc, p) => {
      if (p.kind !== 'AlterTableStmt' || !p.node.relation) return;
      const table = p.node.relation.relname as string;
      const mark = (key: string, name: string): void => {
        acc.validated.set(key, (acc.validated.get(key) ?? new Set()).add(name));
      };
      for (const a of alterActions(p)) {
        const c = a.cmd.def?.Constraint;
        const checked = a.subtype === 'AT_AddConstraint' && c?.contype === 'CONSTR_CHECK' && c.is_enforced !== false ? notNullColumn(c.raw_expr) : undefined;
        if (checked) {
          const key = `${table}.${checked}`;
          const name = c.conname ?? `${table}_${checked}_check`;
          if (c.skip_validation) acc.notValid.set(`${table}.${name}`, key);
          else mark(key, name);
        } else if (a.subtype === 'AT_ValidateConstraint') {
          const key = acc.notValid.get(`${table}.${a.cmd.name}`);
          if (key) mark(key, a.cmd.name);
        } else if (a.subtype === 'AT_DropConstraint') {
          for (const [key, names] of acc.validated) if (key.startsWith(`${table}.`)) names.delete(a.cmd.name);
        }
      }
    },
  );
  return (validated.get(`${relation.relname}.${column}`)?.size ?? 0) > 0;
}

/** The column of a `column IS NOT NULL` check. */
const notNullColumn = (expr: PgNode): string | undefined =>
  expr?.NullTest?.nulltesttype === 'IS_NOT_NULL' && expr.NullTest.arg?.ColumnRef?.fields?.length === 1
    ? expr.NullTest.arg.ColumnRef.fields[0].String?.sval
    : undefined;
