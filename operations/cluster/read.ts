/** One-shot reads: the snapshot of a namespace, every canary in it, or one canary by namespace/name. */
import type { ClusterClient, KubeObject, ObjectList } from './client';
import { ClusterError } from './errors';
import { buildCanaries, routedNamespaces, type ClusterSnapshot } from './discovery';
import type { Canary } from './model';

export interface CanaryRef {
  namespace: string;
  name: string;
}

/** Parses `namespace/name`; throws a ClusterError('refused') that says what it expected. */
export function parseCanaryRef(text: string): CanaryRef {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(text);
  if (!match) throw new ClusterError('refused', `expected <namespace>/<virtualservice>, got "${text}"`);
  return { namespace: match[1]!, name: match[3]! };
}

/** Reads every object discovery needs in a namespace (Rollouts only when their CRD is installed). */
export async function readSnapshot(client: ClusterClient, namespace: string): Promise<ClusterSnapshot> {
  if (!(await client.resource('VirtualService')))
    throw new ClusterError('not-found', `the cluster ${client.server} does not serve virtualservices.networking.istio.io (is Istio installed?)`, 404);
  const withRollouts = (await client.resource('Rollout')) !== null;
  const none: ObjectList = { items: [], resourceVersion: '' };
  // A cluster that does not serve DestinationRules or Rollouts has none: their destinations show a warning.
  const optional = (list: Promise<ObjectList>): Promise<ObjectList> =>
    list.catch((error: unknown) => {
      if (error instanceof ClusterError && error.kind === 'not-found') return none;
      throw error;
    });
  const [virtualServices, destinationRules, services, deployments, rollouts] = await Promise.all([
    client.list('VirtualService', namespace),
    optional(client.list('DestinationRule', namespace)),
    client.list('Service', namespace),
    client.list('Deployment', namespace),
    withRollouts ? optional(client.list('Rollout', namespace)) : Promise.resolve(none),
  ]);
  return {
    virtualServices: virtualServices.items,
    destinationRules: destinationRules.items,
    services: services.items,
    deployments: deployments.items,
    rollouts: rollouts.items,
  };
}

export async function listCanaries(client: ClusterClient, namespace: string): Promise<Canary[]> {
  return buildCanaries(await readSnapshot(client, namespace));
}

/**
 * Reads one canary. The VirtualService is read first, so a missing one is a 404 naming it; a
 * VirtualService without a weighted route is refused with that reason. Services and DestinationRules
 * in other namespaces (FQDN hosts) are read too.
 */
export async function readCanary(client: ClusterClient, ref: CanaryRef | string): Promise<Canary> {
  return (await readCanaryObject(client, ref)).canary;
}

/** readCanary, with the VirtualService as read (for writes computed from exactly that version). */
export async function readCanaryObject(client: ClusterClient, ref: CanaryRef | string): Promise<{ canary: Canary; virtualService: KubeObject }> {
  const { namespace, name } = typeof ref === 'string' ? parseCanaryRef(ref) : ref;
  const vs = await client.get('VirtualService', namespace, name);
  const snapshot = await readSnapshot(client, namespace);
  // The list may predate the get (or follow a later write): the object read by name is the one to use.
  snapshot.virtualServices = [vs];
  for (const ns of routedNamespaces(vs)) {
    const other = await readSnapshot(client, ns);
    snapshot.destinationRules.push(...other.destinationRules);
    snapshot.services.push(...other.services);
    snapshot.deployments.push(...other.deployments);
    snapshot.rollouts.push(...other.rollouts);
  }
  const canary = buildCanaries(snapshot)[0];
  if (!canary)
    throw new ClusterError('refused', `VirtualService ${namespace}/${name} has no http route with two or more weighted destinations: it is not a canary`);
  return { canary, virtualService: vs };
}
