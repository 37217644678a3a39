import { asArray, asRecord, containers, isEmptySelector } from '../model';
import type { ManifestRule } from '../rule';
import { isCoreService, podsSelectedBy, scopeOf } from '../traffic';
import { describeObject } from './_pod';

export const unknownTargetPort: ManifestRule = {
  id: 'unknown-target-port',
  severity: 'error',
  summary: "A Service's named targetPort that no container of the selected pods declares: the Service gets no endpoints.",
  kinds: ['Service'],
  check(object, ctx, report) {
    if (!isCoreService(object)) return;
    const spec = asRecord(object.data.spec);
    if (spec.type === 'ExternalName' || spec.selector === undefined || spec.selector === null || isEmptySelector(spec.selector)) return;
    const ports = asArray(spec.ports).map(asRecord);
    if (!ports.some((p) => typeof p.targetPort === 'string' && !/^\d+$/.test(p.targetPort))) return;
    const pods = podsSelectedBy(ctx.lookup, spec.selector, scopeOf(object));
    // Unknown is not missing: no selected pods (dangling-service's case), or pods whose spec is not visible.
    if (pods.length === 0 || pods.some((p) => !p.template)) return;
    const declared = new Set<string>();
    for (const pod of pods) {
      // Init containers too: a sidecar (restartPolicy: Always) serves ports.
      for (const c of containers(pod.template!, true)) for (const p of asArray(c.container.ports)) declared.add(String(asRecord(p).name));
    }
    ports.forEach((port, i) => {
      const name = port.targetPort;
      if (typeof name !== 'string' || /^\d+$/.test(name) || declared.has(name)) return;
      const owners = [...new Set(pods.map((p) => p.object))];
      const known = [...declared].filter((n) => n !== 'undefined');
      report({
        path: ['spec', 'ports', i, 'targetPort'],
        message: `Service ${object.name} sends port ${String(port.port ?? port.name ?? i)} to the container port named \`${name}\`, but no container of the pods it selects (${owners.map(describeObject).join(', ')}) declares a port with that name${known.length ? ` (they declare: ${known.join(', ')})` : ''}: the Service gets no endpoints for it, so every request fails. Name the container port \`${name}\`, or target a declared one.`,
        related: owners.map((owner) => ({ object: owner, path: ['kind'], message: `${describeObject(owner)}: pods the Service selects` })),
      });
    });
  },
};
