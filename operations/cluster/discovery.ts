/**
 * Discovery: from the objects of a namespace (VirtualServices, DestinationRules, Services,
 * Deployments, Argo Rollouts) to canaries. A canary route is a VirtualService http route with
 * two or more weighted destinations; each destination is mapped to its workloads through the
 * DestinationRule subset's labels and the Service's selector. Pure functions: the watcher and
 * the one-shot reads share them.
 */
import { serviceOfHost } from '../../server/src/engine/manifests/model';
import type { KubeObject } from './client';
import type { ArgoRolloutInfo, Canary, CanaryDestination, CanaryRoute, CanaryTarget, DestinationRole, Workload } from './model';

/** Host → Service: the linter's resolution, so the editor's findings and the cluster views agree. */
export { serviceOfHost };

/** The objects discovery reads, for one or more namespaces. */
export interface ClusterSnapshot {
  virtualServices: KubeObject[];
  destinationRules: KubeObject[];
  services: KubeObject[];
  deployments: KubeObject[];
  /** Empty when the Argo Rollouts CRD is not installed. */
  rollouts: KubeObject[];
  /** Namespaces whose objects could not be read, with the reason (a destination there shows it). */
  unreadable?: Map<string, string>;
}

type Json = Record<string, unknown>;
const asRecord = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const asLabels = (value: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(asRecord(value)).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** Namespaces other than its own whose Services a VirtualService routes to (FQDN hosts). */
export function routedNamespaces(virtualService: KubeObject): Set<string> {
  const own = virtualService.metadata.namespace ?? 'default';
  const namespaces = new Set<string>();
  for (const route of (virtualService.spec?.http as { route?: { destination?: { host?: string } }[] }[] | undefined) ?? [])
    for (const d of route.route ?? []) {
      const namespace = d.destination?.host ? serviceOfHost(d.destination.host, own)?.namespace : undefined;
      if (namespace && namespace !== own) namespaces.add(namespace);
    }
  return namespaces;
}

/** The short name of a host, for gate templates ({{service}}, {{subset}} of a host split). */
export const hostShortName = (host: string): string => host.split('.')[0]!;

export function imageTag(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1);
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon >= 0 ? image.slice(colon + 1) : 'latest';
}

function workloadOf(kind: Workload['kind'], object: KubeObject): Workload {
  const spec = asRecord(object.spec);
  const status = asRecord(object.status);
  const containers = asArray(asRecord(asRecord(spec.template).spec).containers).map(asRecord);
  const images = containers.map((c) => asString(c.image)).filter((i): i is string => !!i);
  return {
    kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    desired: typeof spec.replicas === 'number' ? spec.replicas : 1,
    ready: typeof status.readyReplicas === 'number' ? status.readyReplicas : 0,
    images,
    imageTag: images[0] ? imageTag(images[0]) : '',
  };
}

const podLabelsOf = (object: KubeObject): Record<string, string> => asLabels(asRecord(asRecord(asRecord(object.spec).template).metadata).labels);
const matches = (labels: Record<string, string>, selector: Record<string, string>): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The routes of a Rollout's istio trafficRouting: which VirtualServices (and routes) it manages. */
function rolloutVirtualServices(rollout: KubeObject): { name: string; routes: string[] }[] {
  const istio = asRecord(asRecord(asRecord(asRecord(asRecord(rollout.spec).strategy).canary).trafficRouting).istio);
  const refs = [istio.virtualService, ...asArray(istio.virtualServices)].map(asRecord).filter((r) => asString(r.name));
  return refs.map((r) => ({ name: asString(r.name)!.split('.')[0]!, routes: asArray(r.routes).filter((x): x is string => typeof x === 'string') }));
}

export function rolloutInfo(rollout: KubeObject): ArgoRolloutInfo {
  const spec = asRecord(rollout.spec);
  const status = asRecord(rollout.status);
  const canary = asRecord(asRecord(spec.strategy).canary);
  const steps = asArray(canary.steps).map(asRecord);
  const istio = asRecord(asRecord(canary.trafficRouting).istio);
  const destinationRule = asRecord(istio.destinationRule);
  const currentStepIndex = typeof status.currentStepIndex === 'number' ? status.currentStepIndex : steps.length ? 0 : undefined;
  let setWeight: number | undefined;
  if (currentStepIndex !== undefined) {
    if (currentStepIndex >= steps.length && steps.length) setWeight = 100;
    for (let i = Math.min(currentStepIndex, steps.length - 1); i >= 0 && setWeight === undefined; i--)
      if (typeof steps[i]!.setWeight === 'number') setWeight = steps[i]!.setWeight as number;
  }
  return {
    namespace: rollout.metadata.namespace ?? '',
    name: rollout.metadata.name,
    phase: asString(status.phase) ?? 'Unknown',
    message: asString(status.message),
    paused: spec.paused === true || asArray(status.pauseConditions).length > 0,
    aborted: status.abort === true,
    currentStepIndex,
    stepCount: steps.length,
    setWeight,
    virtualServices: rolloutVirtualServices(rollout),
    canarySubset: asString(destinationRule.canarySubsetName),
    stableSubset: asString(destinationRule.stableSubsetName),
    canaryService: asString(canary.canaryService),
    stableService: asString(canary.stableService),
    workload: workloadOf('Rollout', rollout),
  };
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Every canary (VirtualService with a weighted route) in the snapshot, in namespace/name order. */
export function buildCanaries(snapshot: ClusterSnapshot): Canary[] {
  const services = new Map(snapshot.services.map((s) => [key(s.metadata.namespace ?? '', s.metadata.name), s]));
  const rollouts = snapshot.rollouts.map((r) => ({ object: r, info: rolloutInfo(r) }));
  const canaries: Canary[] = [];
  for (const vs of snapshot.virtualServices) {
    const canary = buildCanary(vs, snapshot, services, rollouts);
    if (canary) canaries.push(canary);
  }
  return canaries.sort((a, b) => a.id.localeCompare(b.id));
}

function buildCanary(
  vs: KubeObject,
  snapshot: ClusterSnapshot,
  services: Map<string, KubeObject>,
  rollouts: { object: KubeObject; info: ArgoRolloutInfo }[],
): Canary | undefined {
  const namespace = vs.metadata.namespace ?? '';
  const spec = asRecord(vs.spec);
  const http = asArray(spec.http).map(asRecord);
  const rollout = rollouts.find((r) => r.info.namespace === namespace && r.info.virtualServices.some((v) => v.name === vs.metadata.name))?.info;
  const warnings: string[] = [];
  const routes: CanaryRoute[] = [];
  http.forEach((route, index) => {
    const raw = asArray(route.route).map(asRecord);
    if (raw.length < 2) return;
    if (!raw.some((d) => typeof d.weight === 'number')) return;
    const destinations = raw.map((d, position): CanaryDestination => {
      const destination = asRecord(d.destination);
      const host = asString(destination.host) ?? '';
      const subset = asString(destination.subset);
      const port = typeof asRecord(destination.port).number === 'number' ? (asRecord(destination.port).number as number) : undefined;
      return {
        host,
        subset,
        port,
        weight: typeof d.weight === 'number' ? d.weight : 0,
        role: roleOf(host, namespace, subset, position, rollout),
        workloads: [],
      };
    });
    for (const destination of destinations) resolveDestination(destination, namespace, snapshot, services, rollouts, warnings, vs.metadata.name);
    routes.push({
      index,
      name: asString(route.name),
      destinations,
      canaryWeight: destinations.filter((d) => d.role === 'canary').reduce((sum, d) => sum + d.weight, 0),
    });
  });
  if (routes.length === 0) return undefined;
  return {
    id: key(namespace, vs.metadata.name),
    namespace,
    name: vs.metadata.name,
    resourceVersion: vs.metadata.resourceVersion ?? '',
    hosts: asArray(spec.hosts).filter((h): h is string => typeof h === 'string'),
    routes,
    rollout,
    warnings: [...new Set(warnings)],
  };
}

/**
 * Which destination is the canary: the one an Argo Rollout names (canarySubsetName or
 * canaryService, a Service of the Rollout's namespace), otherwise every destination but the first
 * (the first is the stable one, as in Istio's and Argo's examples).
 */
function roleOf(host: string, vsNamespace: string, subset: string | undefined, position: number, rollout: ArgoRolloutInfo | undefined): DestinationRole {
  if (rollout?.canarySubset && subset) return subset === rollout.canarySubset ? 'canary' : 'stable';
  if (rollout?.canaryService && !subset) {
    const service = serviceOfHost(host, vsNamespace);
    return service?.name === rollout.canaryService && service.namespace === rollout.namespace ? 'canary' : 'stable';
  }
  return position === 0 ? 'stable' : 'canary';
}

function resolveDestination(
  destination: CanaryDestination,
  vsNamespace: string,
  snapshot: ClusterSnapshot,
  services: Map<string, KubeObject>,
  rollouts: { object: KubeObject; info: ArgoRolloutInfo }[],
  warnings: string[],
  vsName: string,
): void {
  const where = `${destination.host}${destination.subset ? ` subset ${destination.subset}` : ''}`;
  const ref = serviceOfHost(destination.host, vsNamespace);
  if (!ref) {
    destination.problem = `${destination.host} is not a Service of this cluster`;
    return;
  }
  const unreadable = snapshot.unreadable?.get(ref.namespace);
  if (unreadable) {
    destination.problem = unreadable;
    warnings.push(`${where}: ${unreadable}`);
    return;
  }
  const service = services.get(key(ref.namespace, ref.name));
  if (!service) {
    destination.problem = `no Service ${ref.namespace}/${ref.name}`;
    warnings.push(`${where}: ${destination.problem}`);
    return;
  }
  destination.service = ref;
  const selector = asLabels(asRecord(service.spec).selector);
  if (Object.keys(selector).length === 0) {
    destination.problem = `Service ${ref.namespace}/${ref.name} has no selector`;
    warnings.push(`${where}: ${destination.problem}`);
    return;
  }
  if (destination.subset) {
    const rule = findDestinationRule(snapshot.destinationRules, ref, vsNamespace);
    if (!rule) {
      destination.problem = `no DestinationRule for ${ref.name}.${ref.namespace} defines subset ${destination.subset}`;
      warnings.push(`${where}: ${destination.problem} (VirtualService ${vsName} routes to it)`);
      return;
    }
    const subset = asArray(asRecord(rule.spec).subsets)
      .map(asRecord)
      .find((s) => s.name === destination.subset);
    if (!subset) {
      destination.problem = `DestinationRule ${rule.metadata.namespace}/${rule.metadata.name} has no subset ${destination.subset}`;
      warnings.push(`${where}: ${destination.problem}`);
      return;
    }
    Object.assign(selector, asLabels(subset.labels));
  }
  destination.selector = selector;
  const owners = [
    ...snapshot.deployments.filter((d) => d.metadata.namespace === ref.namespace).map((d) => ({ kind: 'Deployment' as const, object: d })),
    ...rollouts.filter((r) => r.info.namespace === ref.namespace).map((r) => ({ kind: 'Rollout' as const, object: r.object })),
  ];
  destination.workloads = owners.filter((o) => matches(podLabelsOf(o.object), selector)).map((o) => workloadOf(o.kind, o.object));
  if (destination.workloads.length === 0) {
    destination.problem = `no Deployment or Rollout in ${ref.namespace} has pods labelled ${Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`;
    warnings.push(`${where}: ${destination.problem}`);
  }
}

/** The DestinationRule for a Service: one in the VirtualService's namespace first, then in the Service's. */
function findDestinationRule(rules: KubeObject[], service: { namespace: string; name: string }, vsNamespace: string): KubeObject | undefined {
  const forService = rules.filter((r) => {
    const host = asString(asRecord(r.spec).host);
    if (!host) return false;
    const ref = serviceOfHost(host, r.metadata.namespace ?? '');
    return ref?.namespace === service.namespace && ref.name === service.name;
  });
  return forService.find((r) => r.metadata.namespace === vsNamespace) ?? forService.find((r) => r.metadata.namespace === service.namespace) ?? forService[0];
}

/** Selects a route by name or by its position in spec.http; without a name, the only weighted route. */
export function selectRoute(canary: Canary, route?: string): CanaryRoute {
  if (route === undefined) {
    if (canary.routes.length === 1) return canary.routes[0]!;
    throw new RouteSelectionError(
      `VirtualService ${canary.id} has ${canary.routes.length} weighted routes (${canary.routes.map(routeLabel).join(', ')}); choose one with --route NAME`,
    );
  }
  const found = canary.routes.find((r) => r.name === route) ?? (/^\d+$/.test(route) ? canary.routes.find((r) => r.index === Number(route)) : undefined);
  if (!found)
    throw new RouteSelectionError(
      `VirtualService ${canary.id} has no weighted route "${route}" (weighted routes: ${canary.routes.map(routeLabel).join(', ')})`,
    );
  return found;
}

export class RouteSelectionError extends Error {}

export const routeLabel = (route: CanaryRoute): string => route.name ?? `http[${route.index}]`;

/** The gate target of a canary route: its stable and canary subsets (or hosts, for a host split). */
export function canaryTarget(canary: Canary, route: CanaryRoute = canary.routes[0]!): CanaryTarget {
  const stable = route.destinations.find((d) => d.role === 'stable') ?? route.destinations[0]!;
  const canaryDestination = route.destinations.find((d) => d.role === 'canary') ?? route.destinations[1]!;
  return {
    name: canary.id,
    namespace: canary.namespace,
    service: stable.service?.name ?? hostShortName(stable.host),
    subsets: { stable: stable.subset ?? hostShortName(stable.host), canary: canaryDestination.subset ?? hostShortName(canaryDestination.host) },
    canaryWeight: route.canaryWeight,
  };
}
