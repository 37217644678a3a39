import type { SqlRule } from '../context';
import { describeLock } from '../locks';
import { insertAfterWord, isExisting, readsWaitToo, tableOf, whereConcurrentlyRuns } from './_shared';

export const requireConcurrentIndexCreation: SqlRule<'IndexStmt'> = {
  id: 'require-concurrent-index-creation',
  severity: 'error',
  summary: 'CREATE INDEX without CONCURRENTLY blocks writes to the table until the index is built.',
  kinds: ['IndexStmt'],
  check(stmt, ctx, report) {
    const n = stmt.node;
    if (n.concurrent || !isExisting(ctx, n.relation)) return;
    // ON ONLY (inh absent) is how a partitioned parent is indexed: it has no rows, and CONCURRENTLY is not allowed there.
    if (!n.relation?.inh) return;
    const table = tableOf(n.relation);
    // CONCURRENTLY fails inside a transaction block, so the fix would break the migration there.
    const canFix = !ctx.state.inTransaction() && stmt.origin === 'file';
    const fix = canFix ? insertAfterWord(stmt, 'index', ' CONCURRENTLY', 'Add CONCURRENTLY') : undefined;
    // After an ALTER TABLE in the same transaction, its ACCESS EXCLUSIVE lock keeps reads out for the whole build too
    // (taken under the table's old name when the transaction renamed it: synapse's users_in_pubic_room).
    const reads = readsWaitToo(ctx, n.relation);
    report({
      ...stmt.headRange('index'),
      message: `${describeLock({ mode: 'SHARE', table, duration: ctx.state.inTransaction() ? 'until the transaction commits' : 'until the index is built' })}.${reads} Use CREATE INDEX CONCURRENTLY, ${whereConcurrentlyRuns(ctx)}.`,
      fixes: fix ? [fix] : [],
    });
  },
};
