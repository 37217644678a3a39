/**
 * Argo Rollouts promote / abort / retry, as the kubectl-argo-rollouts plugin does them: merge
 * patches of the status subresource (falling back to the main resource when the CRD has no
 * status subresource, i.e. Rollouts before v0.10), and for promote a spec patch when paused.
 */
import type { ClusterClient, KubeObject } from './client';
import { ClusterError } from './errors';
import { rolloutInfo } from './discovery';
import type { ArgoRolloutInfo } from './model';

type Json = Record<string, unknown>;

/** Status patch first; on 404 (no status subresource) the unified patch on the object itself. */
async function statusPatch(client: ClusterClient, namespace: string, name: string, status: Json, unified: Json = status): Promise<KubeObject> {
  try {
    return await client.mergePatch('Rollout', namespace, name, status, 'status');
  } catch (error) {
    if (error instanceof ClusterError && error.kind === 'not-found') return client.mergePatch('Rollout', namespace, name, unified);
    throw error;
  }
}

async function requireRollouts(client: ClusterClient): Promise<void> {
  if (!(await client.resource('Rollout')))
    throw new ClusterError('not-found', `the cluster ${client.server} does not serve rollouts.argoproj.io (is Argo Rollouts installed?)`, 404);
}

export interface PromoteOptions {
  /** Skip remaining steps, analysis and pauses (`promote --full`). */
  full?: boolean;
}

/** Promotes a paused rollout to its next step (or fully); returns the rollout as written. */
export async function promoteRollout(client: ClusterClient, namespace: string, name: string, options: PromoteOptions = {}): Promise<ArgoRolloutInfo> {
  await requireRollouts(client);
  const rollout = await client.get('Rollout', namespace, name);
  const spec = (rollout.spec ?? {}) as Json;
  const status = (rollout.status ?? {}) as Json;
  const canary = ((spec.strategy as Json | undefined)?.canary ?? undefined) as Json | undefined;
  const steps = Array.isArray(canary?.steps) ? (canary.steps as unknown[]) : [];
  let specPatch: Json | undefined;
  let status_: Json | undefined;
  let unified: Json | undefined;
  if (options.full) {
    if (status.currentPodHash !== status.stableRS) status_ = { status: { promoteFull: true } };
  } else {
    unified = { spec: { paused: false }, status: { pauseConditions: null } };
    if (spec.paused === true) specPatch = { spec: { paused: false } };
    if (Array.isArray(status.pauseConditions) && status.pauseConditions.length > 0) status_ = { status: { pauseConditions: null } };
    else if (canary && steps.length > 0) {
      // Only one of the two: clear the pause, or move past the current step (a step running analysis).
      let index = typeof status.currentStepIndex === 'number' ? status.currentStepIndex : 0;
      if (index < steps.length) index++;
      status_ = { status: { pauseConditions: null, currentStepIndex: index } };
      unified = { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: index } };
    }
  }
  let written = rollout;
  if (status_) {
    try {
      written = await client.mergePatch('Rollout', namespace, name, status_, 'status');
    } catch (error) {
      if (!(error instanceof ClusterError && error.kind === 'not-found')) throw error;
      specPatch = unified;
    }
  }
  if (specPatch) written = await client.mergePatch('Rollout', namespace, name, specPatch);
  return rolloutInfo(written);
}

/** Stops the rollout and sends all traffic back to the stable ReplicaSet. */
export async function abortRollout(client: ClusterClient, namespace: string, name: string): Promise<ArgoRolloutInfo> {
  await requireRollouts(client);
  return rolloutInfo(await statusPatch(client, namespace, name, { status: { abort: true } }));
}

/** Restarts an aborted rollout. */
export async function retryRollout(client: ClusterClient, namespace: string, name: string): Promise<ArgoRolloutInfo> {
  await requireRollouts(client);
  return rolloutInfo(await statusPatch(client, namespace, name, { status: { abort: false } }));
}
