import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { insertAfterWord, isExisting, tableOf } from './_shared';

/** The word naming what REINDEX rebuilds; REINDEX SYSTEM cannot run CONCURRENTLY. */
const KIND_WORDS = {
  REINDEX_OBJECT_INDEX: 'index',
  REINDEX_OBJECT_TABLE: 'table',
  REINDEX_OBJECT_SCHEMA: 'schema',
  REINDEX_OBJECT_DATABASE: 'database',
} as const;

export const requireConcurrentReindex: SqlRule<'ReindexStmt'> = {
  id: 'require-concurrent-reindex',
  severity: 'error',
  summary: 'REINDEX without CONCURRENTLY blocks writes to the table and, through the planner, nearly every query on it until the indexes are rebuilt.',
  kinds: ['ReindexStmt'],
  check(stmt, ctx, report) {
    const n = stmt.node;
    const word = n.kind && n.kind in KIND_WORDS ? KIND_WORDS[n.kind as keyof typeof KIND_WORDS] : undefined;
    if (!word || (n.params ?? []).some((p) => unwrap(p, 'DefElem')?.defname === 'concurrently')) return;
    const target = n.relation ? tableOf(n.relation) : (n.name ?? '');
    if (n.kind === 'REINDEX_OBJECT_TABLE' && !isExisting(ctx, n.relation)) return;
    if (n.kind === 'REINDEX_OBJECT_INDEX' && ctx.state.isIndexOfNewTable(target)) return;
    const what =
      n.kind === 'REINDEX_OBJECT_INDEX'
        ? `ACCESS EXCLUSIVE on ${target} (the index) and SHARE on its table`
        : n.kind === 'REINDEX_OBJECT_TABLE'
          ? `SHARE on ${target}, and ACCESS EXCLUSIVE on its indexes one at a time`
          : `a SHARE lock on each table of ${word} ${target}, and an ACCESS EXCLUSIVE lock on each of their indexes`;
    const pg12 = ctx.settings.pgVersion >= 12;
    const instead = pg12
      ? `Use REINDEX ${word.toUpperCase()} CONCURRENTLY, outside a transaction.`
      : `PostgreSQL ${ctx.settings.pgVersion} has no REINDEX CONCURRENTLY (12+): build a copy with CREATE INDEX CONCURRENTLY and drop the old index with DROP INDEX CONCURRENTLY.`;
    // CONCURRENTLY fails inside a transaction block (a DO block is one).
    const canFix = pg12 && !ctx.state.inTransaction() && stmt.origin === 'file';
    const fix = canFix ? insertAfterWord(stmt, word, ' CONCURRENTLY', 'Add CONCURRENTLY') : undefined;
    report({
      ...stmt.headRange(word),
      message: `REINDEX takes ${what}: writes wait until the indexes are rebuilt, and so do queries, since the planner locks every index of a table. ${instead}`,
      fixes: fix ? [fix] : [],
    });
  },
};
