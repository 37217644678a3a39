import { objectNames } from '../ast';
import type { SqlRule } from '../context';

export const banDropTable: SqlRule<'DropStmt'> = {
  id: 'ban-drop-table',
  severity: 'error',
  summary: 'Dropping a table breaks the running version that still queries it.',
  kinds: ['DropStmt'],
  destructive: true,
  check(stmt, ctx, report) {
    // Dropping what the plan replaced is the point of the contract phase (column-still-referenced checks the code).
    if (ctx.state.phase === 'contract') return;
    if (stmt.node.removeType !== 'OBJECT_TABLE') return;
    const names = objectNames(stmt.node);
    // Each name after DROP TABLE [IF EXISTS], separated by commas.
    const keyword = stmt.findWord('table');
    const nameTokens = stmt.tokens.filter((t) => keyword && t.start > keyword.end && (t.kind === 'word' || t.kind === 'quoted'));
    let searchFrom = keyword?.end ?? stmt.start;
    names.forEach((name) => {
      const parts = name.split('.');
      const ref = parts.length > 1 ? { schema: parts[0], name: parts[1]! } : { name: parts[0]! };
      const token = nameTokens.find((t) => t.start >= searchFrom && t.text === parts[0]);
      const range = token ? stmt.nameRange(token.start) : stmt.headRange('table');
      searchFrom = range.end;
      // A name this file gave a live table (river: RENAME TO river_migration_old, then DROP): the running version does not
      // use it, and renaming-table reports the rename.
      if (ctx.state.isNewTable(ref) || ctx.state.renamedLiveTable(ref)) return;
      report({
        ...range,
        message: `Dropping table ${name} breaks the version still running, whose queries name it; ACCESS EXCLUSIVE on ${name}: blocks reads and writes while it waits for running transactions. Remove every use from the application, deploy, then drop it in a later contract migration.`,
      });
    });
  },
};
