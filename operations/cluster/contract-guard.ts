/**
 * The cluster's say before a migration's contract phase: dropping what the old version reads is
 * safe only once the old version no longer runs. So contract waits while a canary is mid-rollout
 * (its new version may still be rolled back to the old one), while an Argo Rollout has not
 * finished, and while pods of a stable (old) destination are still ready — also at 0 %, where
 * the old version is all there is. A cluster that cannot be read refuses too: never contract blind.
 */
import type { ClusterClient } from './client';
import { routeLabel } from './discovery';
import type { Canary } from './model';
import { listCanaries, readCanary } from './read';

export interface ContractGuardTargets {
  /** namespace/name of the VirtualServices to check; default: every canary in `namespaces`. */
  canaries?: string[];
  /** Default: the kubeconfig context's namespace, or "default". */
  namespaces?: string[];
}

/** Why the contract phase must wait, one reason per line; undefined when it may run. */
export function contractReasons(canaries: readonly Canary[]): string[] {
  const reasons: string[] = [];
  for (const canary of canaries) {
    const rollout = canary.rollout;
    if (rollout) {
      const finished =
        !rollout.paused && !rollout.aborted && rollout.phase === 'Healthy' && (rollout.currentStepIndex ?? rollout.stepCount) >= rollout.stepCount;
      if (!finished)
        reasons.push(
          `Rollout ${rollout.namespace}/${rollout.name} has not finished (${rollout.phase}${rollout.stepCount ? `, step ${Math.min((rollout.currentStepIndex ?? 0) + 1, rollout.stepCount)}/${rollout.stepCount}` : ''}${rollout.aborted ? ', aborted' : ''})`,
        );
      continue;
    }
    for (const route of canary.routes) {
      if (route.canaryWeight > 0 && route.canaryWeight < 100) {
        reasons.push(`canary ${canary.id} (route ${routeLabel(route)}) is mid-rollout at ${route.canaryWeight} %`);
        continue;
      }
      for (const destination of route.destinations.filter((d) => d.role === 'stable'))
        for (const workload of destination.workloads.filter((w) => w.ready > 0))
          reasons.push(
            `pods of the old version still run: ${workload.kind} ${workload.namespace}/${workload.name} ${workload.ready}/${workload.desired} ready (${destination.subset ?? destination.host}, ${destination.weight} % of ${canary.id})`,
          );
    }
  }
  return reasons;
}

/** A contractGuard for the migration runner: reads the canaries and answers with the reasons to wait, if any. */
export function clusterContractGuard(client: ClusterClient, targets: ContractGuardTargets = {}): () => Promise<string | undefined> {
  return async () => {
    let canaries: Canary[];
    try {
      if (targets.canaries?.length) canaries = await Promise.all(targets.canaries.map((ref) => readCanary(client, ref)));
      else {
        const namespaces = targets.namespaces?.length ? targets.namespaces : [client.defaultNamespace ?? 'default'];
        canaries = (await Promise.all(namespaces.map((ns) => listCanaries(client, ns)))).flat();
      }
    } catch (error) {
      return `the cluster could not be checked for the old version (${error instanceof Error ? error.message : String(error)}); contract waits until it can be`;
    }
    const reasons = contractReasons(canaries);
    return reasons.length ? reasons.join('; ') : undefined;
  };
}
