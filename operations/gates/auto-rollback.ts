/**
 * Automatic rollback: while a canary takes part of the traffic (weight strictly between 0 and
 * 100), its gates are evaluated every interval; after N consecutive failing evaluations the
 * injected rollback runs once. A no-data evaluation is reported but counts neither as a pass
 * (it does not reset the count) nor as a failure (a Prometheus outage alone never rolls back).
 * Evaluations never overlap: the next one is scheduled when the previous one has finished.
 */
import type { GateReport, GateTarget } from './check';
import { DEFAULT_CONSECUTIVE_FAILURES } from './config';

/** The timer functions the controller uses; tests pass a fake clock. */
export interface Scheduler {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The canary as it is now: where it is and how much traffic it takes. */
export interface WatchedCanary extends GateTarget {
  /** namespace/name of the VirtualService or Rollout, for messages. */
  name: string;
  canaryWeight: number;
}

export type AutoRollbackEvent =
  /** Weight 0 or 100: nothing to guard, the failure count starts again. */
  | { type: 'idle'; canary: WatchedCanary }
  | { type: 'evaluated'; canary: WatchedCanary; report: GateReport; consecutiveFailures: number; rollbackAfter: number }
  | { type: 'rolled-back'; canary: WatchedCanary; report: GateReport; consecutiveFailures: number }
  /** The rollback itself failed: it is tried again at the next failing evaluation. */
  | { type: 'rollback-failed'; canary: WatchedCanary; report: GateReport; error: string }
  /** The canary could not be read (cluster unreachable, object gone). */
  | { type: 'error'; error: string };

export interface AutoRollbackOptions {
  readCanary(): Promise<WatchedCanary>;
  evaluate(target: WatchedCanary): Promise<GateReport>;
  rollback(canary: WatchedCanary, report: GateReport): Promise<void>;
  intervalMs: number;
  /** Consecutive failing evaluations before the rollback (default 3). */
  consecutiveFailures?: number;
  scheduler?: Scheduler;
}

export class AutoRollback {
  private readonly listeners = new Set<(event: AutoRollbackEvent) => void>();
  private readonly scheduler: Scheduler;
  private readonly rollbackAfter: number;
  private timer: unknown;
  private running = false;
  private disposed = false;
  private failures = 0;

  constructor(private readonly options: AutoRollbackOptions) {
    if (!(options.intervalMs > 0)) throw new Error(`the evaluation interval must be positive, got ${options.intervalMs} ms`);
    this.rollbackAfter = options.consecutiveFailures ?? DEFAULT_CONSECUTIVE_FAILURES;
    if (!Number.isInteger(this.rollbackAfter) || this.rollbackAfter < 1)
      throw new Error(`consecutiveFailures must be a whole number ≥ 1, got ${this.rollbackAfter}`);
    this.scheduler = options.scheduler ?? realScheduler;
  }

  /** Consecutive failing evaluations so far. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  onEvent(listener: (event: AutoRollbackEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Evaluates at once, then every interval. */
  start(): void {
    if (this.disposed || this.running) return;
    this.running = true;
    this.schedule(0);
  }

  dispose(): void {
    this.disposed = true;
    this.running = false;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private schedule(ms: number): void {
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    const event = await this.evaluateOnce();
    if (this.disposed) return;
    // Schedule before telling listeners, so a listener sees the next evaluation already planned.
    this.schedule(this.options.intervalMs);
    if (event) this.emit(event);
  }

  private async evaluateOnce(): Promise<AutoRollbackEvent | undefined> {
    let canary: WatchedCanary;
    try {
      canary = await this.options.readCanary();
    } catch (error) {
      return { type: 'error', error: messageOf(error) };
    }
    if (!(canary.canaryWeight > 0 && canary.canaryWeight < 100)) {
      this.failures = 0;
      return { type: 'idle', canary };
    }
    let report: GateReport;
    try {
      report = await this.options.evaluate(canary);
    } catch (error) {
      return { type: 'error', error: messageOf(error) };
    }
    if (this.disposed) return undefined;
    if (report.verdict === 'pass') this.failures = 0;
    else if (report.verdict === 'fail') this.failures++;
    if (report.verdict !== 'fail' || this.failures < this.rollbackAfter)
      return { type: 'evaluated', canary, report, consecutiveFailures: this.failures, rollbackAfter: this.rollbackAfter };
    try {
      await this.options.rollback(canary, report);
    } catch (error) {
      return { type: 'rollback-failed', canary, report, error: messageOf(error) };
    }
    const failures = this.failures;
    this.failures = 0;
    return { type: 'rolled-back', canary, report, consecutiveFailures: failures };
  }

  private emit(event: AutoRollbackEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
