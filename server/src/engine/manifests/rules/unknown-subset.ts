import { replaceValue } from '../edits';
import type { ManifestRule } from '../rule';
import { allDestinations, destinationRulesFor, findServices, hostService, subsetsOf } from '../traffic';

export const unknownSubset: ManifestRule = {
  id: 'unknown-subset',
  severity: 'error',
  summary: 'A VirtualService routes to a subset that no DestinationRule for its host defines: that traffic fails with 503.',
  kinds: ['VirtualService'],
  check(object, ctx, report) {
    for (const destination of allDestinations(object)) {
      const { host, subset } = destination;
      if (!host || subset === undefined) continue;
      const rules = destinationRulesFor(ctx.lookup, host, object);
      const defined = [...new Set(rules.flatMap((r) => subsetsOf(r).map((s) => s.name)))];
      if (defined.includes(subset)) continue;
      if (rules.length === 0) {
        // Without a DestinationRule for the host, judge only hosts whose Service the workspace has:
        // otherwise the workspace does not describe this host at all (a lone VirtualService file).
        const service = hostService(host, object);
        if (!service || findServices(ctx.lookup, service.name, service.scope).length === 0) continue;
      }
      const path = [...destination.path, 'subset'];
      const fixes = defined.flatMap((name) => {
        const edit = replaceValue(object, path, name);
        return edit ? [{ title: `Use subset ${name}`, edits: [edit], preferred: defined.length === 1 }] : [];
      });
      const where = rules.length
        ? `DestinationRule${rules.length > 1 ? 's' : ''} ${rules.map((r) => r.name).join(', ')} define${rules.length > 1 ? '' : 's'} ${defined.length ? defined.map((s) => `\`${s}\``).join(', ') : 'no subsets'}`
        : 'there is no DestinationRule for this host in the workspace';
      report({
        path,
        message: `subset \`${subset}\` is not defined by any DestinationRule for host \`${host}\` (${where}): Istio has no cluster for it, so requests routed here fail with 503 (no healthy upstream) — during a canary, the share of traffic sent to this subset fails. Define the subset (name and pod labels) in the DestinationRule, applied before this VirtualService, or route to an existing subset.`,
        related: rules.map((r) => ({
          object: r,
          path: subsetsOf(r).length ? ['spec', 'subsets'] : ['spec', 'host'],
          message: `DestinationRule ${r.name} for host ${host} defines ${
            subsetsOf(r).length
              ? subsetsOf(r)
                  .map((s) => s.name)
                  .join(', ')
              : 'no subsets'
          }`,
        })),
        fixes,
      });
    }
  },
};
