import { stringOf, unwrap } from '../ast';
import type { SqlRule } from '../context';
import { alterActions, columnConstraints, ident, isExisting, tableOf } from './_shared';

export const disallowedUniqueConstraint: SqlRule<'AlterTableStmt'> = {
  id: 'disallowed-unique-constraint',
  severity: 'error',
  summary: 'Adding a UNIQUE constraint builds its index under an ACCESS EXCLUSIVE lock.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    if (!isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    for (const action of alterActions(stmt.node)) {
      const c = unwrap(action.cmd.def, 'Constraint');
      const column = action.subtype === 'AT_AddColumn' ? unwrap(action.cmd.def, 'ColumnDef') : undefined;
      const viaColumn = columnConstraints(column).some((k) => k.contype === 'CONSTR_UNIQUE');
      const viaConstraint = action.subtype === 'AT_AddConstraint' && c?.contype === 'CONSTR_UNIQUE' && !c.indexname;
      if (!viaColumn && !viaConstraint) continue;
      // The name PostgreSQL would choose: <table>_<columns>_key.
      const columns = viaColumn ? [column?.colname] : (c?.keys ?? []).map(stringOf);
      const name = c?.conname ?? ident(`${stmt.node.relation?.relname}_${columns.join('_')}_key`);
      const steps = viaColumn
        ? `Add the column without UNIQUE, build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ${name} UNIQUE USING INDEX <index>.`
        : `Build the index first with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ${name} UNIQUE USING INDEX <index>.`;
      report({
        ...stmt.actionRange(action.index),
        message: `Adding a UNIQUE constraint: ACCESS EXCLUSIVE on ${table}: blocks reads and writes until the index is built. ${steps}`,
      });
    }
  },
};
