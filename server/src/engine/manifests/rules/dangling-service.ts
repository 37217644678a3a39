import { asRecord, isEmptySelector } from '../model';
import type { ManifestRule } from '../rule';
import { describeLabels, describeSelector, hasWorkloads, isCoreService, podsSelectedBy, withoutControllerLabels, scopeOf, workloadsIn } from '../traffic';
import { describeObject } from './_pod';

export const danglingService: ManifestRule = {
  id: 'dangling-service',
  severity: 'warning',
  summary: 'A Service whose selector matches no workload in the workspace has no endpoints: every request to it fails.',
  kinds: ['Service'],
  check(object, ctx, report) {
    if (!isCoreService(object)) return;
    const spec = asRecord(object.data.spec);
    const selector = spec.selector;
    // ExternalName Services and Services without selector (Endpoints managed by hand) select no pods on purpose.
    if (spec.type === 'ExternalName' || selector === undefined || selector === null || isEmptySelector(selector)) return;
    const scope = scopeOf(object);
    // A workspace without any workload in this namespace does not describe the pods: nothing to compare with.
    if (!hasWorkloads(ctx.lookup, scope)) return;
    if (podsSelectedBy(ctx.lookup, selector, scope).length > 0) return;
    // Suggest the workload that shares the most labels with the selector.
    const wanted = asRecord(withoutControllerLabels(selector));
    let best: { name: string; labels: Record<string, string>; score: number } | undefined;
    for (const { object: workload, template } of workloadsIn(ctx.lookup, scope)) {
      const labels = template.labels;
      const score = Object.entries(wanted).filter(([k, v]) => labels[k] === String(v)).length + Object.keys(wanted).filter((k) => k in labels).length / 10;
      if (score > 0 && (!best || score > best.score)) best = { name: describeObject(workload), labels, score };
    }
    const hint = best ? ` (${best.name} has pods labelled ${describeLabels(best.labels)})` : '';
    report({
      path: ['spec', 'selector'],
      on: 'key',
      message: `Service ${object.name || '(unnamed)'} selects ${describeSelector(selector)}, but no workload in the workspace has pods with these labels: the Service has no endpoints, so every request to it fails, and a canary routed through it gets no traffic at all. Make the selector match the labels of the pod template it fronts${hint}.`,
    });
  },
};
