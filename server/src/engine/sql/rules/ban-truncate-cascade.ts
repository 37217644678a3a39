import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { tableOf } from './_shared';

export const banTruncateCascade: SqlRule<'TruncateStmt'> = {
  id: 'ban-truncate-cascade',
  severity: 'error',
  summary: 'TRUNCATE … CASCADE also empties every table that references this one, recursively.',
  kinds: ['TruncateStmt'],
  destructive: true,
  check(stmt, _ctx, report) {
    if (stmt.node.behavior !== 'DROP_CASCADE') return;
    const cascade = stmt.findWord('cascade');
    const tables = (stmt.node.relations ?? []).map((r) => tableOf(unwrap(r, 'RangeVar'))).join(', ');
    report({
      ...(cascade ?? stmt.headRange('truncate')),
      message: `TRUNCATE ${tables} CASCADE also empties every table with a foreign key to it, and theirs in turn, under ACCESS EXCLUSIVE locks that block reads and writes. Name each table to truncate explicitly, or delete the rows you mean in batches.`,
    });
  },
};
