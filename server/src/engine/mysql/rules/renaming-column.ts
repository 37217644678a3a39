import type { MysqlRule } from '../context';
import { existingTable, tableName } from './_shared';

export const renamingColumn: MysqlRule = {
  id: 'renaming-column',
  severity: 'error',
  summary: 'Renaming a column breaks the running version that still uses the old name.',
  kinds: ['alter-table'],
  destructive: true,
  check(stmt, ctx, report) {
    const table = existingTable(stmt, ctx);
    if (!table) return;
    for (const action of stmt.actions) {
      // RENAME COLUMN a TO b, or CHANGE a b <definition> with a different name.
      const renamed = action.kind === 'rename-column' || (action.kind === 'change-column' && action.name?.toLowerCase() !== action.newName?.toLowerCase());
      if (!renamed) continue;
      report({
        ...action,
        message: `Renaming ${tableName(table)}.${action.name} to ${action.newName} breaks the version still running, whose queries use the old name ("Unknown column"). Add ${action.newName}, write both, backfill, switch reads, then drop ${action.name} (expand → backfill → switch → contract).`,
      });
    }
  },
};
