import type { MysqlRule } from '../context';
import { existingTable, tableName } from './_shared';

export const banDropColumn: MysqlRule = {
  id: 'ban-drop-column',
  severity: 'error',
  summary: 'Dropping a column breaks the running version that still reads or writes it.',
  kinds: ['alter-table'],
  destructive: true,
  check(stmt, ctx, report) {
    if (ctx.state.phase === 'contract') return;
    const table = existingTable(stmt, ctx);
    if (!table) return;
    for (const action of stmt.actions) {
      if (action.kind !== 'drop-column') continue;
      report({
        ...action,
        message: `Dropping column ${tableName(table)}.${action.name} breaks the version still running: its SELECTs that name the column and its INSERTs that write it fail with "Unknown column". Stop using the column in the application, deploy, and drop it in a later contract migration.`,
      });
    }
  },
};
