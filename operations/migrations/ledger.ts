/**
 * The ledger in the database (schema rollout_guard): one row per plan and phase with its
 * status, the checksum of the SQL it ran, start and end, units done, backfill rows and
 * cursor. Plus the advisory lock that lets one runner at a time work on a plan.
 */
import type { Db } from './db';
import type { PhaseName } from './plan';

export type LedgerStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface LedgerRow {
  plan: string;
  phase: PhaseName;
  status: LedgerStatus;
  /** The file the phase was run from, as the plan names it. */
  file: string;
  /** sha256 of the phase SQL the last run used. */
  checksum: string;
  startedAt: Date;
  finishedAt: Date | null;
  updatedAt: Date;
  /** Units (statements, blocks, backfills) finished. */
  unitsDone: number;
  /** Checksum of the SQL of the units finished (see appliedChecksum). */
  appliedChecksum: string;
  rowsDone: number;
  /** Rows done plus rows left, as estimated at the start of the last run. */
  rowsTotal: number | null;
  /** Backfill cursor: the last key of the last committed batch, as text. */
  lastKey: string | null;
  batches: number;
  error: string | null;
  /** Who ran it last: application name, pid and host of the runner. */
  runner: string | null;
}

export const LEDGER_TABLE = 'rollout_guard.phases';
/** The switch phase's flag ramp: one row per step set, gate failure or kill. */
export const FLAG_STEPS_TABLE = 'rollout_guard.flag_steps';

/** Creates the schema and tables if they are missing; safe when runners start together. */
export async function ensureLedger(db: Db): Promise<void> {
  const exists = await db.query<{ exists: boolean }>(
    `SELECT to_regclass('${LEDGER_TABLE}') IS NOT NULL AND to_regclass('${FLAG_STEPS_TABLE}') IS NOT NULL AS exists`,
  );
  if (exists.rows[0]?.exists) return;
  await db.query('BEGIN');
  try {
    // Concurrent CREATE … IF NOT EXISTS can still collide in the catalogue: serialise.
    await db.query(`SELECT pg_advisory_xact_lock(hashtext('rollout_guard'), 0)`);
    await db.query(`
      CREATE SCHEMA IF NOT EXISTS rollout_guard;
      CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
        plan text NOT NULL,
        phase text NOT NULL CHECK (phase IN ('expand', 'backfill', 'switch', 'contract')),
        status text NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
        file text NOT NULL,
        checksum text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        units_done integer NOT NULL DEFAULT 0,
        applied_checksum text NOT NULL DEFAULT '',
        rows_done bigint NOT NULL DEFAULT 0,
        rows_total bigint,
        last_key text,
        batches bigint NOT NULL DEFAULT 0,
        error text,
        runner text,
        PRIMARY KEY (plan, phase)
      );
      COMMENT ON TABLE ${LEDGER_TABLE} IS 'Rollout Guard migration ledger: one row per plan and phase. Written by rollout-guard migrate; do not edit by hand.';
      CREATE TABLE IF NOT EXISTS ${FLAG_STEPS_TABLE} (
        id bigserial PRIMARY KEY,
        plan text NOT NULL,
        flag text NOT NULL,
        environment text NOT NULL,
        percent integer NOT NULL CHECK (percent BETWEEN 0 AND 100),
        action text NOT NULL CHECK (action IN ('step', 'killed')),
        reason text,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        runner text
      );
      CREATE INDEX IF NOT EXISTS flag_steps_plan ON ${FLAG_STEPS_TABLE} (plan, id);
      COMMENT ON TABLE ${FLAG_STEPS_TABLE} IS 'Rollout Guard migration ledger: the switch phase''s flag ramp, one row per step. Written by rollout-guard migrate; do not edit by hand.';`);
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

interface RawRow {
  plan: string;
  phase: PhaseName;
  status: LedgerStatus;
  file: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  updated_at: Date;
  units_done: number;
  applied_checksum: string;
  rows_done: string;
  rows_total: string | null;
  last_key: string | null;
  batches: string;
  error: string | null;
  runner: string | null;
}

/** The plan's rows by phase; empty when the ledger does not exist yet (nothing is created). */
export async function readLedger(db: Db, plan: string): Promise<Map<PhaseName, LedgerRow>> {
  const exists = await db.query<{ exists: boolean }>(`SELECT to_regclass('${LEDGER_TABLE}') IS NOT NULL AS exists`);
  const rows = new Map<PhaseName, LedgerRow>();
  if (!exists.rows[0]?.exists) return rows;
  const result = await db.query<RawRow>(`SELECT * FROM ${LEDGER_TABLE} WHERE plan = $1`, [plan]);
  for (const r of result.rows) {
    rows.set(r.phase, {
      plan: r.plan,
      phase: r.phase,
      status: r.status,
      file: r.file,
      checksum: r.checksum,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      updatedAt: r.updated_at,
      unitsDone: r.units_done,
      appliedChecksum: r.applied_checksum,
      rowsDone: Number(r.rows_done),
      rowsTotal: r.rows_total === null ? null : Number(r.rows_total),
      lastKey: r.last_key,
      batches: Number(r.batches),
      error: r.error,
      runner: r.runner,
    });
  }
  return rows;
}

/** Marks the phase running (creating its row), keeping progress of an earlier run. */
export async function startPhase(db: Db, plan: string, phase: PhaseName, file: string, checksum: string, runner: string): Promise<void> {
  await db.query(
    `INSERT INTO ${LEDGER_TABLE} (plan, phase, status, file, checksum, runner)
     VALUES ($1, $2, 'running', $3, $4, $5)
     ON CONFLICT (plan, phase) DO UPDATE
       SET status = 'running', file = EXCLUDED.file, checksum = EXCLUDED.checksum, runner = EXCLUDED.runner,
           error = NULL, finished_at = NULL, updated_at = now()`,
    [plan, phase, file, checksum, runner],
  );
}

/** Records that units [0, unitsDone) are applied. Runs inside the unit's own transaction when it has one. */
export async function recordUnits(db: Db, plan: string, phase: PhaseName, unitsDone: number, applied: string): Promise<void> {
  await db.query(
    `UPDATE ${LEDGER_TABLE} SET units_done = $3, applied_checksum = $4, last_key = NULL, updated_at = clock_timestamp() WHERE plan = $1 AND phase = $2`,
    [plan, phase, unitsDone, applied],
  );
}

export async function recordTotal(db: Db, plan: string, phase: PhaseName, rowsTotal: number): Promise<void> {
  await db.query(`UPDATE ${LEDGER_TABLE} SET rows_total = $3, updated_at = clock_timestamp() WHERE plan = $1 AND phase = $2`, [plan, phase, rowsTotal]);
}

export async function finishPhase(db: Db, plan: string, phase: PhaseName, status: Exclude<LedgerStatus, 'running'>, error?: string): Promise<void> {
  await db.query(
    `UPDATE ${LEDGER_TABLE}
        SET status = $3, error = $4, updated_at = clock_timestamp(),
            finished_at = CASE WHEN $3 = 'done' THEN clock_timestamp() ELSE finished_at END
      WHERE plan = $1 AND phase = $2`,
    [plan, phase, status, error ?? null],
  );
}

export interface FlagStepRow {
  plan: string;
  flag: string;
  environment: string;
  /** The rollout the step set (0 for a kill). */
  percent: number;
  /** `step`: the flag was set on at `percent`; `killed`: a failing gate turned it off. */
  action: 'step' | 'killed';
  /** Why (the gate's verdict), for kills. */
  reason: string | null;
  at: Date;
}

/** The plan's flag ramp rows, oldest first; empty when the ledger does not exist yet. */
export async function readFlagSteps(db: Db, plan: string): Promise<FlagStepRow[]> {
  const exists = await db.query<{ exists: boolean }>(`SELECT to_regclass('${FLAG_STEPS_TABLE}') IS NOT NULL AS exists`);
  if (!exists.rows[0]?.exists) return [];
  const { rows } = await db.query<FlagStepRow>(
    `SELECT plan, flag, environment, percent, action, reason, at FROM ${FLAG_STEPS_TABLE} WHERE plan = $1 ORDER BY id`,
    [plan],
  );
  return rows;
}

export async function recordFlagStep(db: Db, step: Omit<FlagStepRow, 'at'>, runner: string): Promise<void> {
  await db.query(`INSERT INTO ${FLAG_STEPS_TABLE} (plan, flag, environment, percent, action, reason, runner) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    step.plan,
    step.flag,
    step.environment,
    step.percent,
    step.action,
    step.reason,
    runner,
  ]);
}

// Session advisory lock keyed by (hashtext('rollout_guard'), hashtext(plan)): released by
// PostgreSQL when the runner's session ends, so a killed runner never leaves it behind.
const LOCK_KEY = `hashtext('rollout_guard'), hashtext($1)`;

export async function tryLockPlan(db: Db, plan: string): Promise<boolean> {
  const { rows } = await db.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`, [plan]);
  return rows[0]?.locked === true;
}

export async function unlockPlan(db: Db, plan: string): Promise<void> {
  await db.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [plan]);
}

export interface LockHolder {
  pid: number;
  applicationName: string;
  clientAddr: string | null;
  backendStart: Date;
}

/** The session holding the plan's lock, if any (and visible to this role). */
export async function planLockHolder(db: Db, plan: string): Promise<LockHolder | undefined> {
  const { rows } = await db.query<{ pid: number; application_name: string; client_addr: string | null; backend_start: Date }>(
    `SELECT a.pid, a.application_name, a.client_addr::text AS client_addr, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.classid = hashtext('rollout_guard')::oid AND l.objid = hashtext($1)::oid`,
    [plan],
  );
  const r = rows[0];
  return r && { pid: r.pid, applicationName: r.application_name, clientAddr: r.client_addr, backendStart: r.backend_start };
}
