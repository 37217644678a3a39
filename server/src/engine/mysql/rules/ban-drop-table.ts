import type { MysqlRule } from '../context';
import { tableName } from './_shared';

export const banDropTable: MysqlRule = {
  id: 'ban-drop-table',
  severity: 'error',
  summary: 'Dropping a table breaks the running version that still queries it.',
  kinds: ['drop-table'],
  destructive: true,
  check(stmt, ctx, report) {
    if (ctx.state.phase === 'contract' || stmt.tokens.some((t) => t.kind === 'word' && t.text === 'temporary')) return;
    for (const table of stmt.tables) {
      if (ctx.state.isNewTable(table)) continue;
      report({
        start: table.start,
        end: table.end,
        message: `Dropping table ${tableName(table)} breaks the version still running, whose queries name it (error 1146, table doesn't exist); the drop also waits for a metadata lock behind every open transaction on it, and queries queue behind the drop. Remove every use from the application, deploy, then drop it in a later contract migration.`,
      });
    }
  },
};
