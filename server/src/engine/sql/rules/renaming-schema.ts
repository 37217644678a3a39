import type { SqlRule } from '../context';

export const renamingSchema: SqlRule<'RenameStmt'> = {
  id: 'renaming-schema',
  severity: 'error',
  summary: 'Renaming a schema breaks the running version, whose queries and search_path use the old name.',
  kinds: ['RenameStmt'],
  destructive: true,
  check(stmt, ctx, report) {
    const n = stmt.node;
    if (n.renameType !== 'OBJECT_SCHEMA' || ctx.state.isNewSchema(n.subname ?? '')) return;
    const rename = stmt.findWord('rename');
    report({
      start: rename?.start ?? stmt.start,
      end: stmt.end,
      message: `Renaming schema ${n.subname} to ${n.newname} moves every table, view, type and function in it at once: the version still running names ${n.subname} in its queries or its search_path, and they fail with "relation does not exist". Create the objects in ${n.newname} (or views there over ${n.subname}), move the application over, then drop ${n.subname} in a contract migration.`,
    });
  },
};
