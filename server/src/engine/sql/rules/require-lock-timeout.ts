import type { RuleContext, SqlRule, Statement } from '../context';
import { describeLock, isAtLeast, objectNames, statementLock } from '../locks';
import type { PgNode } from '../parse';
import { foldPrevious, isIndexOfNewTable } from './_shared';

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
    if (state.lockTimeoutReported || stmt.origin === 'function-body') return;
    if (lockTimeoutActive(ctx, stmt)) return;
    const lock = statementLock(stmt, state);
    if (!lock || !isAtLeast(lock.mode, 'SHARE')) return;
    const relation = stmt.node.relation ?? stmt.node.relations?.[0]?.RangeVar;
    if (relation && state.isNewTable({ schema: relation.schemaname, name: relation.relname })) return;
    if (stmt.kind === 'DropStmt' && dropsOnlyNewObjects(stmt, ctx)) return;
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

function dropsOnlyNewObjects(stmt: Statement, ctx: RuleContext): boolean {
  const names = objectNames(stmt.node);
  if (stmt.node.removeType === 'OBJECT_TABLE') {
    return names.every((name) => {
      const parts = name.split('.');
      return ctx.state.isNewTable(parts.length > 1 ? { schema: parts[0], name: parts[1]! } : { name: parts[0]! });
    });
  }
  return stmt.node.removeType === 'OBJECT_INDEX' && names.every((name) => isIndexOfNewTable(ctx, name));
}

interface TimeoutState {
  /** Set for the session (SET, set_config(…, false), or in a DO block). */
  session: boolean;
  /** Set with SET LOCAL in the open transaction: gone at COMMIT or ROLLBACK. */
  local: boolean;
}

/** Whether a non-zero lock_timeout applies to this statement, from the statements before it. */
function lockTimeoutActive(ctx: RuleContext, stmt: Statement): boolean {
  const timeout = foldPrevious<TimeoutState>(ctx, 'lock-timeout', () => ({ session: false, local: false }), trackTimeout);
  if (timeout.session || timeout.local) return true;
  // Inside a DO block, a SET earlier in the same block shows only in the block's own state.
  return stmt.origin === 'do-block' && ctx.state.lockTimeoutSet;
}

function trackTimeout(acc: TimeoutState, p: Statement): void {
  const n = p.node;
  switch (p.kind) {
    case 'VariableSetStmt':
      if (n.kind === 'VAR_RESET_ALL' || (n.name === 'lock_timeout' && (n.kind === 'VAR_RESET' || n.kind === 'VAR_SET_DEFAULT'))) {
        acc.session = acc.local = false;
      } else if (n.name === 'lock_timeout' && n.kind === 'VAR_SET_VALUE') {
        apply(acc, !isZero(n.args?.[0]), n.is_local === true);
      }
      break;
    case 'TransactionStmt':
      if (n.kind !== 'TRANS_STMT_BEGIN' && n.kind !== 'TRANS_STMT_START' && n.kind !== 'TRANS_STMT_SAVEPOINT') acc.local = false;
      break;
    case 'SelectStmt': {
      // SELECT set_config('lock_timeout', '2s', false)
      for (const target of n.targetList ?? []) {
        const call = target.ResTarget?.val?.FuncCall;
        const args: PgNode[] = call?.args ?? [];
        if (call?.funcname?.at(-1)?.String?.sval !== 'set_config' || args[0]?.A_Const?.sval?.sval !== 'lock_timeout') continue;
        apply(acc, !isZero(args[1]), args[2]?.A_Const?.boolval?.boolval === true);
      }
      break;
    }
    case 'DoStmt': {
      const body: string = (n.args ?? []).find((a: PgNode) => a.DefElem?.defname === 'as')?.DefElem?.arg?.String?.sval ?? '';
      if (/\bset\s+(session\s+)?lock_timeout\b|set_config\s*\(\s*'lock_timeout'/i.test(body)) acc.session = true;
      break;
    }
  }
}

function apply(acc: TimeoutState, enabled: boolean, local: boolean): void {
  if (local) acc.local = enabled;
  else acc.session = enabled;
  if (!enabled) acc.local = false;
}

/** lock_timeout = 0 (or '0', '0s', '0ms') turns the timeout off. */
function isZero(value: PgNode): boolean {
  const c = value?.A_Const;
  if (!c) return false;
  if (c.ival) return !c.ival.ival;
  return /^\s*0+\s*(ms|s|min|h|d)?\s*$/i.test(c.sval?.sval ?? '');
}
