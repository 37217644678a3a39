import type { SqlRule } from '../context';
import { insertAfterWord, isExisting, tableOf } from './_shared';

export const refreshMaterializedViewBlocking: SqlRule<'RefreshMatViewStmt'> = {
  id: 'refresh-materialized-view-blocking',
  severity: 'warning',
  summary: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view until the refresh is done.',
  kinds: ['RefreshMatViewStmt'],
  check(stmt, ctx, report) {
    const n = stmt.node;
    if (n.concurrent || !isExisting(ctx, n.relation)) return;
    const view = tableOf(n.relation);
    // WITH NO DATA empties the view, which CONCURRENTLY cannot do.
    const fix =
      n.skipData || stmt.origin !== 'file'
        ? undefined
        : insertAfterWord(stmt, 'view', ' CONCURRENTLY', 'Add CONCURRENTLY (needs a unique index on the view)', false);
    report({
      ...stmt.headRange('view'),
      message: n.skipData
        ? `REFRESH … WITH NO DATA takes ACCESS EXCLUSIVE on ${view}, then leaves it unpopulated: every read of it fails until the next refresh.`
        : `REFRESH MATERIALIZED VIEW takes ACCESS EXCLUSIVE on ${view}: every read of it waits until the query behind it has run again. Use REFRESH MATERIALIZED VIEW CONCURRENTLY (EXCLUSIVE: reads go on), which needs a unique index on the view.`,
      fixes: fix ? [fix] : [],
    });
  },
};
