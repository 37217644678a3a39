import type { SqlRule } from '../context';
import { describeLock } from '../locks';
import { insertAfterWord, isExisting, tableOf } from './_shared';

export const requireConcurrentIndexCreation: SqlRule = {
  id: 'require-concurrent-index-creation',
  severity: 'error',
  summary: 'CREATE INDEX without CONCURRENTLY blocks writes to the table until the index is built.',
  kinds: ['IndexStmt'],
  check(stmt, ctx, report) {
    const n = stmt.node;
    if (n.concurrent || !isExisting(ctx, n.relation)) return;
    const table = tableOf(n.relation);
    const fix = insertAfterWord(stmt, 'index', ' CONCURRENTLY', 'Add CONCURRENTLY');
    report({
      ...stmt.headRange('index'),
      message: `${describeLock({ mode: 'SHARE', table, duration: 'until the index is built' })}. Use CREATE INDEX CONCURRENTLY, outside a transaction.`,
      fixes: fix ? [fix] : [],
    });
  },
};
