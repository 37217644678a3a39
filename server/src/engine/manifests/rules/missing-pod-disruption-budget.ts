import { asRecord, selectorMatches } from '../model';
import { minimumReplicas } from '../replicas';
import type { ManifestRule } from '../rule';
import { cachedPodTemplate, isCoreService, scopeOf, servicesMaySelect, workloadRefTarget } from '../traffic';
import { describeObject } from './_pod';

export const missingPodDisruptionBudget: ManifestRule = {
  id: 'missing-pod-disruption-budget',
  severity: 'info',
  summary: 'A multi-replica workload behind a Service with no PodDisruptionBudget: a node drain may evict all its pods at once.',
  kinds: ['Deployment', 'StatefulSet', 'Rollout'],
  check(object, ctx, report) {
    const replicas = minimumReplicas(ctx.lookup, object);
    if (replicas === undefined || replicas < 2) return;
    const scope = scopeOf(object);
    const target = object.kind === 'Rollout' ? workloadRefTarget(ctx.lookup, object) : undefined;
    const labels = (cachedPodTemplate(object) ?? (target && cachedPodTemplate(target)))?.labels;
    if (!labels) return;
    const serving = servicesMaySelect(ctx.lookup, scope, labels).some((s) => isCoreService(s) && selectorMatches(asRecord(s.data.spec).selector, labels));
    if (!serving) return;
    if (ctx.lookup.all('PodDisruptionBudget', scope).some((pdb) => selectorMatches(asRecord(pdb.data.spec).selector, labels))) return;
    const replicasWritten = asRecord(object.data.spec).replicas !== undefined;
    report({
      path: replicasWritten ? ['spec', 'replicas'] : ['kind'],
      on: 'key',
      message: `${describeObject(object)} serves traffic with ${replicas} replicas, but no PodDisruptionBudget selects its pods: a node drain (a cluster upgrade, the autoscaler removing a node) may evict all of them at once, and the Service has no endpoints until they are rescheduled. Add a PodDisruptionBudget with maxUnavailable: 1 selecting its pods.`,
    });
  },
};
