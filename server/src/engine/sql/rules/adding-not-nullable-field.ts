import { tableRef, type SqlRule } from '../context';
import { alterActions, ident, isExisting, tableOf } from './_shared';

export const addingNotNullableField: SqlRule<'AlterTableStmt'> = {
  id: 'adding-not-nullable-field',
  severity: 'warning',
  summary: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    if (!isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    for (const action of alterActions(stmt.node)) {
      if (action.subtype !== 'AT_SetNotNull') continue;
      const column = action.cmd.name ?? '';
      // The safe form this rule recommends: PostgreSQL 12+ skips the scan.
      const check = { fact: 'not-null-check', table: tableRef(stmt.node.relation), column } as const;
      if (ctx.settings.pgVersion >= 12 && ctx.state.holds(check)) continue;
      const safer =
        ctx.settings.pgVersion >= 12
          ? `First add CHECK (${ident(column)} IS NOT NULL) NOT VALID and VALIDATE CONSTRAINT it in a separate transaction; SET NOT NULL then skips the scan (PostgreSQL 12+), and the CHECK can be dropped.`
          : `On PostgreSQL ${ctx.settings.pgVersion} there is no lock-free way: use a validated CHECK (${ident(column)} IS NOT NULL) constraint instead of NOT NULL.`;
      report({
        ...stmt.actionRange(action.index),
        message: `SET NOT NULL on ${table}.${column}: ACCESS EXCLUSIVE on ${table}: blocks reads and writes while every row is scanned. ${safer}`,
        // A function body runs later, against whatever the migrations have made by then.
        ...(ctx.settings.pgVersion >= 12 && stmt.origin !== 'function-body' ? { unlessEarlier: ctx.state.unlessEarlier(check) } : {}),
      });
    }
  },
};
