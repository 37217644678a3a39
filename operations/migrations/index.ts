/**
 * Migration phases (expand → backfill → switch → contract) against PostgreSQL: plans, the
 * ledger, the resumable batched backfill. vscode-free: used by the CLI and the extension.
 */
export {
  loadPlan,
  findPhase,
  isPhaseName,
  PHASES,
  PlanError,
  switchBinding,
  type MigrationPlan,
  type SwitchBinding,
  type PhaseName,
  type PlanPhase,
  type PlanUnit,
  type PlanStatement,
} from './plan';
export { runPhase, planStatus, type RunPhaseOptions, type PlanStatus, type PhaseState, type PhaseStatusWord } from './runner';
export { Db, ConnectionError, DatabaseUrlError, parseDatabaseUrl, describeTarget, type ConnectionTarget } from './db';
export { readLedger, readFlagSteps, LEDGER_TABLE, FLAG_STEPS_TABLE, type LedgerRow, type LedgerStatus, type FlagStepRow } from './ledger';
export { describeFlag, flagContractRefusal, rampFlag, realClock, UNRECORDED, type RampClock } from './flag-ramp';
export type { BackfillJob } from './backfill-spec';
export {
  DEFAULT_BACKFILL_OPTIONS,
  DEFAULT_DDL_OPTIONS,
  type BackfillOptions,
  type BackfillProgress,
  type DdlOptions,
  type RunEvent,
  type RunOutcome,
  type RunResult,
  PhaseFailure,
  RunCancelled,
} from './types';
