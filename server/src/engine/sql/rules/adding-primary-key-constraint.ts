import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { alterActions, columnConstraints, isExisting, tableOf } from './_shared';

export const addingPrimaryKeyConstraint: SqlRule<'AlterTableStmt'> = {
  id: 'adding-primary-key-constraint',
  severity: 'error',
  summary: 'Adding a PRIMARY KEY builds its index (and may set NOT NULL) under an ACCESS EXCLUSIVE lock.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    if (!isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    for (const action of alterActions(stmt.node)) {
      const c = unwrap(action.cmd.def, 'Constraint');
      const viaConstraint = action.subtype === 'AT_AddConstraint' && c?.contype === 'CONSTR_PRIMARY' && !c.indexname;
      const viaColumn = action.subtype === 'AT_AddColumn' && columnConstraints(unwrap(action.cmd.def, 'ColumnDef')).some((k) => k.contype === 'CONSTR_PRIMARY');
      if (!viaConstraint && !viaColumn) continue;
      report({
        ...stmt.actionRange(action.index),
        message: `Adding a PRIMARY KEY: ACCESS EXCLUSIVE on ${table}: blocks reads and writes until the index is built and every row checked NOT NULL. Build a unique index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … PRIMARY KEY USING INDEX <index>.`,
      });
    }
  },
};
