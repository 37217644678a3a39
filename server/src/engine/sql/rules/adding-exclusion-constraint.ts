import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { describeLock } from '../locks';
import { alterActions, isExisting, tableOf } from './_shared';

export const addingExclusionConstraint: SqlRule<'AlterTableStmt'> = {
  id: 'adding-exclusion-constraint',
  severity: 'error',
  summary:
    'Adding an EXCLUDE constraint builds its index and checks every row under ACCESS EXCLUSIVE, blocking reads and writes; there is no NOT VALID or CONCURRENTLY form.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    if (!isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    for (const action of alterActions(stmt.node)) {
      const c = action.subtype === 'AT_AddConstraint' ? unwrap(action.cmd.def, 'Constraint') : undefined;
      if (c?.contype !== 'CONSTR_EXCLUSION') continue;
      const lock = describeLock({ mode: 'ACCESS EXCLUSIVE', table, duration: 'until the index is built and every row checked' });
      report({
        ...stmt.actionRange(action.index),
        message: `Adding EXCLUDE constraint${c.conname ? ` ${c.conname}` : ''}: ${lock}. An exclusion constraint cannot be added NOT VALID or from an index built CONCURRENTLY: declare it when the table is created, or add it to a small table in a maintenance window.`,
      });
    }
  },
};
