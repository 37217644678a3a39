import { asRecord, isEmptySelector } from '../model';
import { minimumReplicas } from '../replicas';
import type { ManifestRule } from '../rule';
import { podsSelectedBy, scopeOf } from '../traffic';
import { describeObject } from './_pod';

const isZero = (value: unknown): boolean => value === 0 || (typeof value === 'string' && /^0+%?$/.test(value.trim()));

/** minAvailable as a pod count: percentages round up, as the disruption controller does. */
function podsRequired(value: unknown, pods: number): number | undefined {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^(\d+)%$/.exec(value.trim()) : null;
  return match ? Math.ceil((Number(match[1]) * pods) / 100) : undefined;
}

export const pdbBlocksRollout: ManifestRule = {
  id: 'pdb-blocks-rollout',
  severity: 'warning',
  summary: 'A PodDisruptionBudget that allows no disruption (minAvailable ≥ replicas, maxUnavailable 0): node drains and cluster upgrades hang.',
  kinds: ['PodDisruptionBudget'],
  check(object, ctx, report) {
    const spec = asRecord(object.data.spec);
    const blocked = `no pod can ever be evicted, so kubectl drain, node-pool upgrades and the cluster autoscaler wait on these pods forever (until someone deletes the PDB by hand)`;
    if (spec.maxUnavailable !== undefined && isZero(spec.maxUnavailable)) {
      report({
        path: ['spec', 'maxUnavailable'],
        message: `PodDisruptionBudget ${object.name} has maxUnavailable ${String(spec.maxUnavailable)}: ${blocked}. Allow one: maxUnavailable: 1.`,
      });
      return;
    }
    if (spec.minAvailable === undefined || spec.minAvailable === null || isEmptySelector(spec.selector)) return;
    const pods = podsSelectedBy(ctx.lookup, spec.selector, scopeOf(object));
    if (pods.length === 0) return;
    const counts = pods.map((p) => (p.variant ? undefined : minimumReplicas(ctx.lookup, p.object)));
    // A DaemonSet's or an Experiment's pod count is not known here: unknown is not "too few".
    if (counts.some((c) => c === undefined)) return;
    const total = counts.reduce<number>((a, b) => a + b!, 0);
    const required = podsRequired(spec.minAvailable, total);
    if (required === undefined || required < total) return;
    const owners = pods.map((p) => describeObject(p.object)).join(', ');
    report({
      path: ['spec', 'minAvailable'],
      message: `PodDisruptionBudget ${object.name} requires minAvailable ${String(spec.minAvailable)}${typeof spec.minAvailable === 'string' ? ` (rounded up: ${required})` : ''} of the ${total} pod(s) it selects (${owners}): ${blocked}. Require fewer than the replicas (minAvailable: ${Math.max(total - 1, 0)}, or maxUnavailable: 1), and run at least 2 replicas.`,
      related: pods.map((p) => ({ object: p.object, path: ['spec', 'replicas'], message: `${describeObject(p.object)}: pods the PDB selects` })),
    });
  },
};
