import { unwrap } from '../ast';
import { tableRef, type FileState, type SqlRule } from '../context';
import type { LockMode } from '../lock-modes';
import { sameTable } from '../schema';
import { refOfName } from '../state';
import { briefIf, holdsUpQueries, LOCK_BLOCKS, referencedLiveTables, statementLock, type LockInfo } from '../locks';
import { LOCKING_KINDS } from './require-lock-timeout';
import { refusedInTransaction } from './_shared';

export const requireStatementTimeout: SqlRule<(typeof LOCKING_KINDS)[number]> = {
  id: 'require-statement-timeout',
  severity: 'info',
  summary:
    'A statement that holds a blocking lock while it rewrites, scans or indexes a table runs with no statement_timeout: on a large table that is an outage as long as the work.',
  kinds: LOCKING_KINDS,
  // One SET statement_timeout at the top covers every statement after it.
  oncePerFile: true,
  check(stmt, ctx, report) {
    const state = ctx.state;
    // A statement PostgreSQL refuses to run there does no work (ban-concurrent-index-creation-in-transaction says so).
    if (stmt.origin === 'function-body' || state.statementTimeoutActive() || refusedInTransaction(stmt, ctx)) return;
    const node = stmt.node;
    const relation = 'relation' in node ? node.relation : 'relations' in node ? unwrap(node.relations?.[0], 'RangeVar') : undefined;
    let lock: LockInfo | undefined;
    if (relation && state.isNewTable(tableRef(relation))) {
      // Nobody uses a table this file created; but the rows of one it filled from a query are checked against a new
      // foreign key while the live referenced tables are locked.
      const referenced = state.isFilledNewTable(tableRef(relation)) ? referencedLiveTables(stmt, state, { checkedOnly: true }) : [];
      if (!referenced.length) return;
      lock = { mode: 'SHARE ROW EXCLUSIVE', table: referenced.join(' and '), duration: 'while every row is checked', whileWorking: true };
    } else lock = statementLock(stmt, state);
    if (!lock?.whileWorking) return;
    // Work that alone lets traffic go on (VALIDATE CONSTRAINT) holds it up when an earlier statement of the transaction
    // took a blocking lock on the table: that lock stays held while this statement works.
    const blocks = holdsUpQueries(stmt.parsed.kind, lock.mode);
    const earlier = blocks ? undefined : blockingLockHeld(state, lock.table);
    if (!blocks && !earlier) return;
    const holding = earlier
      ? `an earlier statement of the transaction took ${earlier} on ${lock.table}, held until COMMIT, and this statement works for as long as it takes (${LOCK_BLOCKS[earlier]} meanwhile)`
      : `this statement holds ${lock.mode} on ${lock.table} for as long as its work takes (${LOCK_BLOCKS[lock.mode]})`;
    const insertAt = stmt.origin === 'file' ? stmt.start : undefined;
    // Brief after all when an earlier migration made the column's type one this changes without a rewrite (or a CHECK proves NOT NULL).
    const brief = stmt.origin === 'file' ? briefIf(stmt, state) : undefined;
    report({
      start: stmt.start,
      end: stmt.tokens[1]?.end ?? stmt.end,
      message: `No statement_timeout is set, and ${holding}: if the table is larger than expected, nothing stops it. Start the migration with SET statement_timeout = '5s' so that a statement that runs long fails instead of blocking traffic; lock_timeout only bounds the wait for the lock.`,
      fixes:
        insertAt === undefined
          ? []
          : [
              {
                title: "Add SET statement_timeout = '5s'",
                preferred: true,
                edits: [{ start: insertAt, end: insertAt, newText: "SET statement_timeout = '5s';\n" }],
              },
            ],
      ...(brief ? { unlessEarlier: state.unlessEarlier(brief) } : {}),
    });
  },
};

/** The strongest lock that blocks queries which the transaction holds on `table` (taken by an earlier statement), if any. */
function blockingLockHeld(state: FileState, table: string): LockMode | undefined {
  if (!state.inTransaction()) return undefined;
  const on = (l: { table: string }): boolean => sameTable(refOfName(l.table), refOfName(table));
  if (state.exclusiveLocks.some((l) => !l.dropped && on(l))) return 'ACCESS EXCLUSIVE';
  return state.writeLocks.find(on)?.mode;
}
