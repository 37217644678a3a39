import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { alterActions, isExisting, tableOf } from './_shared';

export const requireConcurrentPartitionDetach: SqlRule<'AlterTableStmt'> = {
  id: 'require-concurrent-partition-detach',
  severity: 'warning',
  summary: 'DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table, blocking reads and writes of every partition.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    const parent = stmt.node.relation;
    if (!isExisting(ctx, parent)) return;
    const actions = alterActions(stmt.node);
    for (const action of actions) {
      const partition = action.subtype === 'AT_DetachPartition' ? unwrap(action.cmd.def, 'PartitionCmd') : undefined;
      if (!partition || partition.concurrent) continue;
      const pg14 = ctx.settings.pgVersion >= 14;
      const instead = pg14
        ? 'Use DETACH PARTITION … CONCURRENTLY (outside a transaction, alone in its ALTER TABLE): it takes only SHARE UPDATE EXCLUSIVE, so queries go on.'
        : `PostgreSQL ${ctx.settings.pgVersion} has no DETACH … CONCURRENTLY (14+): detach under a short lock_timeout and retry.`;
      // CONCURRENTLY fails in a transaction block and next to other actions.
      const range = stmt.actionRange(action.index);
      const canFix = pg14 && actions.length === 1 && !ctx.state.inTransaction() && stmt.origin === 'file';
      report({
        ...range,
        message: `Detaching ${tableOf(partition.name)} takes ACCESS EXCLUSIVE on ${tableOf(parent)}, and on the partition too: reads and writes of every partition wait for running transactions to finish, and queue meanwhile. ${instead}`,
        fixes: canFix ? [{ title: 'Add CONCURRENTLY', preferred: true, edits: [{ start: range.end, end: range.end, newText: ' CONCURRENTLY' }] }] : [],
      });
    }
  },
};
