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
import { Lookup } from '../../server/src/engine/manifests/lookup';
import { scopeOf } from '../../server/src/engine/manifests/lookup';
import {
  clusterNamespaceOf,
  configReferences,
  findInWorkspace,
  referenceId,
  REFERRING_KINDS,
  type ClusterAnswer,
  type ClusterView,
  type ConfigReference,
  type ReferencedKind,
} from '../../server/src/engine/manifests/references';
import type { ManifestWorkspace } from '../../server/src/engine/manifests/workspace';
import type { ManifestObject } from '../../server/src/engine/manifests/yaml';
import { CORE_PLURALS, type ClusterClient, type KubeObject } from './client';
import { ClusterError } from './errors';

/** One kind in one namespace as read from the cluster: name → key names (ConfigMaps, Secrets) or undefined (other kinds). */
type NamespaceListing = { forbidden: string } | { objects: Map<string, readonly string[] | undefined> };

/** The cluster's objects of the kinds and namespaces the workspace references, read once. */
export class ClusterInventory implements ClusterView {
  constructor(
    readonly context: string,
    readonly defaultNamespace: string,
    private readonly listings: ReadonlyMap<string, NamespaceListing>,
    /** kind/namespace → the reference that carries the "cannot check" note. */
    private readonly noticeAt: ReadonlyMap<string, string>,
  ) {}

  lookup(kind: ReferencedKind, namespace: string, name: string): ClusterAnswer {
    const listing = this.listings.get(listingKey(kind, namespace));
    if (!listing) return { state: 'unknown', reason: 'not read', noticeAt: '' };
    if ('forbidden' in listing) return { state: 'unknown', reason: listing.forbidden, noticeAt: this.noticeAt.get(listingKey(kind, namespace)) ?? '' };
    if (!listing.objects.has(name)) return { state: 'missing' };
    const keys = listing.objects.get(name);
    return keys ? { state: 'found', keys } : { state: 'found' };
  }

  /**
   * The key names a ConfigMap or Secret has in the cluster; undefined when it is absent or could
   * not be read. The shape of missing-env's OutsideKeys.
   */
  keysOf(kind: 'ConfigMap' | 'Secret', namespace: string, name: string): ReadonlySet<string> | undefined {
    const answer = this.lookup(kind, namespace, name);
    return answer.state === 'found' ? new Set(answer.keys) : undefined;
  }
}

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
): Promise<{ view: ClusterInventory; references: ResolvedReference[] }> {
  const defaultNamespace = options.namespace ?? client.defaultNamespace ?? 'default';
  const lookup = new Lookup(workspace, new Set());
  const pending: { object: ManifestObject; reference: ConfigReference; namespaces: string[] }[] = [];
  const done: ResolvedReference[] = [];
  const wanted = new Map<string, { kind: ReferencedKind; namespace: string }>();
  const noticeAt = new Map<string, string>();
  const index = workspace.index();
  for (const kind of REFERRING_KINDS)
    for (const object of index.get(kind) ?? [])
      for (const reference of configReferences(object)) {
        const inWorkspace = findInWorkspace(lookup, reference, scopeOf(object));
        if (inWorkspace) {
          done.push({ object, reference, resolution: { in: 'workspace', object: inWorkspace } });
          continue;
        }
        const namespaces = [object.namespaceWritten ? object.namespace : defaultNamespace, ...(reference.alsoIn ?? [])];
        pending.push({ object, reference, namespaces });
        for (const namespace of namespaces) {
          const key = listingKey(reference.kind, namespace);
          wanted.set(key, { kind: reference.kind, namespace });
          if (!reference.optional && !noticeAt.has(key)) noticeAt.set(key, referenceId(object, reference));
        }
      }
  const listings = new Map<string, NamespaceListing>();
  await inParallel([...wanted], options.concurrency ?? 8, async ([key, { kind, namespace }]) => {
    listings.set(key, await readListing(client, kind, namespace));
  });
  const view = new ClusterInventory(client.context, defaultNamespace, listings, noticeAt);
  const resolved = pending.map(({ object, reference }) => {
    const namespace = clusterNamespaceOf(object, view);
    const answers = [namespace, ...(reference.alsoIn ?? [])].map((ns) => ({ ns, answer: view.lookup(reference.kind, ns, reference.name) }));
    const best = answers.find((a) => a.answer.state === 'found') ?? answers.find((a) => a.answer.state === 'unknown') ?? answers[0]!;
    return { object, reference, resolution: { in: 'cluster', namespace: best.ns, answer: best.answer } } satisfies ResolvedReference;
  });
  return { view, references: [...done, ...resolved] };
}

const listingKey = (kind: ReferencedKind, namespace: string): string => `${kind}/${namespace}`;

/** One kind in one namespace: may we list it? Then the names (and key names) of its objects. */
async function readListing(client: ClusterClient, kind: ReferencedKind, namespace: string): Promise<NamespaceListing> {
  const plural = CORE_PLURALS[kind];
  if (!(await client.canI('list', plural, namespace))) return { forbidden: `forbidden (the kubeconfig user may not list ${plural} there)` };
  let items: KubeObject[];
  try {
    items = await client.listCore(kind, namespace);
  } catch (error) {
    // An authorizer that said yes to the review and no to the list: still "cannot see", not "missing".
    if (error instanceof ClusterError && error.kind === 'forbidden') return { forbidden: 'forbidden' };
    throw error;
  }
  const objects = new Map<string, readonly string[] | undefined>();
  for (const item of items) objects.set(item.metadata.name, kind === 'ConfigMap' || kind === 'Secret' ? keyNames(item) : undefined);
  return { objects };
}

/** Key names only: data and binaryData (values are not kept). */
const keyNames = (object: KubeObject): string[] => [
  ...Object.keys((object.data as Record<string, unknown> | undefined) ?? {}),
  ...Object.keys((object.binaryData as Record<string, unknown> | undefined) ?? {}),
];

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
