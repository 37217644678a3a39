/**
 * The feature flag a plan's switch phase binds (`-- rollout-guard: switch flag=KEY steps=… interval=…`):
 * running the phase ramps it through its steps in the configured environment, waiting the interval
 * and asking the gates between steps, each step recorded in the ledger so a run that stopped goes
 * on from the step it had reached; a failing gate turns the flag off. Contract asks it too: the
 * old column may only go once the flag is fully on. The Flags view's Ramp runs the same ramp
 * without a plan (`UNRECORDED`: it starts from the first step).
 */
import type { GateCheckResult } from '../cluster/model';
import { FlagServiceError, type FlagAccess, type FlagProvider, type FlagService, type FlagStatus } from '../flags/provider';
import type { Db } from './db';
import { readFlagSteps, recordFlagStep, type FlagStepRow } from './ledger';
import type { PhaseName, SwitchBinding } from './plan';
import { sleep } from './sleep';
import { PhaseFailure, RunCancelled, type RunEvent } from './types';

/** Waits between steps: the real interval in production, a fake in tests. */
export interface RampClock {
  /** Resolves after `ms`, or early when the signal aborts. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: RampClock = { wait: sleep };

/** Where a ramp keeps its steps, to go on from the last one. */
export interface RampLedger {
  steps(): Promise<FlagStepRow[]>;
  record(step: Omit<FlagStepRow, 'plan' | 'at'>): Promise<void>;
}

/** The ramp of a plan's switch phase: its steps in the plan's ledger (rollout_guard.flag_steps). */
export function planLedger(db: Db, plan: string, runner: string): RampLedger {
  return { steps: () => readFlagSteps(db, plan), record: (step) => recordFlagStep(db, { ...step, plan }, runner) };
}

/** A ramp started by hand (the Flags view): nothing recorded, so it starts from the first step. */
export const UNRECORDED: RampLedger = { steps: async () => [], record: async () => {} };

export interface RampContext {
  ledger: RampLedger;
  /** What the user does to go on after a stop, for messages: "run the switch phase again". */
  again: string;
  phase: PhaseName;
  binding: SwitchBinding;
  flags: FlagAccess;
  /** Asked after each step has run for the interval; undefined when no gates are configured. */
  gateCheck?: () => Promise<GateCheckResult>;
  clock: RampClock;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

/**
 * Ramps the flag from where the ledger says it is. Throws PhaseFailure (gate failed: the flag is
 * off; gate without data or flag service error: the flag stays at its step) or RunCancelled.
 */
export async function rampFlag(ctx: RampContext): Promise<void> {
  const { binding, flags, ledger } = ctx;
  const { flag } = binding;
  const { environment, provider } = flags;
  const last = lastStep(await ledger.steps(), flag, environment);
  // After a kill the ramp starts over; after a step it goes on with the next one.
  let current = last?.action === 'step' ? last.percent : undefined;
  let next = current === undefined ? 0 : binding.steps.findIndex((s) => s > current!);
  if (next < 0) next = binding.steps.length;
  if (current !== undefined && next < binding.steps.length) {
    // The ledger's step may have been changed by hand since (the kill switch): put it back before waiting on it.
    await serviceCall(ctx, () => setStep(provider, flag, environment, current!));
    ctx.onEvent?.({ type: 'flag-resume', phase: ctx.phase, flag, environment, percent: current, at: last!.at });
  }
  for (let index = next; index < binding.steps.length; index++) {
    if (current !== undefined) await holdAndCheck(ctx, current, binding.steps[index]!);
    const percent = binding.steps[index]!;
    await serviceCall(ctx, () => setStep(provider, flag, environment, percent));
    await ledger.record({ flag, environment, percent, action: 'step', reason: null });
    ctx.onEvent?.({ type: 'flag-step', phase: ctx.phase, flag, environment, percent, step: index + 1, steps: binding.steps.length });
    current = percent;
  }
}

/** Lets the current step run for the interval, then asks the gates: a failure turns the flag off. */
async function holdAndCheck(ctx: RampContext, percent: number, nextPercent: number): Promise<void> {
  const { flag, interval, intervalMs } = ctx.binding;
  const { environment, provider } = ctx.flags;
  ctx.onEvent?.({ type: 'flag-wait', phase: ctx.phase, flag, environment, percent, next: nextPercent, interval });
  await ctx.clock.wait(intervalMs, ctx.signal);
  if (ctx.signal?.aborted) throw new RunCancelled();
  if (!ctx.gateCheck) return;
  const gate = await ctx.gateCheck();
  ctx.onEvent?.({ type: 'flag-gate', phase: ctx.phase, flag, verdict: gate.verdict, reason: gate.reason });
  if (gate.verdict === 'no-data')
    throw new PhaseFailure(
      `gate has no data at ${percent} % of flag ${flag}: ${gate.reason}; the flag stays at ${percent} % in ${environment}: ${ctx.again} to go on`,
    );
  if (gate.verdict !== 'fail') return;
  try {
    await provider.setEnabled(flag, environment, false);
  } catch (error) {
    throw new PhaseFailure(
      `gate failed at ${percent} % of flag ${flag}: ${gate.reason}; turning the flag off failed too (${errorMessage(error)}): turn it off now: rollout-guard flag off ${flag} --environment ${environment}`,
    );
  }
  await ctx.ledger.record({ flag, environment, percent: 0, action: 'killed', reason: gate.reason });
  ctx.onEvent?.({ type: 'flag-killed', phase: ctx.phase, flag, environment, reason: gate.reason });
  throw new PhaseFailure(
    `gate failed at ${percent} % of flag ${flag}: ${gate.reason}; flag ${flag} turned off in ${environment}. ${ctx.again[0]!.toUpperCase()}${ctx.again.slice(1)} to ramp it from the first step`,
  );
}

/** Sets the rollout, then turns the flag on (so it is never on at more than the step). */
async function setStep(provider: FlagProvider, flag: string, environment: string, percent: number): Promise<void> {
  const status = await provider.setPercent(flag, environment, percent);
  if (!status.enabled) await provider.setEnabled(flag, environment, true);
}

async function serviceCall<T>(ctx: RampContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FlagServiceError)
      throw new PhaseFailure(`flag ${ctx.binding.flag} in ${ctx.flags.environment}: ${error.message}; ${ctx.again} once it is fixed`);
    throw error;
  }
}

function lastStep(rows: FlagStepRow[], flag: string, environment: string): FlagStepRow | undefined {
  return rows.filter((r) => r.flag === flag && r.environment === environment).at(-1);
}

/** Why contract must wait for the bound flag (not fully on, or not checkable), or undefined. */
export async function flagContractRefusal(binding: SwitchBinding, service: FlagService | undefined): Promise<string | undefined> {
  const { flag } = binding;
  if (!service)
    return `the switch phase binds flag ${flag}, but no flag service is configured: flags: must be configured in .rollout-guard.yaml (provider, its url or file, environment; docs/flags.md) for contract to check that ${flag} is fully on`;
  if ('unavailable' in service) return `flag ${flag} cannot be checked: ${service.unavailable}; contract waits until it can be`;
  let status: FlagStatus;
  try {
    status = await service.provider.status(flag, service.environment);
  } catch (error) {
    return `flag ${flag} could not be checked (${errorMessage(error)}); contract waits until it can be`;
  }
  if (status.enabled && status.percent === 100) return undefined;
  return `${flag} is ${describeFlag(status)} in ${status.environment}; contract waits until it is 100 % on (run the switch phase)`;
}

/** "off", "50 %", "on" (100 %). */
export function describeFlag(status: { enabled: boolean; percent: number }): string {
  return !status.enabled ? 'off' : status.percent === 100 ? 'on' : `${status.percent} %`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
