/** "Needs attention" ordering: what a person watching rollouts should look at first. */
import type { Canary } from './model';

export interface Attention {
  /** 0 most urgent … 3 calm. */
  level: 0 | 1 | 2 | 3;
  reason: string;
}

const midRollout = (canary: Canary): boolean => canary.routes.some((r) => r.canaryWeight > 0 && r.canaryWeight < 100);
/** Workloads short of ready replicas; with `takingTraffic`, only those behind a destination with weight > 0. */
const notReady = (canary: Canary, takingTraffic = false): string[] => [
  ...new Set(
    canary.routes.flatMap((r) =>
      r.destinations
        .filter((d) => !takingTraffic || d.weight > 0)
        .flatMap((d) => d.workloads.filter((w) => w.ready < w.desired).map((w) => `${w.kind} ${w.name} ${w.ready}/${w.desired} ready`)),
    ),
  ),
];

export function attentionOf(canary: Canary): Attention {
  const rollout = canary.rollout;
  if (rollout && (rollout.aborted || rollout.phase === 'Degraded'))
    return { level: 0, reason: `Rollout ${rollout.name} ${rollout.aborted ? 'aborted' : 'degraded'}` };
  const unready = notReady(canary);
  const unreadyWithTraffic = notReady(canary, true);
  const routedToNothing = canary.routes.flatMap((r) => r.destinations.filter((d) => d.weight > 0 && d.workloads.length === 0));
  if (midRollout(canary) && (unreadyWithTraffic.length || routedToNothing.length))
    return {
      level: 0,
      reason: `mid-rollout with ${[...unreadyWithTraffic, ...routedToNothing.map((d) => `${d.subset ?? d.host}: ${d.problem ?? 'no workload'}`)].join(', ')}`,
    };
  if (midRollout(canary)) return { level: 1, reason: rollout?.paused ? `mid-rollout, Rollout ${rollout.name} paused` : 'mid-rollout' };
  if (unready.length || canary.warnings.length) return { level: 2, reason: [...unready, ...canary.warnings].join(', ') };
  return { level: 3, reason: 'steady' };
}

/** Most urgent first, then by namespace/name. Does not change the input. */
export function sortByAttention(canaries: readonly Canary[]): Canary[] {
  return canaries
    .map((canary) => ({ canary, level: attentionOf(canary).level }))
    .sort((a, b) => a.level - b.level || a.canary.id.localeCompare(b.canary.id))
    .map((x) => x.canary);
}
