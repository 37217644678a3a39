/**
 * Runs one phase of a plan against PostgreSQL: takes the plan's advisory lock, checks the
 * ledger (checksum drift, phase order, rows left before switch, the contract guard), then
 * applies the phase's units from where an earlier run stopped.
 */
import os from 'node:os';
import { runBackfillUnit, rowsLeft, type BackfillState } from './backfill';
import { ConnectionError, Db, describeTarget, errorText, sqlState } from './db';
import { runSqlUnit } from './ddl';
import {
  ensureLedger,
  finishPhase,
  planLockHolder,
  readFlagSteps,
  readLedger,
  startPhase,
  tryLockPlan,
  unlockPlan,
  type FlagStepRow,
  type LedgerRow,
  type LedgerStatus,
  type LockHolder,
} from './ledger';
import type { GateCheckResult } from '../cluster/model';
import type { FlagService } from '../flags/provider';
import { flagContractRefusal, planLedger, rampFlag, realClock, type RampClock } from './flag-ramp';
import { appliedChecksum, findPhase, PHASES, switchBinding, type MigrationPlan, type PhaseName, type PlanPhase, type SwitchBinding } from './plan';
import {
  DEFAULT_BACKFILL_OPTIONS,
  DEFAULT_DDL_OPTIONS,
  PhaseFailure,
  RunCancelled,
  type BackfillOptions,
  type BackfillProgress,
  type DdlOptions,
  type RunEvent,
  type RunOutcome,
  type RunResult,
} from './types';

export interface RunPhaseOptions {
  /** postgres://user:password@host:port/database */
  databaseUrl: string;
  phase: PhaseName;
  ddl?: Partial<DdlOptions>;
  backfill?: Partial<BackfillOptions>;
  /**
   * Asked before contract runs (after the ledger checks): a reason to refuse, e.g. pods of
   * the old version still running or a canary mid-rollout; undefined to go ahead.
   */
  contractGuard?: () => Promise<string | undefined>;
  /**
   * The flag service, for a plan whose switch phase binds a flag: the switch phase ramps it,
   * contract waits until it is fully on. Undefined (or unavailable) refuses both for such a plan.
   */
  flags?: FlagService;
  /** Asked between the steps of the switch phase's flag ramp; undefined when no gates are configured. */
  gateCheck?: () => Promise<GateCheckResult>;
  /** Waits between the ramp's steps (default: real time). */
  clock?: RampClock;
  /** Cancels between batches and statements; a running DDL statement is cancelled in the server. */
  signal?: AbortSignal;
  onProgress?: (progress: BackfillProgress) => void;
  onEvent?: (event: RunEvent) => void;
  /** application_name of the runner's session (shown to a second runner that is refused). */
  applicationName?: string;
}

/** Runs one phase. Resolves with the outcome; rejects only with ConnectionError (or a bug). */
export async function runPhase(plan: MigrationPlan, options: RunPhaseOptions): Promise<RunResult> {
  const started = performance.now();
  const stats = { rows: 0, batches: 0, longestBatchMs: 0 };
  const result = (outcome: RunOutcome, message: string): RunResult => ({
    outcome,
    plan: plan.name,
    phase: options.phase,
    message,
    durationMs: performance.now() - started,
    ...stats,
  });
  const phase = findPhase(plan, options.phase);
  if (!phase) {
    return result('refused', `plan ${plan.name} has no ${options.phase} phase (it has ${plan.phases.map((p) => p.name).join(', ')})`);
  }
  const applicationName = (options.applicationName ?? `rollout-guard migrate ${plan.name}`).slice(0, 63);
  options = { ...options, applicationName };
  const db = await Db.connect(options.databaseUrl, { applicationName });
  try {
    await ensureLedger(db);
    if (!(await tryLockPlan(db, plan.name))) {
      const holder = await planLockHolder(db, plan.name);
      return result(
        'refused',
        `another runner is working on plan ${plan.name}${holder ? ` (${describeHolder(holder)})` : ''}; one runner at a time: wait for it to finish, or stop it`,
      );
    }
    try {
      return await runLocked(db, plan, phase, options, stats, result);
    } finally {
      await unlockPlan(db, plan.name).catch(() => {});
    }
  } finally {
    await db.close();
  }
}

async function runLocked(
  db: Db,
  plan: MigrationPlan,
  phase: PlanPhase,
  options: RunPhaseOptions,
  stats: { rows: number; batches: number; longestBatchMs: number },
  result: (outcome: RunOutcome, message: string) => RunResult,
): Promise<RunResult> {
  const applicationName = options.applicationName!;
  const ledger = await readLedger(db, plan.name);
  const drift = driftRefusal(plan, ledger);
  if (drift) return result('refused', drift);
  const row = ledger.get(phase.name);
  const later = PHASES.slice(PHASES.indexOf(phase.name) + 1).filter((name) => ledger.has(name));
  if (row?.status === 'done' && (phase.name !== 'backfill' || later.length > 0)) {
    return result('already-applied', `${phase.name} of plan ${plan.name} was already applied ${formatWhen(row.finishedAt)}; nothing to do`);
  }
  const order = await orderRefusal(db, plan, phase, ledger, later);
  if (order) return result('refused', order);
  const binding = switchBinding(plan);
  if (phase.name === 'contract') {
    const reasons = [binding && (await flagContractRefusal(binding, options.flags)), await options.contractGuard?.()].filter(Boolean);
    if (reasons.length) return result('refused', `contract refused: ${reasons.join('; ')}`);
  }
  const flags = options.flags;
  if (phase.binding && (!flags || 'unavailable' in flags))
    return result(
      'refused',
      `${phase.label} binds flag ${phase.binding.flag}, ${flags ? `but the flag service is unavailable: ${flags.unavailable}` : 'but no flag service is configured: flags: must be configured in .rollout-guard.yaml (provider, its url or file, environment; docs/flags.md)'}`,
    );
  const ramp = phase.binding && flags && 'provider' in flags ? { binding: phase.binding, flags } : undefined;

  const from = resumePoint(phase, row);
  if (typeof from === 'string') return result('refused', from);
  // A finished backfill run again (or such a rerun, interrupted: every unit is recorded)
  // only walks its backfills, for rows written since.
  const rerun = row !== undefined && row.unitsDone >= phase.units.length && phase.units.length > 0;
  const runner = `${applicationName}, pid ${process.pid} on ${os.hostname()}, user ${db.target.user}`;
  await startPhase(db, plan.name, phase.name, phase.label, phase.checksum, runner);

  const ddl: DdlOptions = { ...DEFAULT_DDL_OPTIONS, ...definedOnly(options.ddl) };
  const backfillOptions: BackfillOptions = { ...DEFAULT_BACKFILL_OPTIONS, ...definedOnly(options.backfill) };
  const ctx = { db, plan: plan.name, phase, signal: options.signal, onEvent: options.onEvent };
  const state: BackfillState = {
    rowsDone: row?.rowsDone ?? 0,
    rowsTotal: 0,
    lastKey: rerun ? null : (row?.lastKey ?? null),
    rows: 0,
    batches: 0,
    longestBatchMs: 0,
  };
  try {
    const hasBackfill = phase.units.slice(rerun ? 0 : from).some((u) => u.backfill);
    if (from > 0 && !rerun) options.onEvent?.({ type: 'skip', phase: phase.name, units: from, reason: `applied by an earlier ${row?.status} run` });
    for (let index = rerun ? 0 : from; index < phase.units.length; index++) {
      const unit = phase.units[index]!;
      if (unit.backfill) {
        await runBackfillUnit({ ...ctx, options: backfillOptions, state, onProgress: options.onProgress }, unit, index);
        Object.assign(stats, { rows: state.rows, batches: state.batches, longestBatchMs: state.longestBatchMs });
      } else if (!rerun) await runSqlUnit(ctx, unit, index, ddl);
    }
    if (ramp)
      await rampFlag({
        ...ramp,
        ledger: planLedger(db, plan.name, runner),
        again: 'run the switch phase again',
        phase: phase.name,
        gateCheck: options.gateCheck,
        clock: options.clock ?? realClock,
        signal: options.signal,
        onEvent: options.onEvent,
      });
    await finishPhase(db, plan.name, phase.name, 'done');
    const rows = hasBackfill ? `: ${state.rows.toLocaleString('en-US')} rows in ${stats.batches} batches, longest ${Math.round(stats.longestBatchMs)} ms` : '';
    const flagDone = ramp ? `; flag ${ramp.binding.flag} is 100 % on in ${ramp.flags.environment}` : '';
    return result('applied', `${phase.name} of plan ${plan.name} applied${rows}${flagDone}`);
  } catch (error) {
    Object.assign(stats, { rows: state.rows, batches: state.batches, longestBatchMs: state.longestBatchMs });
    if (error instanceof ConnectionError) throw error;
    if (error instanceof RunCancelled) {
      await finishPhase(db, plan.name, phase.name, 'cancelled');
      return result(
        'cancelled',
        `${phase.name} of plan ${plan.name} cancelled${state.lastKey !== null ? ` at key ${state.lastKey}` : ''}; run it again to resume`,
      );
    }
    const message = error instanceof PhaseFailure ? error.message : sqlState(error) ? `${phase.label}: ${errorText(error)}` : undefined;
    if (message === undefined) throw error;
    await finishPhase(db, plan.name, phase.name, 'failed', message);
    return result('failed', message);
  }
}

/**
 * Where to start: after the units an interrupted, cancelled or failed run finished; or a refusal
 * when the statements that run applied have changed since.
 */
function resumePoint(phase: PlanPhase, row: LedgerRow | undefined): number | string {
  if (!row || row.status === 'done') return 0;
  const from = row.unitsDone;
  if (row.checksum !== phase.checksum && appliedChecksum(phase, from) !== row.appliedChecksum)
    return `${phase.label} changed after its ${row.status} run, including the ${from} statement(s) that run applied; undo what they did by hand or restore the file`;
  return from;
}

/** A refusal when a phase that ran (or runs) no longer matches its file. */
function driftRefusal(plan: MigrationPlan, ledger: Map<PhaseName, LedgerRow>): string | undefined {
  for (const row of ledger.values()) {
    // A failed phase may be fixed and rerun (its applied statements are checked separately).
    if (row.status === 'failed') continue;
    const phase = findPhase(plan, row.phase);
    const verb = row.status === 'done' ? `applied ${formatWhen(row.finishedAt)}` : `started ${formatWhen(row.startedAt)}`;
    if (!phase)
      return `checksum drift: phase ${row.phase} of plan ${plan.name} was ${verb} from ${row.file}, but the plan has no ${row.phase} phase any more; restore it`;
    if (phase.checksum !== row.checksum) {
      return `checksum drift: phase ${row.phase} of plan ${plan.name} (${phase.label}) was ${verb} with checksum ${row.checksum.slice(0, 12)}, but the file now has ${phase.checksum.slice(0, 12)}. A phase must not change once it ran: restore ${row.file} and put further changes in a new plan`;
    }
  }
  return undefined;
}

/** Phases run forward, each after the one before it in the plan is done. */
async function orderRefusal(db: Db, plan: MigrationPlan, phase: PlanPhase, ledger: Map<PhaseName, LedgerRow>, later: PhaseName[]): Promise<string | undefined> {
  if (later.length > 0) {
    const next = ledger.get(later[0]!)!;
    return `${phase.name} cannot run: ${next.phase} of plan ${plan.name} is already ${statusWord(next.status)}, and phases only go forward (expand → backfill → switch → contract)`;
  }
  const index = plan.phases.indexOf(phase);
  const previous = plan.phases[index - 1];
  if (!previous) return undefined;
  const previousRow = ledger.get(previous.name);
  if (previousRow?.status !== 'done') {
    return `${phase.name} refused: ${previous.name} of plan ${plan.name} is ${previousRow ? statusWord(previousRow.status) : 'not applied yet'}; run ${previous.name} first`;
  }
  if (previous.name === 'backfill') {
    // The backfill finished, but the old code may have written rows since.
    for (const unit of previous.units) {
      if (!unit.backfill) continue;
      const left = await rowsLeft(db, unit.backfill);
      if (left.count > 0) {
        return `${phase.name} refused: the backfill still has ${left.count.toLocaleString('en-US')} row(s) to do in ${unit.backfill.table} (WHERE ${unit.backfill.where}); run the backfill phase again`;
      }
    }
  }
  return undefined;
}

function statusWord(status: LedgerStatus): string {
  return status === 'running' ? 'running (or was interrupted)' : status;
}

function describeHolder(holder: LockHolder): string {
  return `session pid ${holder.pid}, "${holder.applicationName}"${holder.clientAddr ? ` from ${holder.clientAddr}` : ''}, connected ${formatWhen(holder.backendStart)}`;
}

export function formatWhen(date: Date | null): string {
  if (!date) return 'at an unknown time';
  return `at ${date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')}`;
}

function flagState(binding: SwitchBinding, steps: FlagStepRow[]): PhaseState['flag'] {
  const last = steps.filter((s) => s.flag === binding.flag).at(-1);
  return {
    key: binding.flag,
    steps: binding.steps,
    interval: binding.interval,
    environment: last?.environment ?? null,
    percent: last?.percent ?? null,
    killed: last?.action === 'killed',
    reason: last?.reason ?? null,
    at: last?.at.toISOString() ?? null,
  };
}

function definedOnly<T extends object>(value: Partial<T> | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type PhaseStatusWord = 'pending' | 'running' | 'interrupted' | 'done' | 'failed' | 'cancelled';

export interface PhaseState {
  phase: PhaseName;
  /** The file (and marker line) of the phase, or the ledger's file for a phase the plan lost. */
  file: string;
  status: PhaseStatusWord;
  /** The file changed since the phase ran. */
  drift: boolean;
  /** sha256 of the phase SQL in the file now (null when the plan has no such phase). */
  checksum: string | null;
  /** sha256 the ledger recorded. */
  ledgerChecksum: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string | null;
  units: number;
  unitsDone: number;
  rowsDone: number;
  rowsTotal: number | null;
  lastKey: string | null;
  batches: number;
  error: string | null;
  /**
   * The switch phase's flag, as the ledger has it (the last step recorded); null for other phases
   * and a switch phase that binds none. environment and percent are null before the first step.
   */
  flag: {
    key: string;
    steps: number[];
    interval: string;
    environment: string | null;
    percent: number | null;
    killed: boolean;
    reason: string | null;
    at: string | null;
  } | null;
}

export interface PlanStatus {
  plan: string;
  source: string;
  /** host:port (database, user): never the password. */
  database: string;
  /** The runner working on the plan right now, if any. */
  runner: string | null;
  phases: PhaseState[];
}

/** The plan's phases as the ledger has them. Reads only: creates nothing in the database. */
export async function planStatus(plan: MigrationPlan, databaseUrl: string): Promise<PlanStatus> {
  const db = await Db.connect(databaseUrl, { applicationName: 'rollout-guard status' });
  try {
    const ledger = await readLedger(db, plan.name);
    const flagSteps = await readFlagSteps(db, plan.name);
    const holder = ledger.size > 0 ? await planLockHolder(db, plan.name) : undefined;
    const names = PHASES.filter((name) => findPhase(plan, name) || ledger.has(name));
    return {
      plan: plan.name,
      source: plan.source,
      database: describeTarget(db.target),
      runner: holder ? describeHolder(holder) : null,
      phases: names.map((name) => {
        const phase = findPhase(plan, name);
        const row = ledger.get(name);
        const status: PhaseStatusWord = !row ? 'pending' : row.status === 'running' && !holder ? 'interrupted' : row.status;
        return {
          phase: name,
          file: phase?.label ?? row?.file ?? '',
          status,
          drift: !!row && row.status !== 'failed' && row.checksum !== phase?.checksum,
          checksum: phase?.checksum ?? null,
          ledgerChecksum: row?.checksum ?? null,
          startedAt: row?.startedAt.toISOString() ?? null,
          finishedAt: row?.finishedAt?.toISOString() ?? null,
          updatedAt: row?.updatedAt.toISOString() ?? null,
          units: phase?.units.length ?? 0,
          unitsDone: row?.unitsDone ?? 0,
          rowsDone: row?.rowsDone ?? 0,
          rowsTotal: row?.rowsTotal ?? null,
          lastKey: row?.lastKey ?? null,
          batches: row?.batches ?? 0,
          error: row?.error ?? null,
          flag: phase?.binding ? flagState(phase.binding, flagSteps) : null,
        };
      }),
    };
  } finally {
    await db.close();
  }
}
