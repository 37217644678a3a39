import { asString, get, isEmptySelector, isIstio, stringMap } from '../model';
import type { ManifestRule } from '../rule';
import { describeLabels, findServices, hasWorkloads, hostService, namespaceKnown, podsSelectedBy, subsetsOf } from '../traffic';

export const subsetSelectsNoPods: ManifestRule = {
  id: 'subset-selects-no-pods',
  severity: 'warning',
  summary: "A DestinationRule subset whose labels (with the Service's selector) match no workload's pods: traffic sent to it fails with 503.",
  kinds: ['DestinationRule'],
  check(object, ctx, report) {
    if (!isIstio(object)) return;
    const host = asString(get(object.data, ['spec', 'host']));
    const subsets = subsetsOf(object).filter((s) => s.hasLabels);
    if (!host || subsets.length === 0) return;
    const service = hostService(host, object);
    if (!service || (service.form === 'namespaced' && !namespaceKnown(ctx.lookup, service.scope!))) return;
    // The subset picks endpoints of the host's Service: without that Service (or without any
    // workload in its namespace) the workspace does not describe these pods.
    const svc = findServices(ctx.lookup, service.name, service.scope)[0];
    const selector = svc ? get(svc.data, ['spec', 'selector']) : undefined;
    if (!svc || !selector || isEmptySelector(selector)) return;
    // A Service without namespace goes wherever its workloads go: any workload describes its pods.
    if (!hasWorkloads(ctx.lookup, svc.namespaceWritten ? svc.namespace : undefined)) return;
    const serviceLabels = stringMap(selector);
    // The Service's pods come from a Helm chart that is not rendered: their labels are unknown, not missing.
    if (Object.values(serviceLabels).every((value) => ctx.lookup.chartMayCreate(value))) return;
    for (const subset of subsets) {
      const combined = { ...serviceLabels, ...subset.labels };
      if (podsSelectedBy(ctx.lookup, combined, service.scope).length > 0) continue;
      const serviceOnly = podsSelectedBy(ctx.lookup, serviceLabels, service.scope);
      const versions = [
        ...new Set(serviceOnly.map((p) => describeLabels(Object.fromEntries(Object.keys(subset.labels).map((k) => [k, p.labels[k] ?? '(unset)']))))),
      ];
      const seen = versions.length ? ` The Service's pods carry ${versions.slice(0, 4).join('; ')}.` : '';
      report({
        path: ['spec', 'subsets', subset.index, 'labels'],
        on: 'key',
        message: `Subset ${subset.name} of DestinationRule ${object.name || '(unnamed)'} selects ${describeLabels(subset.labels)} among the pods of Service ${svc.name} (${describeLabels(serviceLabels)}), but no workload in the workspace has pods with all these labels: the subset has no endpoints, so traffic routed to it fails with 503 (no healthy upstream) — shifting canary weight to it breaks that share of requests. Make the labels match the canary's pod template labels.${seen}`,
        related: [{ object: svc, path: ['spec', 'selector'], message: `Service ${svc.name} selects ${describeLabels(serviceLabels)}` }],
      });
    }
  },
};
