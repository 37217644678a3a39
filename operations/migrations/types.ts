import type { PhaseName } from './plan';

/** How DDL statements (every statement that is not a declared backfill) are run. */
export interface DdlOptions {
  /** `lock_timeout` per statement: how long it may queue for its lock (and block traffic queued behind it). */
  lockTimeoutMs: number;
  /** `statement_timeout` per statement; 0 for none. */
  statementTimeoutMs: number;
  /** Attempts per statement when its lock is not available in time (55P03), the first included. */
  attempts: number;
  /** Wait before the second attempt; doubles each attempt, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_DDL_OPTIONS: DdlOptions = {
  lockTimeoutMs: 2000,
  statementTimeoutMs: 15 * 60_000,
  attempts: 10,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
};

/** How a declared backfill walks its table. */
export interface BackfillOptions {
  /** Keys per batch to start with; default: the declaration's batch=. */
  batchSize?: number;
  minBatchSize: number;
  maxBatchSize: number;
  /** Adapt the batch size so that a batch takes about this long; 0 keeps the size fixed. */
  targetBatchMs: number;
  /** `statement_timeout` of a batch: row locks are never held longer; a batch that hits it is retried at half the size. 0 for none. */
  maxBatchMs: number;
  /** `lock_timeout` of a batch (waiting for a row the application holds). */
  lockTimeoutMs: number;
  /** Pause between batches. */
  pauseMs: number;
  /** Upper bound on rows updated per second; 0 for none. */
  maxRowsPerSecond: number;
  /** Attempts per batch on lock timeout, statement timeout, deadlock or serialization failure. */
  attempts: number;
  /** Walks over the table before giving up when rows keep appearing behind the cursor. */
  maxPasses: number;
}

export const DEFAULT_BACKFILL_OPTIONS: BackfillOptions = {
  minBatchSize: 50,
  maxBatchSize: 100_000,
  targetBatchMs: 50,
  maxBatchMs: 200,
  lockTimeoutMs: 100,
  pauseMs: 0,
  maxRowsPerSecond: 0,
  attempts: 10,
  maxPasses: 5,
};

export interface BackfillProgress {
  plan: string;
  table: string;
  /** Rows updated by the backfill so far, over all runs. */
  rowsDone: number;
  /** rowsDone plus the rows left when this run (or pass) started: an estimate. */
  rowsTotal: number;
  /** Recent rate (last few seconds) of this run. */
  rowsPerSecond: number;
  /** Seconds left at the recent rate; undefined before a rate is known. */
  etaSeconds: number | undefined;
  batchSize: number;
  lastKey: string | null;
}

export type RunEvent =
  | { type: 'unit'; phase: PhaseName; index: number; units: number; line: number; sql: string }
  | { type: 'skip'; phase: PhaseName; units: number; reason: string }
  | { type: 'lock-retry'; phase: PhaseName; line: number; attempt: number; attempts: number; delayMs: number; message: string }
  | { type: 'batch'; phase: PhaseName; table: string; rows: number; keys: number; batchSize: number; durationMs: number; lastKey: string }
  | { type: 'batch-retry'; phase: PhaseName; table: string; attempt: number; reason: string; nextBatchSize: number; delayMs: number }
  | { type: 'pass'; phase: PhaseName; table: string; pass: number; rowsLeft: number }
  | { type: 'flag-resume'; phase: PhaseName; flag: string; environment: string; percent: number; at: Date }
  | { type: 'flag-step'; phase: PhaseName; flag: string; environment: string; percent: number; step: number; steps: number }
  | { type: 'flag-wait'; phase: PhaseName; flag: string; environment: string; percent: number; next: number; interval: string }
  | { type: 'flag-gate'; phase: PhaseName; flag: string; verdict: 'pass' | 'fail' | 'no-data' | 'not-configured'; reason: string }
  | { type: 'flag-killed'; phase: PhaseName; flag: string; environment: string; reason: string };

export type RunOutcome = 'applied' | 'already-applied' | 'refused' | 'failed' | 'cancelled';

export interface RunResult {
  outcome: RunOutcome;
  plan: string;
  phase: PhaseName;
  /** One line for people: what happened, or why not. */
  message: string;
  durationMs: number;
  /** Rows the backfill updated in this run. */
  rows: number;
  batches: number;
  /** Longest batch transaction of this run (row locks are held at most this long). */
  longestBatchMs: number;
}

/** The phase stopped on an error; the message names the file and line. */
export class PhaseFailure extends Error {
  override name = 'PhaseFailure';
}

/** The run was cancelled through its AbortSignal. */
export class RunCancelled extends Error {
  override name = 'RunCancelled';
  constructor() {
    super('cancelled');
  }
}
