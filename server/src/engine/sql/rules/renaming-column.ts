import { tableRef, type SqlRule } from '../context';
import { isExisting, tableOf } from './_shared';

export const renamingColumn: SqlRule<'RenameStmt'> = {
  id: 'renaming-column',
  severity: 'error',
  summary: 'Renaming a column breaks the running version that still uses the old name.',
  kinds: ['RenameStmt'],
  destructive: true,
  check(stmt, ctx, report) {
    const n = stmt.node;
    if (n.renameType !== 'OBJECT_COLUMN' || n.relationType !== 'OBJECT_TABLE' || !isExisting(ctx, n.relation)) return;
    // A column this file added (ente's id_text, renamed to the id it replaces): the running version never used its name.
    if (ctx.state.addedColumn(tableRef(n.relation), n.subname ?? '')) return;
    const rename = stmt.findWord('rename');
    const table = tableOf(n.relation);
    report({
      start: rename?.start ?? stmt.start,
      end: stmt.end,
      message: `Renaming ${table}.${n.subname} to ${n.newname} breaks the version still running, whose queries use the old name; ACCESS EXCLUSIVE on ${table}: blocks reads and writes while it waits for running transactions. Add ${n.newname}, write both, backfill, switch reads, then drop ${n.subname} (expand → backfill → switch → contract).`,
    });
  },
};
