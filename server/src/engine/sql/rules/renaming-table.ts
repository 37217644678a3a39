import { displayTable, type SqlRule } from '../context';
import { ident, identPath, isExisting, renameRange, tableOf } from './_shared';

const message = (table: string, newName: string): string =>
  `Renaming table ${table} to ${newName} breaks the version still running, whose queries use the old name; ACCESS EXCLUSIVE on ${table}: blocks reads and writes while it waits for running transactions. In the same transaction, leave a view under the old name (CREATE VIEW ${identPath(table)} AS SELECT * FROM ${ident(newName)}); or create the new table (or a view named ${newName} over ${table}), move the application over, then drop the old name in a contract migration.`;

export const renamingTable: SqlRule<'RenameStmt'> = {
  id: 'renaming-table',
  severity: 'error',
  summary: 'Renaming a table breaks the running version that still uses the old name.',
  kinds: ['RenameStmt'],
  destructive: true,
  check(stmt, ctx, report) {
    const n = stmt.node;
    if (n.renameType !== 'OBJECT_TABLE' || !isExisting(ctx, n.relation)) return;
    // In a transaction, a view created under the old name before it commits keeps the name working: see atEnd.
    if (ctx.state.inTransaction() && stmt.origin !== 'function-body') return;
    const rename = stmt.findWord('rename');
    report({ start: rename?.start ?? stmt.start, end: stmt.end, message: message(tableOf(n.relation), n.newname ?? '?') });
  },
  atEnd(ctx, report) {
    for (const rename of ctx.state.renamesLeavingNoName) {
      const range = renameRange(ctx, rename.unit);
      if (range) report({ ...range, message: message(displayTable(rename.table), rename.newName) });
    }
  },
};
