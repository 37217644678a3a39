/**
 * The workspace's references (ConfigMaps, Secrets and their keys, ServiceAccounts, PVCs, TLS and
 * pull secrets) resolved against the workspace first, then the live cluster. Each kind is read
 * once per namespace (a SelfSubjectAccessReview, then one list), never once per reference; what
 * the user may not list is "unknown", never "missing". Of a Secret only key NAMES are kept: its
 * values are dropped as the list is read and never reach findings, logs or output.
 *
 *   const { view, references } = await resolveReferences(client, workspace);
 *   workspace.setCluster(view);                       // dangling-config-reference now asks the cluster
 *   view.keysOf('Secret', 'shop', 'checkout')         // Set {'stripe-key'} (names only), missing-env's OutsideKeys
 */
import {
  clusterNeeds,
  listingKey,
  SnapshotClusterView,
  type ClusterListing,
  type ClusterNeed,
  type ClusterSnapshot,
} from '../../server/src/engine/manifests/cluster-view';
import { mapLimited } from '../../server/src/engine/map-limited';
import type { ClusterAnswer, ConfigReference } from '../../server/src/engine/manifests/references';
import type { ManifestWorkspace } from '../../server/src/engine/manifests/workspace';
import type { ManifestObject } from '../../server/src/engine/manifests/yaml';
import { CORE_PLURALS, type ClusterClient, type KubeObject } from './client';
import { ClusterError } from './errors';

/** Where one reference was found. */
export type Resolution = { in: 'workspace'; object: ManifestObject } | { in: 'cluster'; namespace: string; answer: ClusterAnswer };

export interface ResolvedReference {
  /** The object that refers (a workload, an Ingress, a Gateway). */
  object: ManifestObject;
  reference: ConfigReference;
  resolution: Resolution;
}

export interface ResolveOptions {
  /** Namespace of objects that write none (default: the context's, else `default`). */
  namespace?: string;
  /** Concurrent requests (default 8). */
  concurrency?: number;
}

/**
 * Every reference of every referring object in the workspace (rendered kustomizations included),
 * resolved in the workspace, else in the cluster. Throws a ClusterError when the cluster cannot be
 * reached or refuses the credentials.
 */
export async function resolveReferences(
  client: ClusterClient,
  workspace: ManifestWorkspace,
  options: ResolveOptions = {},
): Promise<{ view: SnapshotClusterView; references: ResolvedReference[] }> {
  const defaultNamespace = options.namespace ?? client.defaultNamespace ?? 'default';
  const { needs, noticeAt, references } = clusterNeeds(workspace, defaultNamespace);
  const view = new SnapshotClusterView(await readClusterSnapshot(client, needs, defaultNamespace, options.concurrency), noticeAt);
  return {
    view,
    references: references.map(({ object, reference, target, namespaces }) => {
      if (target) return { object, reference, resolution: { in: 'workspace', object: target } };
      const answers = namespaces.map((namespace) => ({ namespace, answer: view.lookup(reference.kind, namespace, reference.name) }));
      const best = answers.find((a) => a.answer.state === 'found') ?? answers.find((a) => a.answer.state === 'unknown') ?? answers[0]!;
      return { object, reference, resolution: { in: 'cluster', namespace: best.namespace, answer: best.answer } };
    }),
  };
}

/** Reads what clusterNeeds asked for: an access review, then one list, per kind and namespace. */
export async function readClusterSnapshot(client: ClusterClient, needs: ClusterNeed[], defaultNamespace: string, concurrency = 8): Promise<ClusterSnapshot> {
  const listings = new Map<string, ClusterListing>();
  await mapLimited(needs, concurrency, async (need) => {
    listings.set(listingKey(need.kind, need.namespace), { ...need, ...(await readListing(client, need)) });
  });
  return { context: client.context, defaultNamespace, listings: [...listings.values()] };
}

/** One kind in one namespace: may we list it? Then the names (and key names) of its objects. */
async function readListing(client: ClusterClient, { kind, namespace }: ClusterNeed): Promise<Pick<ClusterListing, 'unreadable' | 'objects'>> {
  const plural = CORE_PLURALS[kind];
  if (!(await mayList(client, plural, namespace))) return { unreadable: `forbidden (the kubeconfig user may not list ${plural} there)` };
  let items: KubeObject[];
  try {
    items = await client.listCore(kind, namespace);
  } catch (error) {
    // An authorizer that said yes to the review and no to the list, or a server that does not serve
    // the kind (a namespace that does not exist lists empty, never 404): "cannot see", not "missing".
    if (error instanceof ClusterError && error.kind === 'forbidden') return { unreadable: 'forbidden' };
    if (error instanceof ClusterError && error.kind === 'not-found') return { unreadable: `this API server does not serve ${plural} (404)` };
    throw error;
  }
  const objects: Record<string, string[] | null> = {};
  for (const item of items) objects[item.metadata.name] = kind === 'ConfigMap' || kind === 'Secret' ? keyNames(item) : null;
  return { objects };
}

/**
 * The access review's answer; true when the server gives none (no authorization API, the review
 * itself refused, a server that does not take the POST): the list then says, and a 403 there is
 * "forbidden" all the same. Only a server that cannot be reached or refuses the credentials stops the check.
 */
async function mayList(client: ClusterClient, plural: string, namespace: string): Promise<boolean> {
  try {
    return await client.canI('list', plural, namespace);
  } catch (error) {
    if (error instanceof ClusterError && error.kind !== 'unreachable' && error.kind !== 'unauthorized' && error.kind !== 'kubeconfig') return true;
    throw error;
  }
}

/** Key names only: data and binaryData (values are not kept). */
const keyNames = (object: KubeObject): string[] => [
  ...Object.keys((object.data as Record<string, unknown> | undefined) ?? {}),
  ...Object.keys((object.binaryData as Record<string, unknown> | undefined) ?? {}),
];
