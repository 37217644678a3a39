import { objectNames } from '../ast';
import type { SqlRule } from '../context';
import { insertAfterWord, whereConcurrentlyRuns } from './_shared';

export const requireConcurrentIndexDeletion: SqlRule<'DropStmt'> = {
  id: 'require-concurrent-index-deletion',
  severity: 'error',
  summary: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table.',
  kinds: ['DropStmt'],
  check(stmt, ctx, report) {
    const n = stmt.node;
    if (n.removeType !== 'OBJECT_INDEX' || n.concurrent) return;
    const names = objectNames(n);
    if (names.every((name) => ctx.state.isIndexOfNewTable(name))) return;
    // CONCURRENTLY takes one index and fails inside a transaction block.
    const canFix = names.length === 1 && !ctx.state.inTransaction() && stmt.origin === 'file';
    const fix = canFix ? insertAfterWord(stmt, 'index', ' CONCURRENTLY', 'Add CONCURRENTLY') : undefined;
    report({
      ...stmt.headRange('index'),
      message: `DROP INDEX ${names.join(', ')} takes ACCESS EXCLUSIVE on its table: blocks reads and writes while it waits for running transactions. Use DROP INDEX CONCURRENTLY, one index per statement, ${whereConcurrentlyRuns(ctx)}.`,
      fixes: fix ? [fix] : [],
    });
  },
};
