/**
 * Runs the statements of a phase that are not declared backfills: each unit in its own
 * transaction together with its ledger update (so a crash never leaves a unit applied but
 * unrecorded), under `lock_timeout` and `statement_timeout`, retried with exponential
 * backoff when its lock is not available in time.
 */
import path from 'node:path';
import { errorText, sqlState, type Db } from './db';
import { recordUnits } from './ledger';
import { appliedChecksum, type PlanPhase, type PlanStatement, type PlanUnit } from './plan';
import { backoffDelay, sleep } from './sleep';
import { PhaseFailure, RunCancelled, type DdlOptions, type RunEvent } from './types';

export interface UnitContext {
  db: Db;
  plan: string;
  phase: PlanPhase;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';

/** `expand.sql:12`: where a statement is, for messages. */
export function statementLocation(phase: PlanPhase, statement: { line: number }): string {
  return `${path.basename(phase.file)}:${statement.line}`;
}

export async function runSqlUnit(ctx: UnitContext, unit: PlanUnit, index: number, options: DdlOptions): Promise<void> {
  const { db, phase, signal } = ctx;
  const first = unit.statements[0]!;
  // SET LOCAL ends with the unit's transaction; a unit that cannot have one sets the session.
  const set = unit.transactional ? 'SET LOCAL' : 'SET';
  const timeouts = `${set} lock_timeout = '${Math.round(options.lockTimeoutMs)}ms'; ${set} statement_timeout = '${Math.round(options.statementTimeoutMs)}ms'`;
  const onAbort = (): void => void db.cancelRunningStatement().catch(() => {});
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new RunCancelled();
    ctx.onEvent?.({ type: 'unit', phase: phase.name, index, units: phase.units.length, line: first.line, sql: first.sql });
    let current: PlanStatement = first;
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (unit.transactional) {
        await db.query('BEGIN');
        await db.query(timeouts);
        for (const statement of unit.statements) {
          if (signal?.aborted) throw new RunCancelled();
          current = statement;
          await db.query(statement.sql);
        }
        await recordUnits(db, ctx.plan, phase.name, index + 1, appliedChecksum(phase, index + 1));
        await db.query('COMMIT');
      } else {
        // CREATE INDEX CONCURRENTLY and friends refuse a transaction block: run alone, then record.
        await db.query(timeouts);
        // A CREATE INDEX CONCURRENTLY that failed (in an earlier attempt or run) left an invalid
        // index behind, which IF NOT EXISTS would take for done.
        if (first.concurrentIndex) await dropInvalidIndex(db, first.concurrentIndex);
        await db.query(first.sql);
        await recordUnits(db, ctx.plan, phase.name, index + 1, appliedChecksum(phase, index + 1));
      }
      return;
    } catch (error) {
      if (unit.transactional) await db.query('ROLLBACK').catch(() => {});
      const state = sqlState(error);
      if (state === undefined) throw error;
      if (signal?.aborted && state === QUERY_CANCELED) throw new RunCancelled();
      if (state === LOCK_NOT_AVAILABLE && attempt < options.attempts) {
        const delayMs = backoffDelay(attempt, options.initialDelayMs, options.maxDelayMs);
        ctx.onEvent?.({ type: 'lock-retry', phase: phase.name, line: current.line, attempt, attempts: options.attempts, delayMs, message: errorText(error) });
        await sleep(delayMs, signal);
        continue;
      }
      const where = statementLocation(phase, current);
      if (state === LOCK_NOT_AVAILABLE) {
        throw new PhaseFailure(
          `${where}: could not get its lock within lock_timeout ${options.lockTimeoutMs} ms in ${attempt} attempts: a long-running transaction holds a conflicting lock (see pg_stat_activity / pg_locks); try again later or raise the lock timeout or attempts`,
        );
      }
      if (state === QUERY_CANCELED) throw new PhaseFailure(`${where}: ${errorText(error)} (statement_timeout ${options.statementTimeoutMs} ms)`);
      throw new PhaseFailure(`${where}: ${errorText(error)}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** Drops the invalid index a failed CREATE INDEX CONCURRENTLY left behind. */
async function dropInvalidIndex(db: Db, name: string): Promise<void> {
  const { rows } = await db.query<{ invalid: boolean }>(`SELECT NOT i.indisvalid AS invalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`, [name]);
  if (rows[0]?.invalid) await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
}
