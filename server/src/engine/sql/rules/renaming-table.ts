import type { SqlRule } from '../context';
import { isExisting, tableOf } from './_shared';

export const renamingTable: SqlRule<'RenameStmt'> = {
  id: 'renaming-table',
  severity: 'error',
  summary: 'Renaming a table breaks the running version that still uses the old name.',
  kinds: ['RenameStmt'],
  destructive: true,
  check(stmt, ctx, report) {
    const n = stmt.node;
    if (n.renameType !== 'OBJECT_TABLE' || !isExisting(ctx, n.relation)) return;
    const rename = stmt.findWord('rename');
    const table = tableOf(n.relation);
    report({
      start: rename?.start ?? stmt.start,
      end: stmt.end,
      message: `Renaming table ${table} to ${n.newname} breaks the version still running, whose queries use the old name; ACCESS EXCLUSIVE on ${table}: blocks reads and writes while it waits for running transactions. Create the new table (or a view named ${n.newname} over ${table}), move the application over, then drop the old name in a contract migration.`,
    });
  },
};
