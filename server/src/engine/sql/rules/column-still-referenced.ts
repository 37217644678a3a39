import type { SqlRule } from '../context';
import { alterActions, tableOf } from './_shared';

export const columnStillReferenced: SqlRule<'AlterTableStmt' | 'RenameStmt'> = {
  id: 'column-still-referenced',
  severity: 'warning',
  summary: 'A contract step drops or renames a column that the application code still uses.',
  kinds: ['AlterTableStmt', 'RenameStmt'],
  check(stmt, ctx, report) {
    if (ctx.state.phase !== 'contract' || !ctx.codeIndex) return;
    const table = tableOf(stmt.node.relation);
    const { kind, node: n } = stmt.parsed;
    const columns =
      kind === 'RenameStmt'
        ? n.renameType === 'OBJECT_COLUMN'
          ? [{ name: n.subname ?? '', range: { start: stmt.findWord('rename')?.start ?? stmt.start, end: stmt.end }, verb: 'renames' }]
          : []
        : alterActions(n)
            .filter((a) => a.subtype === 'AT_DropColumn')
            .map((a) => ({ name: a.cmd.name ?? '', range: stmt.actionRange(a.index), verb: 'drops' }));
    for (const column of columns) {
      const references = ctx.codeIndex.references(column.name);
      if (!references.length) continue;
      const files = new Set(references.map((r) => r.file)).size;
      report({
        ...column.range,
        message: `This contract step ${column.verb} ${table}.${column.name}, but the application code still uses \`${column.name}\` (${references.length}${references.length >= 20 ? '+' : ''} place${references.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}): the version running when it applies would fail. Remove those uses, deploy, then contract.`,
        related: references,
      });
    }
  },
};
