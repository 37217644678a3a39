/**
 * What manifest rules may ask of the workspace (objects by kind, namespace and name), recording
 * every question as a dependency, so an edit re-checks only the files it can affect. Its own
 * module: rules import it, and the workspace that implements ObjectSource imports the rules.
 */
import type { ClusterView } from './references';
import type { ManifestObject } from './yaml';

/** A namespace to look in; undefined means "any" (a manifest without namespace is applied with -n). */
export type NamespaceScope = string | undefined;

/** Namespace an object looks up its references in. */
export const scopeOf = (object: ManifestObject): NamespaceScope => (object.namespaceWritten ? object.namespace : undefined);

export const inScope = (object: ManifestObject, scope: NamespaceScope): boolean =>
  scope === undefined || !object.namespaceWritten || object.namespace === scope;

/**
 * Dependency keys. An object provides `Kind/ns` (its written namespace) or `Kind/*` (none
 * written: applied wherever it is), and `Kind/any`; a lookup in namespace ns depends on `Kind/ns`
 * and `Kind/*`, a lookup in any namespace on `Kind/any`. So an edit in one namespace does not
 * re-check lookups in another.
 */
export const providedKindKeys = (kind: string, object: ManifestObject): string[] => [
  `${kind}/${object.namespaceWritten ? object.namespace : '*'}`,
  `${kind}/any`,
];
const lookupKeys = (kind: string, scope: NamespaceScope): string[] => (scope === undefined ? [`${kind}/any`] : [`${kind}/${scope}`, `${kind}/*`]);

/** The dependency key of what the workspace's Helm charts may create (see Lookup.chartMayCreate). */
export const CHARTS_KEY = 'helm-charts';

/** The objects of one kind in one namespace scope, in workspace order, and the first of each name. */
export interface ScopedObjects {
  list: ManifestObject[];
  byName: Map<string, ManifestObject>;
}

/** What a Lookup reads: the workspace's indexes. */
export interface ObjectSource {
  index(): Map<string, ManifestObject[]>;
  scopedObjects(kind: string, scope: NamespaceScope): ScopedObjects;
  position(file: string, offset: number): { line: number; character: number };
  /** The live cluster, when the check runs against one (`check --cluster`). */
  readonly cluster?: ClusterView;
  chartMayCreate(name: string): boolean;
  /** The objects deployed with an object (its deploy unit: a rendering, or the plain manifests of its folder or GitOps path). */
  unitOf(object: ManifestObject): readonly ManifestObject[];
}

/** Per deploy unit (its object list, rebuilt after a change), the views of Lookup.view. */
const unitViews = new WeakMap<readonly ManifestObject[], Map<string, { base: ScopedObjects; view: ScopedObjects }>>();
/** Per deploy unit, its objects as a set (see Lookup.inUnit). */
const unitMembers = new WeakMap<readonly ManifestObject[], Set<ManifestObject>>();

/** What rules may ask of the workspace; every question is recorded as a dependency. */
export class Lookup {
  /**
   * `unit`: the objects of the deploy unit being checked (a rendered kustomization). Lookups
   * answer from it first: a reference prefers its own unit's copy of a name another unit reuses.
   */
  constructor(
    private readonly workspace: ObjectSource,
    private readonly uses: Set<string>,
    private readonly unit: readonly ManifestObject[] = [],
  ) {}

  /**
   * Objects of a kind in a scope as this unit sees them: its own first; another unit's copy of a
   * name the unit has does not count. Built once per unit, kind and scope (not per file or call):
   * the lists keep their identity, which the rules' derived caches rely on.
   */
  private view(kind: string, scope: NamespaceScope): ScopedObjects {
    const base = this.workspace.scopedObjects(kind, scope);
    if (!this.unit.length) return base;
    let views = unitViews.get(this.unit);
    if (!views) unitViews.set(this.unit, (views = new Map()));
    const key = `${kind}\0${scope ?? ''}`;
    const cached = views.get(key);
    if (cached?.base === base) return cached.view;
    const ofKind = this.unit.filter((o) => o.kind === kind);
    const own = ofKind.filter((o) => inScope(o, scope));
    const owned = new Set(ofKind);
    const names = new Set(own.map((o) => o.name));
    const list = [...own, ...base.list.filter((o) => !owned.has(o) && !names.has(o.name))];
    const byName = new Map<string, ManifestObject>();
    for (const o of list) if (!byName.has(o.name)) byName.set(o.name, o);
    const view = { list, byName };
    views.set(key, { base, view });
    return view;
  }

  private use(kind: string, scope: NamespaceScope): void {
    for (const key of lookupKeys(kind, scope)) this.uses.add(key);
  }

  /** Records a dependency on a finer key than kind and namespace (see destinationRuleKeys). */
  track(key: string): void {
    this.uses.add(key);
  }

  /** Every object of a kind, recording no dependency: the caller tracks finer keys itself. */
  untracked(kind: string): ManifestObject[] {
    return this.workspace.index().get(kind) ?? [];
  }

  /** Every kind the workspace has objects of, recording no dependency: callers read each kind they need with all(). */
  kinds(): string[] {
    return [...this.workspace.index().keys()];
  }

  /** Objects of a kind in a namespace scope. */
  all(kind: string, scope: NamespaceScope): readonly ManifestObject[] {
    this.use(kind, scope);
    return this.view(kind, scope).list;
  }

  find(kind: string, scope: NamespaceScope, name: string): ManifestObject | undefined {
    this.use(kind, scope);
    return this.view(kind, scope).byName.get(name);
  }

  /** Whether an object is deployed with the one being checked (in its unit; without a unit, the workspace is one). */
  inUnit(object: ManifestObject): boolean {
    if (!this.unit.length) return true;
    let members = unitMembers.get(this.unit);
    if (!members) unitMembers.set(this.unit, (members = new Set(this.unit)));
    return members.has(object);
  }

  /** Whether the unit deploys an object of this kind in this scope (without a unit: whether the workspace has one). */
  unitHas(kind: string, scope: NamespaceScope): boolean {
    // all() lists the unit's own objects first.
    const first = this.all(kind, scope)[0];
    return first !== undefined && this.inUnit(first);
  }

  /**
   * Whether the deploy unit of `other` (an object of another unit) deploys its own object of this
   * kind and name: a reference from `other` to that name means its own copy, not this unit's.
   */
  deploysOwn(other: ManifestObject, kind: string, name: string): boolean {
    this.use(kind, undefined);
    return this.workspace.unitOf(other).some((o) => o.kind === kind && o.name === name);
  }

  /** The live cluster references are resolved in after the workspace, if any. */
  get cluster(): ClusterView | undefined {
    return this.workspace.cluster;
  }

  /** Whether a Helm chart of the workspace, not rendered, may create an object of this name: it is unknown, not missing. */
  chartMayCreate(name: string): boolean {
    this.uses.add(CHARTS_KEY);
    return this.workspace.chartMayCreate(name);
  }

  /** Line/character of an offset in another file, for related locations. */
  position(file: string, offset: number): { line: number; character: number } {
    return this.workspace.position(file, offset);
  }
}
