import { unwrap, type RangeVar } from '../ast';
import type { RuleContext, SqlRule } from '../context';
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
    // Tables and indexes created in this file (constraint indexes included), and schemas too: nobody uses them yet.
    if (n.kind === 'REINDEX_OBJECT_SCHEMA' ? ctx.state.isNewSchema(target) : n.relation && isNew(ctx, n.relation)) return;
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

/** REINDEX TABLE or INDEX of a relation the file created: a new table, or an index of one (PostgreSQL takes either name for either). */
function isNew(ctx: RuleContext, relation: RangeVar): boolean {
  return !isExisting(ctx, relation) || ctx.state.isIndexOfNewTable(tableOf(relation));
}
