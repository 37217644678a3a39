import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { describeLock, isNullConstant } from '../locks';
import { firstVolatileCall } from '../volatility';
import { alterActions, columnConstraints, isExisting, tableOf } from './_shared';

export const addingFieldWithDefault: SqlRule<'AlterTableStmt'> = {
  id: 'adding-field-with-default',
  severity: 'error',
  summary: 'Adding a column whose DEFAULT must be computed per row (volatile, or any default before PostgreSQL 11) rewrites the table.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    // A foreign table stores nothing here to rewrite.
    if (stmt.node.objtype === 'OBJECT_FOREIGN_TABLE' || !isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    const pgVersion = ctx.settings.pgVersion;
    // serial, identity and stored generated columns rewrite too: adding-table-rewriting-column reports them.
    for (const action of alterActions(stmt.node)) {
      if (action.subtype !== 'AT_AddColumn') continue;
      const column = unwrap(action.cmd.def, 'ColumnDef');
      const value = columnConstraints(column).find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
      const volatile = firstVolatileCall(value);
      const why = volatile
        ? `its DEFAULT calls ${volatile}, which is volatile, so every existing row gets its own value`
        : value && pgVersion < 11 && !isNullConstant(value)
          ? `PostgreSQL ${pgVersion} writes any DEFAULT into every existing row (11+ stores a constant default in the catalog)`
          : undefined;
      if (!why) continue;
      const lock = describeLock({ mode: 'ACCESS EXCLUSIVE', table, duration: 'until the table is rewritten' });
      report({
        ...stmt.actionRange(action.index),
        message: `Adding ${table}.${column?.colname}: ${why}. ${lock}. Add the column without the default, SET DEFAULT for new rows, then backfill existing rows in batches.`,
      });
    }
  },
};
