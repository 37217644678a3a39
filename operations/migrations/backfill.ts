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
  const { db, phase, options, state, signal } = ctx;
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

  const clampSize = (n: number): number => {
    let size = Math.max(options.minBatchSize, Math.min(options.maxBatchSize, Math.round(n)));
    if (options.maxRowsPerSecond > 0) size = Math.min(size, Math.max(1, Math.round(options.maxRowsPerSecond)));
    return size;
  };
  let size = clampSize(options.batchSize ?? job.batchSize);
  let cursor: string | null = state.lastKey;
  let lower: 'start' | 'after' | 'from' = cursor === null ? 'start' : 'after';
  if (cursor === null) {
    // Nothing to do, or skip straight to the first row that needs it.
    if (left.count > 0 && left.first === null) throw nullKeys(where, job, left.count);
    if (left.count === 0 || left.first === null) {
      await recordUnits(db, ctx.plan, phase.name, index + 1, appliedChecksum(phase, index + 1));
      return;
    }
    cursor = left.first;
    lower = 'from';
  }
  let pass = 1;
  let failures = 0;
  let msPerKey: number | undefined;
  const runStarted = performance.now();
  let rowsThisUnit = 0;
  // Recent (time, rows) samples for the rate shown in progress.
  const samples: { at: number; rows: number }[] = [{ at: runStarted, rows: 0 }];

  const report = (): void => {
    if (!ctx.onProgress) return;
    const now = performance.now();
    while (samples.length > 2 && now - samples[1]!.at > 5000) samples.shift();
    const oldest = samples[0]!;
    const seconds = (now - oldest.at) / 1000;
    const rowsPerSecond = seconds > 0 ? (rowsThisUnit - oldest.rows) / seconds : 0;
    state.rowsTotal = Math.max(state.rowsTotal, state.rowsDone);
    ctx.onProgress({
      plan: ctx.plan,
      table: job.table,
      rowsDone: state.rowsDone,
      rowsTotal: state.rowsTotal,
      rowsPerSecond,
      etaSeconds: rowsPerSecond > 0 ? (state.rowsTotal - state.rowsDone) / rowsPerSecond : undefined,
      batchSize: size,
      lastKey: cursor,
    });
  };
  report();

  // The next range, read by the previous batch's statement (saves a round trip per batch).
  let prefetched: { upper: string | null; keys: number } | undefined;
  for (;;) {
    if (signal?.aborted) throw new RunCancelled();
    const bound: Bound = lower === 'start' ? { kind: 'start' } : { kind: lower, param: '$1' };
    const range: { upper: string | null; keys: number } | undefined =
      prefetched ??
      (
        await db.query<{ upper: string | null; keys: number }>(
          job.keyRangeSql(bound, lower === 'start' ? '$1' : '$2'),
          lower === 'start' ? [size] : [cursor, size],
        )
      ).rows[0];
    prefetched = undefined;
    const upper: string | null = range?.upper ?? null;
    const keys = range?.keys ?? 0;
    if (upper === null) {
      // The cursor reached the last key. Rows written behind it since (by the application,
      // before it writes the new column itself) need another pass.
      const left = await rowsLeft(db, job);
      if (left.count === 0) break;
      if (left.first === null) throw nullKeys(where, job, left.count);
      if (pass >= options.maxPasses) {
        throw new PhaseFailure(
          `${where}: ${left.count} rows still match the backfill's WHERE after ${pass} passes over ${job.table}: the application keeps writing rows that need it. Deploy the version that writes the new column (the expand step) before backfilling, then run the backfill again`,
        );
      }
      pass++;
      state.rowsTotal = state.rowsDone + left.count;
      await recordTotal(db, ctx.plan, phase.name, state.rowsTotal);
      ctx.onEvent?.({ type: 'pass', phase: phase.name, table: job.table, pass, rowsLeft: left.count });
      cursor = left.first;
      lower = 'from';
      continue;
    }

    // Parameters: [$1 lower bound,] upper bound, plan, phase, next batch size.
    const values = lower === 'start' ? [upper, ctx.plan, phase.name, size] : [cursor, upper, ctx.plan, phase.name, size];
    const p = (i: number): string => `$${i + (lower === 'start' ? 0 : 1)}`;
    const sql = `WITH batch AS (${job.batchUpdateSql(bound, p(1))}),
next_range AS (${job.keyRangeSql({ kind: 'after', param: p(1) }, p(4))})
UPDATE ${LEDGER_TABLE}
   SET rows_done = rows_done + (SELECT count(*) FROM batch), last_key = ${p(1)}::text, batches = batches + 1, updated_at = clock_timestamp()
 WHERE plan = ${p(2)} AND phase = ${p(3)}
RETURNING (SELECT count(*) FROM batch)::int AS rows, (SELECT upper FROM next_range) AS next_upper, (SELECT keys FROM next_range) AS next_keys`;
    const started = performance.now();
    let rows: number;
    try {
      const result = await db.query<{ rows: number; next_upper: string | null; next_keys: number }>(sql, values);
      const row = result.rows[0];
      if (!row) throw new PhaseFailure(`${where}: the ledger row of plan ${ctx.plan} disappeared during the backfill`);
      rows = row.rows;
      prefetched = { upper: row.next_upper, keys: row.next_keys };
    } catch (error) {
      const code = sqlState(error);
      const reason = code && RETRYABLE[code];
      if (!reason)
        throw error instanceof PhaseFailure || !code
          ? error
          : new PhaseFailure(`${where}: batch after key ${cursor ?? '(start)'} up to ${upper} failed: ${errorText(error)}`);
      failures++;
      if (failures >= options.attempts) {
        throw new PhaseFailure(
          `${where}: batch after key ${cursor ?? '(start)'} failed ${failures} times in a row on ${reason}; last error: ${errorText(error)}`,
        );
      }
      // A batch that hit statement_timeout was too big: halve it. Lock conflicts: back off.
      if (code === '57014') size = clampSize(size / 2);
      const delayMs = code === '57014' ? 0 : backoffDelay(failures, 50, 5000);
      ctx.onEvent?.({ type: 'batch-retry', phase: phase.name, table: job.table, attempt: failures, reason, nextBatchSize: size, delayMs });
      await sleep(delayMs, signal);
      continue;
    }
    const durationMs = performance.now() - started;
    failures = 0;
    cursor = upper;
    lower = 'after';
    state.lastKey = cursor;
    state.rowsDone += rows;
    state.rows += rows;
    state.batches++;
    state.longestBatchMs = Math.max(state.longestBatchMs, durationMs);
    rowsThisUnit += rows;
    samples.push({ at: performance.now(), rows: rowsThisUnit });
    ctx.onEvent?.({ type: 'batch', phase: phase.name, table: job.table, rows, keys, batchSize: size, durationMs, lastKey: upper });

    if (options.targetBatchMs > 0 && keys > 0) {
      // Smoothed cost per key; move at most ×2 or ÷2 per batch so one slow batch cannot swing it.
      const cost = durationMs / keys;
      msPerKey = msPerKey === undefined ? cost : 0.5 * msPerKey + 0.5 * cost;
      size = clampSize(Math.min(size * 2, Math.max(size / 2, options.targetBatchMs / msPerKey)));
    }
    report();
    await sleep(options.pauseMs, signal);
    if (options.maxRowsPerSecond > 0) {
      const earliest = (rowsThisUnit / options.maxRowsPerSecond) * 1000;
      await sleep(earliest - (performance.now() - runStarted), signal);
    }
  }
  await recordUnits(db, ctx.plan, phase.name, index + 1, appliedChecksum(phase, index + 1));
  state.lastKey = null;
  report();
}
