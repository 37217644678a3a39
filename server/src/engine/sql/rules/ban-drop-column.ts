import { tableRef, type SqlRule } from '../context';
import { alterActionLock, describeLock } from '../locks';
import { alterActions, isExisting, tableOf } from './_shared';

export const banDropColumn: SqlRule<'AlterTableStmt'> = {
  id: 'ban-drop-column',
  severity: 'error',
  summary: 'Dropping a column breaks the running version that still reads or writes it.',
  kinds: ['AlterTableStmt'],
  destructive: true,
  check(stmt, ctx, report) {
    // Dropping what the plan replaced is the point of the contract phase (column-still-referenced checks the code).
    if (ctx.state.phase === 'contract') return;
    if (!isExisting(ctx, stmt.node.relation)) return;
    for (const action of alterActions(stmt.node)) {
      if (action.subtype !== 'AT_DropColumn') continue;
      // A scratch column this file added (mattermost's backfill helper): the running version never saw it.
      if (ctx.state.addedColumn(tableRef(stmt.node.relation), action.cmd.name ?? '')) continue;
      const table = tableOf(stmt.node.relation);
      const lock = describeLock({ ...alterActionLock(action.cmd, ctx.settings.pgVersion), table });
      report({
        ...stmt.actionRange(action.index),
        message: `Dropping column ${table}.${action.cmd.name} breaks the version still running, whose queries name it. ${lock}. Stop using the column in the application, deploy, and drop it in a later contract migration.`,
      });
    }
  },
};
