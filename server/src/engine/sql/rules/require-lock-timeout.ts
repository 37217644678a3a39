import type { SqlRule } from '../context';
import { describeLock, isAtLeast, statementLock } from '../locks';

/** Statement kinds that can take a lock worth bounding. */
const LOCKING_KINDS = [
  'AlterTableStmt',
  'IndexStmt',
  'RenameStmt',
  'DropStmt',
  'TruncateStmt',
  'CreateTrigStmt',
  'ClusterStmt',
  'VacuumStmt',
  'ReindexStmt',
  'RefreshMatViewStmt',
  'LockStmt',
];

export const requireLockTimeout: SqlRule = {
  id: 'require-lock-timeout',
  severity: 'warning',
  summary: 'A statement that takes a blocking lock runs with no lock_timeout: waiting behind a long transaction, it blocks all traffic queued behind it.',
  kinds: LOCKING_KINDS,
  check(stmt, ctx, report) {
    const state = ctx.state;
    if (state.lockTimeoutSet || state.lockTimeoutReported || stmt.origin === 'function-body') return;
    const lock = statementLock(stmt, state);
    if (!lock || !isAtLeast(lock.mode, 'SHARE')) return;
    const relation = stmt.node.relation ?? stmt.node.relations?.[0]?.RangeVar;
    if (relation && state.isNewTable({ schema: relation.schemaname, name: relation.relname })) return;
    if (
      stmt.kind === 'DropStmt' &&
      stmt.node.removeType === 'OBJECT_TABLE' &&
      (stmt.node.objects ?? []).every((o: { List?: { items?: { String?: { sval?: string } }[] } }) =>
        state.isNewTable({ name: o.List?.items?.at(-1)?.String?.sval ?? '' }),
      )
    )
      return;
    // Reported once per file: one SET at the top covers every statement after it.
    state.lockTimeoutReported = true;
    const insertAt = stmt.origin === 'file' ? stmt.start : undefined;
    report({
      start: stmt.start,
      end: stmt.tokens[1]?.end ?? stmt.end,
      message: `${describeLock(lock)}, and no lock_timeout is set: while it waits behind a long-running transaction, every query on ${lock.table} queues behind it. Start the migration with SET lock_timeout = '2s' (and retry on timeout).`,
      fixes:
        insertAt === undefined
          ? []
          : [{ title: "Add SET lock_timeout = '2s'", preferred: true, edits: [{ start: insertAt, end: insertAt, newText: "SET lock_timeout = '2s';\n" }] }],
    });
  },
};
