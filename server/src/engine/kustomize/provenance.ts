/**
 * Where each value of a rendered object was written. Every mapping and list of rendered data
 * remembers the source node it was copied from (a base file's object, a patch, a generator
 * entry); a value a patch set on a mapping copied from elsewhere is remembered per key. The
 * source of any path is then the deepest node on it that says where it came from, plus the
 * rest of the path: a finding on a rendered object lands on the line that caused it.
 */
import type { ManifestObject, Path, PathSegment } from '../manifests/yaml';

/** A node of a source document: an object of a workspace file (or a kustomization) and a path in it. */
export interface SourceRef {
  object: ManifestObject;
  path: Path;
}

interface NodeOrigin {
  at: SourceRef;
  /** Values of this node written by another source than the node itself. */
  keys?: Map<PathSegment, SourceRef>;
}

export class Provenance {
  private readonly nodes = new WeakMap<object, NodeOrigin>();

  /** A deep copy of `value` (found at `at`), each of its nodes remembering where it came from. */
  copy<T>(value: T, at: SourceRef): T {
    if (!value || typeof value !== 'object') return value;
    const copy: unknown = Array.isArray(value)
      ? value.map((item, i) => this.copy(item, { object: at.object, path: [...at.path, i] }))
      : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.copy(item, { object: at.object, path: [...at.path, key] })]));
    this.nodes.set(copy as object, { at });
    return copy as T;
  }

  /** Records that `container[key]` was written at `at` (a patch setting a value on a base node). */
  setKey(container: object, key: PathSegment, at: SourceRef): void {
    const origin = this.nodes.get(container);
    if (!origin) return;
    (origin.keys ??= new Map()).set(key, at);
  }

  /** Where a node was copied from, if it was. */
  originOf(node: object): SourceRef | undefined {
    return this.nodes.get(node)?.at;
  }

  /** Records where a node built by the renderer (not copied) comes from. */
  mark(node: object, at: SourceRef): void {
    this.nodes.set(node, { at });
  }

  /** The source node of a path of rendered data: the deepest node that knows, plus the rest of the path. */
  sourceOf(data: unknown, path: Path): SourceRef | undefined {
    let best: { object: ManifestObject; path: PathSegment[] } | undefined;
    let node: unknown = data;
    for (const segment of [...path, undefined]) {
      const origin = node && typeof node === 'object' ? this.nodes.get(node) : undefined;
      if (origin) best = { object: origin.at.object, path: [...origin.at.path] };
      if (segment === undefined) break;
      const set = origin?.keys?.get(segment);
      if (set) best = { object: set.object, path: [...set.path] };
      else best?.path.push(segment);
      node = node && typeof node === 'object' ? (node as Record<PathSegment, unknown>)[segment] : undefined;
    }
    return best;
  }
}
