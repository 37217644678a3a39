/**
 * Sending all traffic back to stable, the one way its owner allows: every rollback path (the
 * CLI's, the Rollouts view's command, gate check --rollback-on-fail and the automatic rollback)
 * goes through here.
 */
import { abortRollout } from './argo';
import type { ClusterClient } from './client';
import type { ArgoRolloutInfo } from './model';
import { readCanary, type CanaryRef } from './read';
import { rollbackCanary, type WeightChangeOptions, type WeightChangeResult } from './weights';

export type RollbackResult =
  | { kind: 'aborted-rollout'; namespace: string; name: string; rollout: ArgoRolloutInfo; message: string }
  | { kind: 'weights'; result: WeightChangeResult; message: string };

/**
 * An Argo Rollout that manages the VirtualService is aborted (Argo rewrites weights written by
 * anyone else, so setting them would not roll anything back); a plain VirtualService route gets
 * 0 % to the canary, with the conflict-safe weight write.
 */
export async function rollbackToStable(client: ClusterClient, ref: CanaryRef | string, options: WeightChangeOptions = {}): Promise<RollbackResult> {
  const canary = await readCanary(client, ref);
  if (canary.rollout) {
    const { namespace, name } = canary.rollout;
    const rollout = await abortRollout(client, namespace, name);
    return { kind: 'aborted-rollout', namespace, name, rollout, message: `aborted Rollout ${namespace}/${name} (all traffic back to stable)` };
  }
  const result = await rollbackCanary(client, ref, options);
  return { kind: 'weights', result, message: `canary ${result.previousWeight} % → ${result.weight} %` };
}
