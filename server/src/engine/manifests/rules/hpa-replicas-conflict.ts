import { scopeOf } from '../lookup';
import { get } from '../model';
import { HPA, hpasTargeting, sameApp, scaleTarget, targets } from '../replicas';
import type { ManifestRule } from '../rule';
import { describesScope } from '../traffic';

const SCALED_KINDS = ['Deployment', 'StatefulSet', 'Rollout'];

export const hpaReplicasConflict: ManifestRule = {
  id: 'hpa-replicas-conflict',
  severity: 'warning',
  summary:
    'spec.replicas written on a workload an HPA scales (each apply resets the scale); an HPA whose target does not exist, or that another HPA targets too.',
  kinds: [...SCALED_KINDS, HPA],
  check(object, ctx, report) {
    if (object.kind === HPA) {
      const target = scaleTarget(object);
      if (!target || !SCALED_KINDS.includes(target.kind)) return;
      const scope = scopeOf(object);
      const rival = ctx.lookup.all(HPA, scope).find((other) => other !== object && targets(other, target.kind, target.name) && sameApp(object, other));
      if (rival) {
        report({
          path: ['spec', 'scaleTargetRef', 'name'],
          message: `HorizontalPodAutoscaler ${object.name} and ${rival.name} both scale ${target.kind} ${target.name}: the HPA controller stops both (ScalingActive false, AmbiguousSelector: "controlled by multiple HPAs"), so the workload no longer scales under load. Keep one HPA per workload (is one of them meant for another target?).`,
          related: [{ object: rival, path: ['spec', 'scaleTargetRef', 'name'], message: `${rival.name} also scales ${target.kind} ${target.name}` }],
        });
      }
      const candidates = ctx.lookup.all(target.kind, scope);
      // Unknown is not missing: only judged where the workspace describes that kind in this namespace, and no Helm chart it does not render may create the target.
      if (!describesScope(candidates, scope) || candidates.some((c) => c.name === target.name) || ctx.lookup.chartMayCreate(target.name)) return;
      const names = candidates.map((c) => c.name).filter(Boolean);
      report({
        path: ['spec', 'scaleTargetRef', 'name'],
        message: `HorizontalPodAutoscaler ${object.name} scales ${target.kind} ${target.name}, which is not in the workspace (${target.kind}s here: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}): the HPA reports FailedGetScale and scales nothing, so the workload stays at its replica count under load.`,
      });
      return;
    }
    const replicas = get(object.data, ['spec', 'replicas']);
    if (replicas === undefined || replicas === null) return;
    const hpa = hpasTargeting(ctx.lookup, object)[0];
    if (!hpa) return;
    const range = [get(hpa.data, ['spec', 'minReplicas']) ?? 1, get(hpa.data, ['spec', 'maxReplicas'])].map(String).join('–');
    report({
      path: ['spec', 'replicas'],
      on: 'key',
      message: `${object.kind} ${object.name} sets replicas: ${String(replicas)} while HorizontalPodAutoscaler ${hpa.name} scales it (${range}): every apply resets the scale to ${String(replicas)}, so a release during peak load first scales the workload down (and the HPA scales it back up minutes later). Remove spec.replicas and let the HPA own it.`,
      related: [{ object: hpa, path: ['spec', 'scaleTargetRef'], message: `${hpa.name} scales ${object.kind} ${object.name}` }],
    });
  },
};
