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

/**
 * A node's origin: where it was written (`at`), or, for a node copied along with its parent, the
 * parent's origin and its key there (the path is built only when a finding asks for it: copying
 * a base for every overlay then allocates no paths).
 */
interface NodeOrigin {
  at?: SourceRef;
  parent?: NodeOrigin;
  segment?: PathSegment;
  /** Values of this node written by another source than the node itself. */
  keys?: Map<PathSegment, SourceRef>;
}

export class Provenance {
  // A Map, not a WeakMap: the nodes live exactly as long as the rendering that owns this Provenance, and a
  // WeakMap entry (an ephemeron) costs every garbage collection: re-rendering 20 overlays makes tens of thousands.
  private readonly nodes = new Map<object, NodeOrigin>();

  /** A deep copy of `value` (found at `at`), each of its nodes remembering where it came from. */
  copy<T>(value: T, at: SourceRef): T {
    return this.copyNode(value, { at });
  }

  private copyNode<T>(value: T, origin: NodeOrigin): T {
    if (!value || typeof value !== 'object') return value;
    let copy: unknown;
    if (Array.isArray(value))
      copy = value.map((item: unknown, i) => (item && typeof item === 'object' ? this.copyNode(item, { parent: origin, segment: i }) : item));
    else {
      const record: Record<string, unknown> = {};
      const source = value as Record<string, unknown>;
      for (const key in source) {
        const item = source[key];
        record[key] = item && typeof item === 'object' ? this.copyNode(item, { parent: origin, segment: key }) : item;
      }
      copy = record;
    }
    this.nodes.set(copy as object, origin);
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
    const origin = this.nodes.get(node);
    return origin && refOf(origin);
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
      if (origin) {
        const at = refOf(origin);
        best = { object: at.object, path: [...at.path] };
      }
      if (segment === undefined) break;
      const set = origin?.keys?.get(segment);
      if (set) best = { object: set.object, path: [...set.path] };
      else best?.path.push(segment);
      node = node && typeof node === 'object' ? (node as Record<PathSegment, unknown>)[segment] : undefined;
    }
    return best;
  }
}

/** The origin's source node, its path built from the parents' keys. */
function refOf(origin: NodeOrigin): SourceRef {
  const segments: PathSegment[] = [];
  let node = origin;
  while (!node.at) {
    segments.push(node.segment!);
    node = node.parent!;
  }
  return segments.length ? { object: node.at.object, path: [...node.at.path, ...segments.reverse()] } : node.at;
}
