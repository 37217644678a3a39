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
import { describeFinding, type BlockingFinding, type NewVersionCheck } from './new-version';
import { readCanary, type CanaryRef } from './read';
import { overrideMatches, promoteCanary, rollbackCanary, setCanaryWeight, stepCanary, type WeightChangeOptions, type WeightChangeResult } from './weights';

export type CanaryAction = 'set-weight' | 'step' | 'promote' | 'rollback' | 'retry';

export type CanaryChange = (
  | { kind: 'weights'; canary: Canary; result: WeightChangeResult }
  | { kind: 'rollout'; canary: Canary; action: Exclude<CanaryAction, 'set-weight'>; rollout: ArgoRolloutInfo }
) & {
  /** Findings on the new version that --override let through (recorded, as gate overrides are). */
  overriddenFindings?: BlockingFinding[];
};

export interface CanaryChangeOptions extends WeightChangeOptions {
  /** The weight of set-weight. */
  percent?: number;
  /** Checks the canary's new version (new-version.ts): its blocking findings refuse any move past 0 %, unless overridden by name. */
  newVersionCheck?: NewVersionCheck;
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
  const overriddenFindings = await checkNewVersion(canary, action, options);
  const change = await carryOut(client, canary, ref, action, options);
  return overriddenFindings.length ? { ...change, overriddenFindings } : change;
}

async function carryOut(
  client: ClusterClient,
  canary: Canary,
  ref: CanaryRef | string,
  action: CanaryAction,
  options: CanaryChangeOptions,
): Promise<CanaryChange> {
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

/**
 * Refuses to give traffic to a canary whose new version has blocking findings (a Secret key the
 * cluster lacks…); returns the findings an override let through. Rollback is never refused.
 */
async function checkNewVersion(canary: Canary, action: CanaryAction, options: CanaryChangeOptions): Promise<BlockingFinding[]> {
  const forward = action === 'step' || action === 'promote' || (action === 'set-weight' && (options.percent ?? 0) > 0);
  if (!forward || !options.newVersionCheck) return [];
  const findings = await options.newVersionCheck(canary);
  if (!findings.length) return [];
  if (overrideMatches(canary, options.override)) return findings;
  const first = findings[0]!;
  throw new ClusterError(
    'refused',
    `${action} of ${canary.id} refused: its new version fails the configuration check: ${describeFinding(first)}${findings.length > 1 ? ` (and ${findings.length - 1} more)` : ''}. To go ahead anyway, confirm with --override ${canary.rollout?.name ?? canary.name}`,
  );
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
  const overridden = change.overriddenFindings?.length;
  const said = describeMove(change);
  return overridden ? `${said} (override: moved despite ${overridden} configuration finding${overridden > 1 ? 's' : ''} on the new version)` : said;
}

function describeMove(change: CanaryChange): string {
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
