/**
 * Kustomize's patches on rendered data, remembering which patch line set each value: strategic
 * merge (with the list-merge keys Kubernetes declares for pod specs and Services, and the
 * `$patch`, `$retainKeys`, `$setElementOrder`, `$deleteFromPrimitiveList` directives) and JSON 6902.
 */
import type { Path, PathSegment } from '../manifests/yaml';
import type { Provenance, SourceRef } from './provenance';

type Json = Record<string, unknown>;

const isMap = (value: unknown): value is Json => !!value && typeof value === 'object' && !Array.isArray(value);

/** Strategic-merge directives: keys kustomize and the API server read as instructions, not fields. */
export const PATCH_DIRECTIVE = /^\$(patch|retainKeys|setElementOrder\/.+|deleteFromPrimitiveList\/.+)$/;

/** The merge key of a list field (Kubernetes' patchMergeKey), or undefined for lists a patch replaces. */
function mergeKey(field: PathSegment | undefined, items: unknown[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'resourceClaims':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'ports':
      // Container ports merge by containerPort, Service ports by port.
      return items.some((item) => isMap(item) && 'containerPort' in item) ? 'containerPort' : 'port';
    default:
      return undefined;
  }
}

const at = (ref: SourceRef, ...more: PathSegment[]): SourceRef => ({ object: ref.object, path: [...ref.path, ...more] });

/**
 * Applies a strategic merge patch to `target` in place. `patchAt` is where the patch mapping is
 * written. Returns 'delete' when the patch deletes the whole object (`$patch: delete`).
 */
export function strategicMerge(target: Json, patch: Json, patchAt: SourceRef, provenance: Provenance): 'delete' | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return 'delete';
  if (directive === 'replace') {
    for (const key of Object.keys(target)) if (key !== 'apiVersion' && key !== 'kind') delete target[key];
  }
  mergeMap(target, patch, patchAt, provenance);
  return undefined;
}

function mergeMap(target: Json, patch: Json, patchAt: SourceRef, provenance: Provenance): void {
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const remove = new Set(Array.isArray(value) ? value : []);
      if (Array.isArray(target[field])) target[field] = (target[field] as unknown[]).filter((item) => !remove.has(item));
      continue;
    }
    if (key === '$retainKeys') continue;
    const here = at(patchAt, key);
    if (value === null) {
      delete target[key];
      continue;
    }
    const current = target[key];
    if (isMap(value) && value.$patch === 'delete') {
      delete target[key];
    } else if (isMap(value) && isMap(current) && value.$patch !== 'replace') {
      mergeMap(current, value, here, provenance);
    } else if (Array.isArray(value) && Array.isArray(current)) {
      target[key] = mergeList(key, current, value, here, provenance);
      if (target[key] !== current) provenance.setKey(target, key, here);
    } else if (value !== current) {
      // A patch that repeats a value (a merge key, an unchanged field) is not where it comes from.
      target[key] = provenance.copy(withoutDirectives(value), here);
      provenance.setKey(target, key, here);
    }
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    const keep = new Set(retain);
    for (const key of Object.keys(target)) if (!keep.has(key)) delete target[key];
  }
}

/** A list patched by merge key: items with the same key merge, new ones are appended; lists without a merge key are replaced. */
function mergeList(field: PathSegment, current: unknown[], patch: unknown[], patchAt: SourceRef, provenance: Provenance): unknown[] {
  const key = mergeKey(field, [...current, ...patch]);
  const replace = patch.some((item) => isMap(item) && item.$patch === 'replace' && Object.keys(item).length === 1);
  if (!key || replace) {
    const items = patch.filter((item) => !(isMap(item) && item.$patch === 'replace' && Object.keys(item).length === 1));
    return provenance.copy(items.map(withoutDirectives), patchAt);
  }
  const merged = [...current];
  patch.forEach((item, i) => {
    if (!isMap(item)) return;
    const index = merged.findIndex((existing) => isMap(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) merged.splice(index, 1);
    } else if (index >= 0 && item.$patch !== 'replace') {
      mergeMap(merged[index] as Json, item, at(patchAt, i), provenance);
    } else {
      const copy = provenance.copy(withoutDirectives(item), at(patchAt, i));
      if (index >= 0) merged[index] = copy;
      else merged.push(copy);
    }
  });
  return merged;
}

/** A patch value as data: directive keys removed at every depth. */
function withoutDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => !(isMap(item) && item.$patch === 'delete')).map(withoutDirectives);
  if (!isMap(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !PATCH_DIRECTIVE.test(key))
      .map(([key, item]) => [key, withoutDirectives(item)]),
  );
}

export interface JsonPatchOperation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

/** A JSON pointer as path segments (`~1` is `/`, `~0` is `~`). */
export function pointerPath(pointer: string): PathSegment[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Applies one JSON 6902 operation in place (`opAt`: where the operation is written). Returns an
 * error message when the operation does not apply (kustomize stops there; here the operation is skipped).
 */
export function applyJsonPatch(target: Json, operation: JsonPatchOperation, opAt: SourceRef, provenance: Provenance): string | undefined {
  // The operation is written YAML: a path or from being typed may be missing or not a string.
  if (typeof operation.path !== 'string') return 'the operation has no path';
  const path = pointerPath(operation.path);
  const parent = containerAt(target, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!parent || last === undefined) return `path ${operation.path} does not exist`;
  const valueAt = at(opAt, 'value');
  switch (operation.op) {
    case 'add':
    case 'replace':
      return setAt(parent, last, provenance.copy(operation.value, valueAt), operation.op === 'add', valueAt, provenance);
    case 'remove':
      return removeAt(parent, last);
    case 'copy':
    case 'move': {
      const from = pointerPath(typeof operation.from === 'string' ? operation.from : '');
      const source = containerAt(target, from.slice(0, -1));
      const key = from[from.length - 1];
      if (!source || key === undefined) return `from ${String(operation.from)} does not exist`;
      const value = (source as Record<PathSegment, unknown>)[Array.isArray(source) ? Number(key) : key];
      if (value === undefined) return `from ${String(operation.from)} does not exist`;
      if (operation.op === 'move') removeAt(source, key);
      return setAt(parent, last, operation.op === 'copy' ? structuredClone(value) : value, true, valueAt, provenance);
    }
    case 'test':
      return undefined;
    default:
      return `unknown operation ${operation.op}`;
  }
}

function containerAt(target: unknown, path: Path): Json | unknown[] | undefined {
  let node: unknown = target;
  for (const segment of path) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isMap(node)) node = node[segment];
    else return undefined;
  }
  return isMap(node) || Array.isArray(node) ? node : undefined;
}

function setAt(parent: Json | unknown[], key: PathSegment, value: unknown, insert: boolean, valueAt: SourceRef, provenance: Provenance): string | undefined {
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) return `index ${key} is out of range`;
    if (insert) parent.splice(index, 0, value);
    else parent[index] = value;
    provenance.setKey(parent, index, valueAt);
    return undefined;
  }
  if (!insert && !(key in parent)) return `path ${String(key)} does not exist`;
  parent[key] = value;
  provenance.setKey(parent, key, valueAt);
  return undefined;
}

function removeAt(parent: Json | unknown[], key: PathSegment): string | undefined {
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) return `index ${key} is out of range`;
    parent.splice(index, 1);
  } else {
    if (!(key in parent)) return `path ${String(key)} does not exist`;
    delete parent[key];
  }
  return undefined;
}
