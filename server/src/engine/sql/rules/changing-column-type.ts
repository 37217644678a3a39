import type { SqlRule } from '../context';
import { alterActionLock, describeLock } from '../locks';
import { alterActions, isExisting, tableOf, typeNameOf } from './_shared';

export const changingColumnType: SqlRule = {
  id: 'changing-column-type',
  severity: 'error',
  summary: 'Changing a column type rewrites the table under an ACCESS EXCLUSIVE lock and can break the running version.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    if (!isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    for (const action of alterActions(stmt)) {
      if (action.subtype !== 'AT_AlterColumnType') continue;
      const lock = describeLock({ ...alterActionLock(action.cmd, ctx.settings.pgVersion), table });
      const newType = typeNameOf(action.cmd.def?.ColumnDef?.typeName);
      report({
        ...stmt.actionRange(action.index),
        message: `Changing the type of ${table}.${action.cmd.name} to ${newType}: ${lock}. Add a new column of the new type, write both, backfill in batches, switch reads, then drop the old column.`,
      });
    }
  },
};
