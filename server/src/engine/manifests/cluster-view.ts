/**
 * What a check against a live cluster needs to read (clusterNeeds: kinds and namespaces of the
 * references the workspace does not resolve) and the ClusterView built from what was read (a
 * JSON-safe ClusterSnapshot: the CLI builds it in-process, the editor's client sends it to the
 * language server). Reading is operations/cluster/references' job; this module touches no network.
 */
import { Lookup, scopeOf, type ObjectSource } from './lookup';
import {
  configReferences,
  findInWorkspace,
  referenceId,
  REFERRING_KINDS,
  type ClusterAnswer,
  type ClusterView,
  type ConfigReference,
  type ReferencedKind,
} from './references';
import type { ManifestObject } from './yaml';

/** Editor → language server: the kinds and namespaces to read ({ defaultNamespace } → ClusterNeed[]). */
export const CLUSTER_NEEDS_REQUEST = 'rolloutGuard/clusterNeeds';
/** Editor → language server: what was read (a ClusterSnapshot), or null to stop checking against the cluster. */
export const CLUSTER_SNAPSHOT_NOTIFICATION = 'rolloutGuard/clusterSnapshot';

/** One kind in one namespace to read. */
export interface ClusterNeed {
  kind: ReferencedKind;
  namespace: string;
}

/**
 * One kind in one namespace as read: `unreadable` (why it could not be: forbidden, not served), or
 * each object's key names (null: a kind without keys). Names only, never values.
 */
export interface ClusterListing extends ClusterNeed {
  unreadable?: string;
  objects?: Record<string, string[] | null>;
}

export interface ClusterSnapshot {
  /** Context name, for messages. */
  context: string;
  /** Namespace of manifests that write none. */
  defaultNamespace: string;
  listings: ClusterListing[];
}

/** A reference and where the workspace resolves it (undefined: the cluster is asked, in `namespaces`). */
export interface WorkspaceResolution {
  object: ManifestObject;
  reference: ConfigReference;
  target?: ManifestObject;
  namespaces: string[];
}

/**
 * Every reference of the workspace's referring objects, resolved in the workspace where it can be,
 * and the kinds and namespaces to read for the others; `noticeAt`: per kind/namespace, the first
 * reference needing it (where a "cannot check" note goes).
 */
export function clusterNeeds(
  workspace: ObjectSource,
  defaultNamespace: string,
): { needs: ClusterNeed[]; noticeAt: Map<string, string>; references: WorkspaceResolution[] } {
  const lookup = new Lookup(workspace, new Set());
  const needs = new Map<string, ClusterNeed>();
  const noticeAt = new Map<string, string>();
  const references: WorkspaceResolution[] = [];
  const index = workspace.index();
  for (const kind of REFERRING_KINDS)
    for (const object of index.get(kind) ?? [])
      for (const reference of configReferences(object)) {
        const namespaces = [object.namespaceWritten ? object.namespace : defaultNamespace, ...(reference.alsoIn ?? [])];
        const target = findInWorkspace(lookup, reference, scopeOf(object));
        references.push({ object, reference, target, namespaces });
        if (target) continue;
        for (const namespace of namespaces) {
          const key = listingKey(reference.kind, namespace);
          needs.set(key, { kind: reference.kind, namespace });
          if (!reference.optional && !noticeAt.has(key)) noticeAt.set(key, referenceId(object, reference));
        }
      }
  return { needs: [...needs.values()], noticeAt, references };
}

export const listingKey = (kind: ReferencedKind, namespace: string): string => `${kind}/${namespace}`;

/** A ClusterView over a snapshot; `noticeAt` from clusterNeeds of the same workspace. */
export class SnapshotClusterView implements ClusterView {
  readonly context: string;
  readonly defaultNamespace: string;
  private readonly listings = new Map<string, ClusterListing>();

  constructor(
    snapshot: ClusterSnapshot,
    private readonly noticeAt: ReadonlyMap<string, string>,
  ) {
    this.context = snapshot.context;
    this.defaultNamespace = snapshot.defaultNamespace;
    for (const listing of snapshot.listings) this.listings.set(listingKey(listing.kind, listing.namespace), listing);
  }

  lookup(kind: ReferencedKind, namespace: string, name: string): ClusterAnswer {
    const key = listingKey(kind, namespace);
    const listing = this.listings.get(key);
    if (!listing) return { state: 'unknown', reason: 'not read', noticeAt: '' };
    if (listing.unreadable !== undefined) return { state: 'unknown', reason: listing.unreadable, noticeAt: this.noticeAt.get(key) ?? '' };
    const objects = listing.objects ?? {};
    if (!Object.hasOwn(objects, name)) return { state: 'missing' };
    const keys = objects[name];
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
