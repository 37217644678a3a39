/**
 * What manifest rules may ask of the workspace (objects by kind, namespace and name), recording
 * every question as a dependency, so an edit re-checks only the files it can affect. Its own
 * module: rules import it, and the workspace that implements ObjectSource imports the rules.
 */
import type { ManifestObject } from './yaml';

/** A namespace to look in; undefined means "any" (a manifest without namespace is applied with -n). */
export type NamespaceScope = string | undefined;

/** Namespace an object looks up its references in. */
export const scopeOf = (object: ManifestObject): NamespaceScope => (object.namespaceWritten ? object.namespace : undefined);

export const inScope = (object: ManifestObject, scope: NamespaceScope): boolean =>
  scope === undefined || !object.namespaceWritten || object.namespace === scope;

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
}

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

  private unitByKind: Map<string, ManifestObject[]> | undefined;

  private inUnit(kind: string, scope: NamespaceScope): ManifestObject[] {
    if (!this.unitByKind) {
      this.unitByKind = new Map();
      for (const o of this.unit) this.unitByKind.set(o.kind, [...(this.unitByKind.get(o.kind) ?? []), o]);
    }
    return (this.unitByKind.get(kind) ?? []).filter((o) => inScope(o, scope));
  }

  private use(kind: string, scope: NamespaceScope): void {
    // A lookup in one namespace can be answered by objects without namespace too.
    this.uses.add(`${kind}/${scope ?? '*'}`).add(`${kind}/*`);
  }

  /** Records a dependency on a finer key than kind and namespace (see destinationRuleKeys). */
  track(key: string): void {
    this.uses.add(key);
  }

  /** Every object of a kind, recording no dependency: the caller tracks finer keys itself. */
  untracked(kind: string): ManifestObject[] {
    return this.workspace.index().get(kind) ?? [];
  }

  /** Objects of a kind in a namespace scope. */
  all(kind: string, scope: NamespaceScope): readonly ManifestObject[] {
    this.use(kind, scope);
    const list = this.workspace.scopedObjects(kind, scope).list;
    if (!this.unit.length) return list;
    const own = this.inUnit(kind, scope);
    const owned = new Set(this.unit);
    // Where the unit has an object of a name, another unit's copy of that name does not count.
    const names = new Set(own.map((o) => o.name));
    return [...own, ...list.filter((o) => !owned.has(o) && !names.has(o.name))];
  }

  find(kind: string, scope: NamespaceScope, name: string): ManifestObject | undefined {
    this.use(kind, scope);
    return this.inUnit(kind, scope).find((o) => o.name === name) ?? this.workspace.scopedObjects(kind, scope).byName.get(name);
  }

  /** Line/character of an offset in another file, for related locations. */
  position(file: string, offset: number): { line: number; character: number } {
    return this.workspace.position(file, offset);
  }
}
