import type { SqlRule } from '../context';
import { insertAfterWord } from './_shared';
import { objectNames } from '../locks';

export const requireConcurrentIndexDeletion: SqlRule = {
  id: 'require-concurrent-index-deletion',
  severity: 'error',
  summary: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table.',
  kinds: ['DropStmt'],
  check(stmt, _ctx, report) {
    const n = stmt.node;
    if (n.removeType !== 'OBJECT_INDEX' || n.concurrent) return;
    const fix = insertAfterWord(stmt, 'index', ' CONCURRENTLY', 'Add CONCURRENTLY');
    report({
      ...stmt.headRange('index'),
      message: `DROP INDEX ${objectNames(n).join(', ')} takes ACCESS EXCLUSIVE on its table: blocks reads and writes while it waits for running transactions. Use DROP INDEX CONCURRENTLY (one index per statement, outside a transaction).`,
      fixes: fix && (n.objects ?? []).length === 1 ? [fix] : [],
    });
  },
};
