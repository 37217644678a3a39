import { asRecord, isEmptySelector, type Json } from '../model';
import type { Lookup, NamespaceScope } from '../lookup';
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
    // A workspace without any workload in this namespace does not describe the pods: nothing to compare with. Without a
    // namespace, only the Service's own deploy unit does (another folder's workloads are another app's).
    if (!hasWorkloads(ctx.lookup, scope)) return;
    if (scope === undefined && !workloadsIn(ctx.lookup, scope).some((w) => ctx.lookup.inUnit(w.object))) return;
    if (podsSelectedBy(ctx.lookup, selector, scope).length > 0 || operatorMayRunPods(ctx.lookup, selector, scope)) return;
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

/**
 * API groups whose objects configure traffic, monitoring, certificates or scaling, or that this
 * tool models (Argo Rollouts): never pods of their own. Their names often repeat an app's (a
 * ServiceMonitor `web`), which says nothing of the app's pods.
 */
const NO_POD_GROUPS = /^monitoring\.|(^|\.)(k8s\.io|istio\.io|keda\.sh|cert-manager\.io|argoproj\.io|fluxcd\.io)$/;

/** A custom resource of an API group that may run pods (an operator's: a database cluster, a LeaderWorkerSet). */
function isOperatorResource(object: { apiVersion: string }): boolean {
  const slash = object.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : object.apiVersion.slice(0, slash);
  return group.includes('.') && !NO_POD_GROUPS.test(group);
}

/**
 * Whether an operator may run the pods a selector picks: a custom resource in scope named by one of
 * its values (`cnpg.io/cluster: pg`, `leaderworkerset.sigs.k8s.io/name: vllm`), or whose spec has pod
 * labels the selector matches. The operator labels the pods it creates: unknown, not missing.
 */
function operatorMayRunPods(lookup: Lookup, selector: unknown, scope: NamespaceScope): boolean {
  const wanted = Object.entries(asRecord(selector)).map(([key, value]) => [key, String(value)] as const);
  const values = new Set(wanted.map(([, value]) => value));
  const matches = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(matches);
    if (!node || typeof node !== 'object') return false;
    const labels = asRecord((node as Json).labels);
    if (wanted.every(([key, value]) => labels[key] === value)) return true;
    return Object.values(node).some(matches);
  };
  return lookup.kinds().some((kind) => {
    const first = lookup.untracked(kind)[0];
    if (!first || !isOperatorResource(first)) return false;
    return lookup.all(kind, scope).some((o) => isOperatorResource(o) && (values.has(o.name) || matches(o.data.spec)));
  });
}
