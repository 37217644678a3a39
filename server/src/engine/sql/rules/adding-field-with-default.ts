import type { SqlRule } from '../context';
import { describeLock } from '../locks';
import { firstVolatileCall } from '../volatility';
import { alterActions, columnConstraints, isExisting, tableOf } from './_shared';

export const addingFieldWithDefault: SqlRule = {
  id: 'adding-field-with-default',
  severity: 'error',
  summary: 'Adding a column whose DEFAULT must be computed per row (volatile, or any default before PostgreSQL 11) rewrites the table.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    if (!isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    const pgVersion = ctx.settings.pgVersion;
    for (const action of alterActions(stmt)) {
      if (action.subtype !== 'AT_AddColumn') continue;
      const column = action.cmd.def?.ColumnDef;
      for (const c of columnConstraints(column)) {
        let why: string | undefined;
        if (c.contype === 'CONSTR_DEFAULT') {
          const volatile = firstVolatileCall(c.raw_expr);
          if (volatile) why = `its DEFAULT calls ${volatile}, which is volatile, so every existing row gets its own value`;
          else if (pgVersion < 11) why = `PostgreSQL ${pgVersion} writes any DEFAULT into every existing row (11+ stores a constant default in the catalog)`;
        } else if (c.contype === 'CONSTR_GENERATED') {
          why = 'a stored generated column is computed for every existing row';
        }
        if (!why) continue;
        const lock = describeLock({ mode: 'ACCESS EXCLUSIVE', table, duration: 'until the table is rewritten' });
        report({
          ...stmt.actionRange(action.index),
          message: `Adding ${table}.${column.colname}: ${why}. ${lock}. Add the column without the default, SET DEFAULT for new rows, then backfill existing rows in batches.`,
        });
      }
    }
  },
};
