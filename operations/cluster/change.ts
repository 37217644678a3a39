/**
 * Moving a canary, the one way its owner allows. Every path goes through here: the CLI's
 * `canary` commands, the Rollouts view's commands, auto-progress, `gate check --rollback-on-fail`
 * and the automatic rollback. When an Argo Rollout manages the VirtualService, the Rollout's
 * status patches move it (step = promote, promote = promote --full, rollback = abort, retry), as
 * `kubectl argo rollouts` does: Argo rewrites weights written by anyone else. Otherwise the
 * conflict-safe weight write (weights.ts). Gates are checked before step and promote either way.
 */
import { abortRollout, promoteRollout, retryRollout } from './argo';
import type { ClusterClient } from './client';
import { selectRoute } from './discovery';
import { ClusterError } from './errors';
import type { ArgoRolloutInfo, Canary } from './model';
import { readCanary, type CanaryRef } from './read';
import { overrideMatches, promoteCanary, rollbackCanary, setCanaryWeight, stepCanary, type WeightChangeOptions, type WeightChangeResult } from './weights';

export type CanaryAction = 'set-weight' | 'step' | 'promote' | 'rollback' | 'retry';

export type CanaryChange =
  | { kind: 'weights'; canary: Canary; result: WeightChangeResult }
  | { kind: 'rollout'; canary: Canary; action: Exclude<CanaryAction, 'set-weight'>; rollout: ArgoRolloutInfo };

export interface CanaryChangeOptions extends WeightChangeOptions {
  /** The weight of set-weight. */
  percent?: number;
}

const ROLLOUT_DONE = { step: 'promoted to the next step', promote: 'fully promoted', rollback: 'aborted (traffic back to stable)', retry: 'retried' };

/** Carries out `action` on the canary as read now (Argo Rollout or plain VirtualService). */
export async function changeCanary(
  client: ClusterClient,
  ref: CanaryRef | string,
  action: CanaryAction,
  options: CanaryChangeOptions = {},
): Promise<CanaryChange> {
  const canary = await readCanary(client, ref);
  const rollout = canary.rollout;
  if (!rollout) {
    if (action === 'retry') throw new ClusterError('refused', `retry is for Argo Rollouts: no Rollout manages VirtualService ${canary.id}`);
    const result =
      action === 'set-weight'
        ? await setCanaryWeight(client, ref, options.percent ?? NaN, options)
        : action === 'step'
          ? await stepCanary(client, ref, options)
          : action === 'promote'
            ? await promoteCanary(client, ref, options)
            : await rollbackCanary(client, ref, options);
    return { kind: 'weights', canary, result };
  }
  if (action === 'set-weight')
    throw new ClusterError(
      'refused',
      `Rollout ${rollout.namespace}/${rollout.name} manages the weights of VirtualService ${canary.id}: use step, promote or rollback (the controller would undo a set-weight)`,
    );
  if (action === 'step' || action === 'promote') await checkRolloutGates(canary, rollout, action, options);
  const { namespace, name } = rollout;
  const after =
    action === 'step'
      ? await promoteRollout(client, namespace, name)
      : action === 'promote'
        ? await promoteRollout(client, namespace, name, { full: true })
        : action === 'rollback'
          ? await abortRollout(client, namespace, name)
          : await retryRollout(client, namespace, name);
  return { kind: 'rollout', canary, action, rollout: after };
}

/** Refuses a step or promote of an Argo Rollout whose gates fail or have no data, unless overridden by name. */
async function checkRolloutGates(canary: Canary, rollout: ArgoRolloutInfo, action: 'step' | 'promote', options: CanaryChangeOptions): Promise<void> {
  if (!options.gateCheck) return;
  let route;
  try {
    route = selectRoute(canary, options.route);
  } catch (error) {
    throw new ClusterError('refused', (error as Error).message);
  }
  const gate = await options.gateCheck(canary, route);
  if ((gate.verdict === 'fail' || gate.verdict === 'no-data') && !overrideMatches(canary, options.override))
    throw new ClusterError(
      'refused',
      `${action} of Rollout ${rollout.namespace}/${rollout.name} refused: gate ${gate.verdict === 'fail' ? 'failed' : 'has no data'}: ${gate.reason}. To go ahead anyway, confirm with --override ${rollout.name}`,
    );
}

/** One line saying what a change did, for messages and logs. */
export function describeChange(change: CanaryChange): string {
  if (change.kind === 'rollout') return `Rollout ${change.rollout.namespace}/${change.rollout.name} ${ROLLOUT_DONE[change.action]}`;
  const { result } = change;
  if (!result.changed) return `${result.canary.id} is already at ${result.weight} %`;
  return `${result.canary.id}: canary ${result.previousWeight} % → ${result.weight} %${result.attempts > 1 ? ` (after ${result.attempts - 1} conflicting writes)` : ''}`;
}

export type RollbackResult = CanaryChange & { message: string };

/** All traffic back to stable (never gated): an Argo Rollout is aborted, a plain route gets 0 % to the canary. */
export async function rollbackToStable(client: ClusterClient, ref: CanaryRef | string, options: WeightChangeOptions = {}): Promise<RollbackResult> {
  const change = await changeCanary(client, ref, 'rollback', options);
  return { ...change, message: describeChange(change) };
}
