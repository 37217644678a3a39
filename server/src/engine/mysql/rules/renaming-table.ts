import type { MysqlRule } from '../context';
import { tableName } from './_shared';

export const renamingTable: MysqlRule = {
  id: 'renaming-table',
  severity: 'error',
  summary: 'Renaming a table breaks the running version that still uses the old name.',
  kinds: ['rename-table', 'alter-table'],
  destructive: true,
  check(stmt, ctx, report) {
    const advice = (from: string, to: string): string =>
      `Renaming table ${from} to ${to} breaks the version still running, whose queries use the old name (error 1146, table doesn't exist). Create ${to}, write to both (or a view named ${from} over ${to} where the queries allow it), move the application over, then drop the old name in a contract migration.`;
    if (stmt.kind === 'rename-table') {
      for (const r of stmt.renames) {
        if (ctx.state.isNewTable(r.from)) continue;
        // An atomic swap (`RENAME TABLE t TO t_old, t_new TO t`): the old name keeps answering queries.
        const same = (a: { name: string }, b: { name: string }): boolean => a.name.toLowerCase() === b.name.toLowerCase();
        if (stmt.renames.some((other) => other !== r && (same(other.to, r.from) || same(other.from, r.to)))) continue;
        report({ ...r.range, message: advice(tableName(r.from), tableName(r.to)) });
      }
      return;
    }
    if (!stmt.table || ctx.state.isNewTable(stmt.table)) return;
    for (const action of stmt.actions) {
      if (action.kind === 'rename-table') report({ ...action, message: advice(tableName(stmt.table), action.newName ?? '?') });
    }
  },
};
