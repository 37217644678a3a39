import { replaceValue } from '../edits';
import { asArray, get, isIstio } from '../model';
import type { ManifestRule } from '../rule';
import { allDestinations, findServices, hostService, isCoreService, namespaceKnown, ownsNamespace, sameHost, scopeOf, servicesIn } from '../traffic';
import type { ManifestContext, ManifestReport } from '../rule';
import type { ManifestObject } from '../yaml';
import { ingressBackends } from './_ingress-backends';

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

export const unknownDestinationHost: ManifestRule = {
  id: 'unknown-destination-host',
  severity: 'error',
  summary: 'A VirtualService destination or an Ingress backend names a Service that is not in the workspace: that traffic fails with 503.',
  kinds: ['VirtualService', 'Ingress'],
  check(object, ctx, report) {
    if (object.kind === 'Ingress') return checkIngress(object, ctx, report);
    for (const destination of allDestinations(object)) {
      const host = destination.host;
      if (!host) continue;
      const service = hostService(host, object);
      // Hosts outside the cluster (external names, wildcards, IPs) are ServiceEntry business.
      if (!service) continue;
      // `name.ns` is a Service only in a namespace the workspace knows (`httpbin.org` has the same shape).
      if (service.form === 'namespaced' && !namespaceKnown(ctx.lookup, service.scope!)) continue;
      const inScope = servicesIn(ctx.lookup, service.scope);
      // A namespace the workspace does not own (no Service of it in this app, no Namespace object): it cannot tell.
      if (!ownsNamespace(ctx.lookup, inScope, service.scope, object)) continue;
      if (findServices(ctx.lookup, service.name, service.scope).length) continue;
      // A ServiceEntry can declare any host, short names included.
      const entries = ctx.lookup.all('ServiceEntry', undefined).filter(isIstio);
      if (entries.some((e) => asArray(get(e.data, ['spec', 'hosts'])).some((h) => typeof h === 'string' && sameHost(host, object, h, e)))) continue;

      const elsewhere = ctx.lookup
        .all('Service', undefined)
        .filter((s) => isCoreService(s) && s.name === service.name && s.namespaceWritten)
        .map((s) => s.namespace);
      const where = service.scope ? ` in namespace ${service.scope}` : '';
      const resolution =
        service.form === 'short' ? (object.namespaceWritten ? ` (a short name resolves in the VirtualService's namespace, ${object.namespace})` : '') : '';
      const path = [...destination.path, 'host'];
      const candidates = elsewhere.length
        ? elsewhere.map((ns) => `${service.name}.${ns}.svc.cluster.local`)
        : inScope
            .map((s) => s.name)
            .filter((name, i, all) => all.indexOf(name) === i && distance(name, service.name) <= Math.max(1, Math.floor(service.name.length / 4)))
            .map((name) => (service.form === 'short' ? name : host.replace(service.name, name)));
      const fixes = candidates.slice(0, 3).flatMap((candidate) => {
        const edit = replaceValue(object, path, candidate);
        return edit ? [{ title: `Use host ${candidate}`, edits: [edit], preferred: candidates.length === 1 }] : [];
      });
      const suggestion = elsewhere.length
        ? ` Service ${service.name} exists in namespace ${elsewhere.join(', ')}: write its full name, ${candidates[0]}.`
        : candidates.length
          ? ` Did you mean ${candidates.map((c) => `\`${c}\``).join(', ')}?`
          : ' Point the destination at an existing Service, or add the Service (or a ServiceEntry for an outside host).';
      report({
        path,
        message: `Host \`${host}\` names no Service${where} in the workspace${resolution}: Istio has no cluster for it, so traffic routed here fails with 503 — during a canary, the share sent to this destination fails.${suggestion}`,
        fixes,
      });
    }
  },
};

/** An Ingress backend must name a Service of its namespace, where the workspace describes that namespace's Services. */
function checkIngress(object: ManifestObject, ctx: ManifestContext, report: (finding: ManifestReport) => void): void {
  const scope = scopeOf(object);
  const inScope = servicesIn(ctx.lookup, scope);
  // Unknown is not missing: the Ingress's own deploy unit has Services of its namespace, or the workspace owns that namespace.
  if (!inScope.some((s) => ctx.lookup.inUnit(s)) && (scope === undefined || !ownsNamespace(ctx.lookup, inScope, scope, object))) return;
  for (const backend of ingressBackends(object)) {
    if (findServices(ctx.lookup, backend.service, scope).length) continue;
    const near = [...new Set(inScope.map((s) => s.name))].filter(
      (name) => distance(name, backend.service) <= Math.max(1, Math.floor(backend.service.length / 4)),
    );
    const fixes = near.slice(0, 3).flatMap((name) => {
      const edit = replaceValue(object, backend.path, name);
      return edit ? [{ title: `Use Service ${name}`, edits: [edit], preferred: near.length === 1 }] : [];
    });
    report({
      path: backend.path,
      message: `Ingress ${object.name || '(unnamed)'} sends requests to Service ${backend.service}, which is not in the workspace${scope ? ` (namespace ${scope})` : ''}: the ingress controller has no endpoints for it, so those requests fail with 503.${near.length ? ` Did you mean ${near.map((n) => `\`${n}\``).join(', ')}?` : ' Point the backend at an existing Service, or add the Service.'}`,
      fixes,
    });
  }
}
