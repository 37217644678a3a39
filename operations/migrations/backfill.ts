/**
 * Runs a declared backfill in key-range batches.
 *
 * Each batch is ONE statement, so one short transaction:
 *
 *   WITH batch AS (UPDATE t SET … WHERE (<the user's WHERE>) AND (t.key > $last AND t.key <= $upper) RETURNING 1)
 *   UPDATE rollout_guard.phases SET rows_done = rows_done + (SELECT count(*) FROM batch), last_key = $upper …
 *
 * The rows and the cursor commit together: a runner killed at any point either committed
 * the batch and its cursor or neither, so a resumed run neither loses nor repeats a batch.
 * `$upper` is the n-th key after `$last`, read just before by an index-only scan outside
 * the transaction. Why key ranges rather than `key IN (SELECT … FOR UPDATE SKIP LOCKED)`:
 * - the UPDATE touches each row once (FOR UPDATE would first lock, i.e. write, every row);
 * - the planner sees both bounds as values and walks the key index over exactly one range;
 * - a batch examines at most n keys however many rows are already done, so its duration
 *   (and how long it holds row locks) stays bounded on a resumed or second pass;
 * - SKIP LOCKED would step over rows the application holds and the cursor would leave
 *   them behind for good; here a batch waits up to lock_timeout and retries instead.
 */
import { sqlState, errorText, type Db } from './db';
import { statementLocation, type UnitContext } from './ddl';
import { LEDGER_TABLE, recordTotal, recordUnits } from './ledger';
import { appliedChecksum, type PlanUnit } from './plan';
import type { BackfillJob, Bound } from './backfill-spec';
import { backoffDelay, sleep } from './sleep';
import { PhaseFailure, RunCancelled, type BackfillOptions, type BackfillProgress } from './types';

export interface BackfillState {
  /** Rows the phase's backfills have updated, over all runs (mirrors the ledger). */
  rowsDone: number;
  /** rowsDone plus rows left: the estimate for progress. */
  rowsTotal: number;
  /** Cursor to resume from (the ledger's last_key), or null to start at the first key. */
  lastKey: string | null;
  /** This run's totals. */
  rows: number;
  batches: number;
  longestBatchMs: number;
}

export interface BackfillContext extends UnitContext {
  options: BackfillOptions;
  state: BackfillState;
  onProgress?: (progress: BackfillProgress) => void;
}

const RETRYABLE: Record<string, string> = {
  '55P03': 'lock_timeout (a row is held by another transaction)',
  '57014': 'statement_timeout (the batch took too long)',
  '40P01': 'deadlock',
  '40001': 'serialization failure',
};

/** Rows the backfill's WHERE still matches, and the first of their keys. */
export async function rowsLeft(db: Db, job: BackfillJob): Promise<{ count: number; first: string | null }> {
  // A full count may take longer than a batch may: its own transaction without statement_timeout.
  await db.query('BEGIN');
  try {
    await db.query(`SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = '10s'`);
    const counted = await db.query<{ count: string }>(job.remainingCountSql);
    const count = Number(counted.rows[0]?.count ?? 0);
    const first = count > 0 ? ((await db.query<{ first: string }>(job.firstRemainingSql)).rows[0]?.first ?? null) : null;
    await db.query('COMMIT');
    return { count, first };
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

function nullKeys(where: string, job: BackfillJob, count: number): PhaseFailure {
  return new PhaseFailure(
    `${where}: the ${count} row(s) left have a NULL ${job.key}, which a walk over the key cannot reach; update them by hand or declare a key without NULLs`,
  );
}

/** Checks that the table and key exist and that an index leads with the key. */
async function checkKey(db: Db, job: BackfillJob, where: string): Promise<void> {
  const { rows } = await db.query<{ has_key: boolean; indexed: boolean }>(
    `SELECT a.attnum IS NOT NULL AS has_key,
            EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
                     WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum AND i.indpred IS NULL AND am.amname = 'btree') AS indexed
       FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND NOT a.attisdropped AND a.attnum > 0
      WHERE c.oid = to_regclass($1)`,
    [job.regclass, job.key],
  );
  const row = rows[0];
  if (!row) throw new PhaseFailure(`${where}: table ${job.table} does not exist (run the expand phase first?)`);
  if (!row.has_key) throw new PhaseFailure(`${where}: table ${job.table} has no column ${job.key} (the backfill's key=)`);
  if (!row.indexed) {
    throw new PhaseFailure(
      `${where}: no btree index on ${job.table} starts with ${job.key}, so every batch would scan the whole table; declare key=<an indexed column> (usually the primary key) or create the index in the expand phase`,
    );
  }
}

/**
 * Walks the backfill's table from the ledger's cursor (or, on a fresh start, from the first
 * key that needs it) to the last key, then makes passes for rows written behind it.
 */
export async function runBackfillUnit(ctx: BackfillContext, unit: PlanUnit, index: number): Promise<void> {
  const { db, phase, options, state } = ctx;
  const job = unit.backfill!;
  const where = statementLocation(phase, unit);
  await checkKey(db, job, where);
  // The progress total, and where a backfill that has not started yet begins.
  const left = await rowsLeft(db, job);
  state.rowsTotal = state.rowsDone + left.count;
  await recordTotal(db, ctx.plan, phase.name, state.rowsTotal);
  ctx.onEvent?.({ type: 'unit', phase: phase.name, index, units: phase.units.length, line: unit.line, sql: unit.statements[0]!.sql });
  // synchronous_commit off: a batch does not wait for its WAL flush, so it releases its row
  // locks sooner. Safe here: a server crash can lose only the last batches, and each loses
  // its rows and its ledger cursor together, so the resumed run redoes exactly those.
  await db.query(
    `SET lock_timeout = '${Math.round(options.lockTimeoutMs)}ms'; SET statement_timeout = '${Math.round(options.maxBatchMs)}ms'; SET synchronous_commit = off`,
  );
  // Resume after the ledger's cursor; else nothing to do, or start at the first row that needs it.
  let walk = state.lastKey === null ? undefined : new BackfillWalk(ctx, job, where, state.lastKey, 'after');
  if (!walk) {
    if (left.count > 0 && left.first === null) throw nullKeys(where, job, left.count);
    if (left.count === 0 || left.first === null) {
      await recordUnits(db, ctx.plan, phase.name, index + 1, appliedChecksum(phase, index + 1));
      return;
    }
    walk = new BackfillWalk(ctx, job, where, left.first, 'from');
  }
  await walk.run();
  await recordUnits(db, ctx.plan, phase.name, index + 1, appliedChecksum(phase, index + 1));
  state.lastKey = null;
  walk.report();
}

/** One walk over a backfill's key, batch by batch: its cursor, batch size, retries, passes and pace. */
class BackfillWalk {
  private size: number;
  private pass = 1;
  private failures = 0;
  /** Smoothed cost of a batch per key, for targetBatchMs. */
  private msPerKey: number | undefined;
  private readonly runStarted = performance.now();
  private rowsThisUnit = 0;
  /** Recent (time, rows) samples for the rate shown in progress. */
  private readonly samples: { at: number; rows: number }[] = [{ at: this.runStarted, rows: 0 }];
  /** The next range, read by the previous batch's statement (saves a round trip per batch). */
  private prefetched: { upper: string | null; keys: number } | undefined;

  constructor(
    private readonly ctx: BackfillContext,
    private readonly job: BackfillJob,
    private readonly where: string,
    private cursor: string,
    /** The walk goes on 'after' the cursor (its row was done), or 'from' it (its row needs doing). */
    private lower: 'after' | 'from',
  ) {
    this.size = this.clampSize(ctx.options.batchSize ?? job.batchSize);
  }

  async run(): Promise<void> {
    this.report();
    for (;;) {
      if (this.ctx.signal?.aborted) throw new RunCancelled();
      const { upper, keys } = await this.nextRange();
      if (upper === null) {
        if (await this.startNextPass()) continue;
        return;
      }
      const done = await this.batch(upper);
      if (!done) continue;
      this.recordBatch(upper, keys, done.rows, done.durationMs);
      this.report();
      await this.pace();
    }
  }

  private get bound(): Bound {
    return { kind: this.lower, param: '$1' };
  }

  private clampSize(n: number): number {
    const { options } = this.ctx;
    let size = Math.max(options.minBatchSize, Math.min(options.maxBatchSize, Math.round(n)));
    if (options.maxRowsPerSecond > 0) size = Math.min(size, Math.max(1, Math.round(options.maxRowsPerSecond)));
    return size;
  }

  private async nextRange(): Promise<{ upper: string | null; keys: number }> {
    const range =
      this.prefetched ??
      (await this.ctx.db.query<{ upper: string | null; keys: number }>(this.job.keyRangeSql(this.bound, '$2'), [this.cursor, this.size])).rows[0];
    this.prefetched = undefined;
    return { upper: range?.upper ?? null, keys: range?.keys ?? 0 };
  }

  /**
   * The cursor reached the last key. Rows written behind it since (by the application, before
   * it writes the new column itself) need another pass: true when one starts, false when done.
   */
  private async startNextPass(): Promise<boolean> {
    const { db, phase, options, state } = this.ctx;
    const left = await rowsLeft(db, this.job);
    if (left.count === 0) return false;
    if (left.first === null) throw nullKeys(this.where, this.job, left.count);
    if (this.pass >= options.maxPasses) {
      throw new PhaseFailure(
        `${this.where}: ${left.count} rows still match the backfill's WHERE after ${this.pass} passes over ${this.job.table}: the application keeps writing rows that need it. Deploy the version that writes the new column (the expand step) before backfilling, then run the backfill again`,
      );
    }
    this.pass++;
    state.rowsTotal = state.rowsDone + left.count;
    await recordTotal(db, this.ctx.plan, phase.name, state.rowsTotal);
    this.ctx.onEvent?.({ type: 'pass', phase: phase.name, table: this.job.table, pass: this.pass, rowsLeft: left.count });
    this.cursor = left.first;
    this.lower = 'from';
    return true;
  }

  /** One batch up to `upper` with its ledger cursor; undefined when it failed and is to be retried. */
  private async batch(upper: string): Promise<{ rows: number; durationMs: number } | undefined> {
    const { db, phase, plan } = this.ctx;
    // Parameters: $1 lower bound, upper bound, plan, phase, next batch size.
    const p = (i: number): string => `$${i + 1}`;
    const sql = `WITH batch AS (${this.job.batchUpdateSql(this.bound, p(1))}),
next_range AS (${this.job.keyRangeSql({ kind: 'after', param: p(1) }, p(4))})
UPDATE ${LEDGER_TABLE}
   SET rows_done = rows_done + (SELECT count(*) FROM batch), last_key = ${p(1)}::text, batches = batches + 1, updated_at = clock_timestamp()
 WHERE plan = ${p(2)} AND phase = ${p(3)}
RETURNING (SELECT count(*) FROM batch)::int AS rows, (SELECT upper FROM next_range) AS next_upper, (SELECT keys FROM next_range) AS next_keys`;
    const started = performance.now();
    try {
      const result = await db.query<{ rows: number; next_upper: string | null; next_keys: number }>(sql, [this.cursor, upper, plan, phase.name, this.size]);
      const row = result.rows[0];
      if (!row) throw new PhaseFailure(`${this.where}: the ledger row of plan ${plan} disappeared during the backfill`);
      this.prefetched = { upper: row.next_upper, keys: row.next_keys };
      return { rows: row.rows, durationMs: performance.now() - started };
    } catch (error) {
      await this.retryAfter(error, upper);
      return undefined;
    }
  }

  /** Waits before retrying a batch that failed on a lock or a timeout; throws any other error, or when the attempts are spent. */
  private async retryAfter(error: unknown, upper: string): Promise<void> {
    const { phase, options, signal } = this.ctx;
    const code = sqlState(error);
    const reason = code && RETRYABLE[code];
    if (!reason)
      throw error instanceof PhaseFailure || !code
        ? error
        : new PhaseFailure(`${this.where}: batch after key ${this.cursor} up to ${upper} failed: ${errorText(error)}`);
    this.failures++;
    if (this.failures >= options.attempts) {
      throw new PhaseFailure(
        `${this.where}: batch after key ${this.cursor} failed ${this.failures} times in a row on ${reason}; last error: ${errorText(error)}`,
      );
    }
    // A batch that hit statement_timeout was too big: halve it. Lock conflicts: back off.
    if (code === '57014') this.size = this.clampSize(this.size / 2);
    const delayMs = code === '57014' ? 0 : backoffDelay(this.failures, 50, 5000);
    this.ctx.onEvent?.({ type: 'batch-retry', phase: phase.name, table: this.job.table, attempt: this.failures, reason, nextBatchSize: this.size, delayMs });
    await sleep(delayMs, signal);
  }

  private recordBatch(upper: string, keys: number, rows: number, durationMs: number): void {
    const { phase, options, state } = this.ctx;
    this.failures = 0;
    this.cursor = upper;
    this.lower = 'after';
    state.lastKey = upper;
    state.rowsDone += rows;
    state.rows += rows;
    state.batches++;
    state.longestBatchMs = Math.max(state.longestBatchMs, durationMs);
    this.rowsThisUnit += rows;
    this.samples.push({ at: performance.now(), rows: this.rowsThisUnit });
    this.ctx.onEvent?.({ type: 'batch', phase: phase.name, table: this.job.table, rows, keys, batchSize: this.size, durationMs, lastKey: upper });
    if (options.targetBatchMs > 0 && keys > 0) {
      // Smoothed cost per key; move at most ×2 or ÷2 per batch so one slow batch cannot swing it.
      const cost = durationMs / keys;
      this.msPerKey = this.msPerKey === undefined ? cost : 0.5 * this.msPerKey + 0.5 * cost;
      this.size = this.clampSize(Math.min(this.size * 2, Math.max(this.size / 2, options.targetBatchMs / this.msPerKey)));
    }
  }

  /** The pause between batches, and no faster than maxRowsPerSecond. */
  private async pace(): Promise<void> {
    const { options, signal } = this.ctx;
    await sleep(options.pauseMs, signal);
    if (options.maxRowsPerSecond > 0) {
      const earliest = (this.rowsThisUnit / options.maxRowsPerSecond) * 1000;
      await sleep(earliest - (performance.now() - this.runStarted), signal);
    }
  }

  report(): void {
    const { onProgress, state } = this.ctx;
    if (!onProgress) return;
    const now = performance.now();
    while (this.samples.length > 2 && now - this.samples[1]!.at > 5000) this.samples.shift();
    const oldest = this.samples[0]!;
    const seconds = (now - oldest.at) / 1000;
    const rowsPerSecond = seconds > 0 ? (this.rowsThisUnit - oldest.rows) / seconds : 0;
    state.rowsTotal = Math.max(state.rowsTotal, state.rowsDone);
    onProgress({
      plan: this.ctx.plan,
      table: this.job.table,
      rowsDone: state.rowsDone,
      rowsTotal: state.rowsTotal,
      rowsPerSecond,
      etaSeconds: rowsPerSecond > 0 ? (state.rowsTotal - state.rowsDone) / rowsPerSecond : undefined,
      batchSize: this.size,
      lastKey: this.cursor,
    });
  }
}
