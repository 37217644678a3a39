/**
 * The automatic rollback of one live canary, as the Rollouts view runs it: read the canary,
 * evaluate its gates, and on repeated failures send its traffic back to stable the way its
 * owner allows (rollbackToStable: an Argo Rollout is aborted, never rewritten by hand).
 */
import { canaryTarget, readCanary, rollbackToStable, selectRoute, type ClusterClient } from '../cluster';
import { AutoRollback, type Scheduler, type WatchedCanary } from './auto-rollback';
import type { GateReport } from './check';

export interface CanaryMonitorOptions {
  evaluate(target: WatchedCanary): Promise<GateReport>;
  /** Asked before each rollback: throw to refuse it (automatic rollback switched off). */
  beforeRollback?(): void;
  intervalMs: number;
  consecutiveFailures?: number;
  scheduler?: Scheduler;
}

export function canaryMonitor(client: ClusterClient, id: string, options: CanaryMonitorOptions): AutoRollback {
  return new AutoRollback({
    intervalMs: options.intervalMs,
    consecutiveFailures: options.consecutiveFailures,
    scheduler: options.scheduler,
    readCanary: async (): Promise<WatchedCanary> => {
      const canary = await readCanary(client, id);
      return { ...canaryTarget(canary, selectRoute(canary)), name: canary.id };
    },
    evaluate: (target) => options.evaluate(target),
    rollback: async (canary) => {
      options.beforeRollback?.();
      await rollbackToStable(client, canary.name);
    },
  });
}
