/**
 * Renders a kustomization in memory, as `kubectl kustomize` would, from the files the workspace
 * holds: resources, bases and components, generators, patches, and the namespace, name, label,
 * image and replica transformers, then the name references kustomize rewrites. Each rendered
 * value remembers the source line that set it (see Provenance). Whatever is not modelled is
 * skipped with a note, and the rendering says it is incomplete: "unknown" is not "missing".
 */
import type { ManifestObject, Path } from '../manifests/yaml';
import { asArray, asRecord, asString, podTemplate, WORKLOAD_KINDS, type Json } from '../manifests/model';
import { documentObjects, isRemote, joinPath, type Kustomization } from './kustomization';
import { applyJsonPatch, strategicMerge, type JsonPatchOperation } from './merge';
import { Provenance, type SourceRef } from './provenance';

/** What rendering reads from the workspace: files by path (or URI), as the workspace keys them. */
export interface KustomizeFiles {
  /** The objects of a YAML file of the workspace; undefined when the workspace does not hold it. */
  objects(file: string): readonly ManifestObject[] | undefined;
  /** The text of a file of the workspace (a generator's file), if it holds it. */
  text(file: string): string | undefined;
  /** The YAML documents of a file read as a patch, whatever their shape, with positions (see documentObjects). */
  documents(file: string): readonly ManifestObject[] | undefined;
  /** The kustomization of a folder, if the workspace holds one. */
  kustomization(dir: string): Kustomization | undefined;
}

/** Something rendering skipped: reported once, as info, on the kustomization key that asks for it. */
export interface KustomizeNote {
  kustomization: Kustomization;
  path: Path;
  message: string;
}

export interface GeneratedInfo {
  /** Keys unknown (an env file the workspace does not hold): a missing key is not a finding. */
  keysUnknown: boolean;
  /** Its name without the hash suffix (the generator's, with prefix and suffix): the name messages give, the hash being Rollout Guard's own. */
  name: string;
}

export interface Rendering {
  root: Kustomization;
  objects: ManifestObject[];
  notes: KustomizeNote[];
  /** Something was skipped (remote resource, unsupported field, file not in the workspace). */
  incomplete: boolean;
  /** Workspace files the rendering read (resources, patches, kustomizations, generator files). */
  files: Set<string>;
  /** Files read as patches: fragments, never whole objects. */
  patchFiles: Set<string>;
  /** Kustomizations included by this one (bases, components, resources). */
  included: Set<string>;
  /** The renames whose references were rewritten (`kind namespace from to`): what objects' values depend on beyond their own files. */
  renames: string[];
}

interface Item {
  data: Json;
  /** Names this object had before (a patch may name an object by its base name). */
  previousNames: string[];
  /**
   * The files that wrote any of its values (its source, the patches and kustomizations that
   * changed it), recorded as they do: where findings on it can land, known without walking it.
   */
  files: Set<string>;
  generated?: Omit<GeneratedInfo, 'name'> & { hashed: boolean; unhashedName?: string };
}

interface State {
  files: KustomizeFiles;
  provenance: Provenance;
  rendering: Rendering;
  /** Kustomizations being rendered, to stop cycles. */
  stack: string[];
}

/** Fields this model renders; any other field of a kustomization gets a note. */
const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'bases',
  'components',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'images',
  'replicas',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
]);

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'IngressClass',
  'ClusterIssuer',
]);

/** What a rendered object knows of its rendering (one entry per object: every WeakMap entry costs each garbage collection). */
interface RenderedInfo {
  rendering: Rendering;
  provenance: Provenance;
  /** The files findings on it can land in (see Item.files). */
  files: ReadonlySet<string>;
  generated?: GeneratedInfo;
}

const renderedInfo = new WeakMap<ManifestObject, RenderedInfo>();

/** The source node that set `path` of a rendered object (undefined for other objects). */
export function renderedSource(object: ManifestObject, path: Path): SourceRef | undefined {
  return renderedInfo.get(object)?.provenance.sourceOf(object.data, path);
}

/** The files findings on a rendered object can land in: where any of its values was written. */
export const renderedFiles = (object: ManifestObject): ReadonlySet<string> => renderedInfo.get(object)?.files ?? new Set([object.file]);

/** The rendering a rendered object belongs to (undefined for other objects). */
export const renderingOf = (object: ManifestObject): Rendering | undefined => renderedInfo.get(object)?.rendering;

/** Whether an object is a generated ConfigMap/Secret, and what is known of it. */
export const generatedInfo = (object: ManifestObject): GeneratedInfo | undefined => renderedInfo.get(object)?.generated;

export function renderKustomization(root: Kustomization, files: KustomizeFiles): Rendering {
  const rendering: Rendering = {
    root,
    objects: [],
    notes: [],
    incomplete: false,
    files: new Set([root.file]),
    patchFiles: new Set(),
    included: new Set(),
    renames: [],
  };
  const state: State = { files, provenance: new Provenance(), rendering, stack: [] };
  const items = build(root, [], state);
  rewriteNameReferences(items, applyHashSuffixes(items), rendering);
  rendering.objects = items.map((item) => renderedObject(item, state.provenance, rendering));
  return rendering;
}

function note(state: State, kustomization: Kustomization, path: Path, message: string): void {
  state.rendering.notes.push({ kustomization, path, message });
  state.rendering.incomplete = true;
}

/** One kustomization (or component) over the resources accumulated so far. */
function build(k: Kustomization, accumulated: Item[], state: State): Item[] {
  if (state.stack.includes(k.file)) {
    note(state, k, [], 'This kustomization includes itself (a cycle): kustomize refuses it; it was not rendered again.');
    return accumulated;
  }
  state.stack.push(k.file);
  for (const key of Object.keys(k.data)) {
    if (!SUPPORTED.has(key)) note(state, k, [key], `\`${key}\` is not modelled by Rollout Guard: the rendered objects are checked without it.`);
  }
  const items = [...accumulated];
  for (const field of ['resources', 'bases'] as const) {
    asArray(k.data[field]).forEach((entry, i) => items.push(...resource(k, [field, i], entry, state)));
  }
  const before = new Map(items.map((item) => [item, identity(item.data)]));
  generate(k, items, state);
  let result = items;
  asArray(k.data.components).forEach((entry, i) => (result = component(k, ['components', i], entry, result, state)));
  result = patch(k, result, state);
  transform(k, result, state);
  // kustomize fixes name references at each level: objects renamed here are referred to by their new names.
  rewriteNameReferences(
    result,
    result.flatMap((item) => {
      const old = before.get(item);
      return old && old.name !== identity(item.data).name ? [{ kind: old.kind, from: old.name, to: identity(item.data).name, namespace: old.namespace }] : [];
    }),
    state.rendering,
  );
  state.stack.pop();
  return result;
}

/** A resources/bases entry: a file, a folder with a kustomization, or a remote URL (skipped). */
function resource(k: Kustomization, path: Path, entry: unknown, state: State): Item[] {
  if (typeof entry !== 'string') return [];
  if (isRemote(entry)) {
    note(
      state,
      k,
      path,
      `\`${entry}\` is a remote resource: Rollout Guard does not download it, so its objects are not checked and not known to the other checks.`,
    );
    return [];
  }
  const target = joinPath(k.dir, entry);
  const objects = state.files.objects(target);
  if (objects) {
    state.rendering.files.add(target);
    return objects.map((object) => ({ data: state.provenance.copy(object.data, { object, path: [] }), previousNames: [], files: new Set([object.file]) }));
  }
  const included = state.files.kustomization(target);
  if (included) {
    state.rendering.included.add(included.file);
    state.rendering.files.add(included.file);
    return build(included, [], state);
  }
  note(state, k, path, `\`${entry}\` is not among the checked files (or has no kustomization): its objects are not known to the other checks.`);
  return [];
}

function component(k: Kustomization, path: Path, entry: unknown, items: Item[], state: State): Item[] {
  const included = typeof entry === 'string' && !isRemote(entry) ? state.files.kustomization(joinPath(k.dir, entry)) : undefined;
  if (!included) {
    note(state, k, path, `The component \`${String(entry)}\` is not among the checked files: its changes are not applied.`);
    return items;
  }
  state.rendering.included.add(included.file);
  state.rendering.files.add(included.file);
  return build(included, items, state);
}

interface Identity {
  kind: string;
  name: string;
  namespace: string | undefined;
}

const identity = (data: Json): Identity => {
  const metadata = asRecord(data.metadata);
  return { kind: asString(data.kind) ?? '', name: asString(metadata.name) ?? '', namespace: asString(metadata.namespace) };
};

// ---- Generators ----

function generate(k: Kustomization, items: Item[], state: State): void {
  const options = asRecord(k.data.generatorOptions);
  for (const [field, kind] of [
    ['configMapGenerator', 'ConfigMap'],
    ['secretGenerator', 'Secret'],
  ] as const) {
    asArray(k.data[field]).forEach((raw, i) => {
      const entry = asRecord(raw);
      const at: SourceRef = { object: k.object, path: [field, i] };
      const generated = generatedObject(k, kind, entry, at, state);
      if (!generated) return;
      const entryOptions = asRecord(entry.options);
      const disabled = entryOptions.disableNameSuffixHash ?? options.disableNameSuffixHash;
      addLabelsAndAnnotations(
        generated.data,
        { ...asRecord(options.labels), ...asRecord(entryOptions.labels) },
        { ...asRecord(options.annotations), ...asRecord(entryOptions.annotations) },
        at,
        state.provenance,
      );
      const behavior = asString(entry.behavior) ?? 'create';
      const name = identity(generated.data).name;
      const existing = items.find((item) => identity(item.data).kind === kind && identity(item.data).name === name);
      if (behavior !== 'create' && existing) {
        mergeGenerated(existing, generated, behavior === 'replace', at, state.provenance);
        for (const file of generated.files) existing.files.add(file);
      } else {
        if (behavior !== 'create') note(state, k, [field, i, 'behavior'], `No ${kind} \`${name}\` from a base to ${behavior}: kustomize refuses this.`);
        items.push({
          data: generated.data,
          previousNames: [],
          files: generated.files,
          generated: { keysUnknown: generated.keysUnknown, hashed: disabled !== true },
        });
      }
    });
  }
}

function generatedObject(
  k: Kustomization,
  kind: 'ConfigMap' | 'Secret',
  entry: Json,
  at: SourceRef,
  state: State,
): { data: Json; keysUnknown: boolean; files: Set<string> } | undefined {
  const name = asString(entry.name);
  if (!name) return undefined;
  const { provenance } = state;
  const values: Json = {};
  provenance.mark(values, at);
  let keysUnknown = false;
  // The kustomization, and the files whose text became values.
  const files = new Set([k.file]);
  asArray(entry.literals).forEach((literal, i) => {
    const text = String(literal);
    const eq = text.indexOf('=');
    if (eq <= 0) return;
    values[text.slice(0, eq)] = unquote(text.slice(eq + 1));
    provenance.setKey(values, text.slice(0, eq), { object: k.object, path: [...at.path, 'literals', i] });
  });
  asArray(entry.files).forEach((file, i) => {
    const text = String(file);
    const eq = text.indexOf('=');
    const key = eq > 0 ? text.slice(0, eq) : text.slice(text.lastIndexOf('/') + 1);
    const path = joinPath(k.dir, eq > 0 ? text.slice(eq + 1) : text);
    values[key] = state.files.text(path) ?? '';
    files.add(path);
    provenance.setKey(values, key, { object: k.object, path: [...at.path, 'files', i] });
  });
  const envs = [...asArray(entry.envs), ...(entry.env !== undefined ? [entry.env] : [])];
  envs.forEach((env, i) => {
    const path = joinPath(k.dir, String(env));
    const text = state.files.text(path);
    files.add(path);
    if (text === undefined) keysUnknown = true;
    for (const [key, value] of envFileEntries(text ?? '')) {
      values[key] = value;
      provenance.setKey(values, key, { object: k.object, path: [...at.path, entry.env !== undefined && i === envs.length - 1 ? 'env' : 'envs', i] });
    }
  });
  const metadata: Json = { name, ...(asString(entry.namespace) ? { namespace: entry.namespace } : {}) };
  provenance.mark(metadata, at);
  provenance.setKey(metadata, 'name', { object: k.object, path: [...at.path, 'name'] });
  const data: Json = { apiVersion: 'v1', kind, metadata, data: kind === 'Secret' ? encodeSecretValues(values) : values };
  if (kind === 'Secret') {
    data.type = asString(entry.type) ?? 'Opaque';
    provenance.mark(data.data as Json, at);
    for (const key of Object.keys(values)) provenance.setKey(data.data as Json, key, provenance.sourceOf(values, [key])!);
  }
  provenance.mark(data, at);
  return { data, keysUnknown, files };
}

const unquote = (value: string): string => (/^(["']).*\1$/.test(value) ? value.slice(1, -1) : value);

/** KEY=value lines of an env file (comments and blank lines skipped), as kustomize reads them. */
function envFileEntries(text: string): [string, string][] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && line.includes('='))
    .map((line) => [line.slice(0, line.indexOf('=')), unquote(line.slice(line.indexOf('=') + 1))]);
}

function encodeSecretValues(values: Json): Json {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, base64(String(value))]));
}

function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `behavior: merge|replace`: the base's generated object takes the overlay's keys (or only those). */
function mergeGenerated(
  existing: Item,
  generated: { data: Json; keysUnknown: boolean; files: Set<string> },
  replace: boolean,
  at: SourceRef,
  provenance: Provenance,
): void {
  const target = existing.data;
  const incoming = asRecord(generated.data.data);
  if (replace || !target.data || typeof target.data !== 'object') {
    target.data = incoming;
  } else {
    const data = target.data as Json;
    for (const key of Object.keys(incoming)) {
      data[key] = incoming[key];
      provenance.setKey(data, key, provenance.sourceOf(incoming, [key]) ?? at);
    }
  }
  if (existing.generated) existing.generated.keysUnknown = (existing.generated.keysUnknown && !replace) || generated.keysUnknown;
}

// ---- Patches ----

function patch(k: Kustomization, items: Item[], state: State): Item[] {
  let result = items;
  asArray(k.data.patchesStrategicMerge).forEach((entry, i) => {
    for (const p of patchDocuments(k, ['patchesStrategicMerge', i], entry, state)) result = applyPatch(k, p, undefined, result, state);
  });
  asArray(k.data.patches).forEach((raw, i) => {
    const entry = asRecord(raw);
    const source = entry.path !== undefined ? { file: entry.path } : entry.patch;
    for (const p of patchDocuments(k, ['patches', i], source, state)) result = applyPatch(k, p, entry.target, result, state);
  });
  asArray(k.data.patchesJson6902).forEach((raw, i) => {
    const entry = asRecord(raw);
    const source = entry.path !== undefined ? { file: entry.path } : entry.patch;
    for (const p of patchDocuments(k, ['patchesJson6902', i], source, state)) result = applyPatch(k, p, entry.target, result, state);
  });
  return result;
}

interface PatchDocument {
  data: unknown;
  at: SourceRef;
  entry: Path;
}

/** The documents of one patch entry: a file (`{ file }`), a file name, or inline YAML (positions: the entry). */
function patchDocuments(k: Kustomization, entry: Path, source: unknown, state: State): PatchDocument[] {
  const file =
    typeof source === 'object' && source
      ? asString((source as Json).file)
      : typeof source === 'string' && !source.includes('\n') && /\.ya?ml$|\.json$/i.test(source)
        ? source
        : undefined;
  if (file !== undefined) {
    const path = joinPath(k.dir, file);
    const documents = state.files.documents(path);
    if (documents === undefined) {
      note(state, k, entry, `The patch \`${file}\` is not among the checked files: it is not applied.`);
      return [];
    }
    state.rendering.files.add(path);
    state.rendering.patchFiles.add(path);
    return documents.map((object) => ({ data: object.data, at: { object, path: [] }, entry }));
  }
  if (typeof source !== 'string') return [];
  const inline = documentObjects(k.file, source);
  return inline.map((object) => ({ data: object.data, at: { object: k.object, path: entry }, entry }));
}

function applyPatch(k: Kustomization, p: PatchDocument, target: unknown, items: Item[], state: State): Item[] {
  const targets =
    target !== undefined ? items.filter((item) => matchesTarget(item, asRecord(target))) : items.filter((item) => namedBy(item, asRecord(p.data)));
  if (targets.length === 0) {
    // A patch with a target may match nothing (kustomize accepts that); one naming its object must match.
    if (target === undefined) note(state, k, p.entry, 'This patch matches no rendered object (kustomize refuses it): it is not applied.');
    return items;
  }
  const deleted = new Set<Item>();
  for (const item of targets) {
    item.files.add(p.at.object.file);
    if (Array.isArray(p.data)) {
      p.data.forEach((op, i) => {
        const problem = applyJsonPatch(item.data, op as JsonPatchOperation, { object: p.at.object, path: [...p.at.path, i] }, state.provenance);
        if (problem) note(state, k, p.entry, `A JSON patch operation does not apply (${problem}): it is skipped.`);
      });
    } else {
      if (strategicMerge(item.data, identityFree(asRecord(p.data)), p.at, state.provenance) === 'delete') deleted.add(item);
    }
  }
  return items.filter((item) => !deleted.has(item));
}

/**
 * A strategic merge patch without what names its object: kustomize keeps the patched object's
 * apiVersion, kind, name and namespace (a patch file written as a Deployment and applied to
 * `target: { kind: Job }` leaves a Job), and merges the patch's labels and annotations.
 */
function identityFree(patchData: Json): Json {
  const rest: Json = { ...patchData };
  delete rest.apiVersion;
  delete rest.kind;
  if (rest.metadata && typeof rest.metadata === 'object') {
    const metadata: Json = { ...(rest.metadata as Json) };
    delete metadata.name;
    delete metadata.namespace;
    if (Object.keys(metadata).length) rest.metadata = metadata;
    else delete rest.metadata;
  }
  return rest;
}

/** A strategic merge patch names its object by kind and name (and namespace, when it says one). */
function namedBy(item: Item, patchData: Json): boolean {
  const wanted = identity(patchData);
  const have = identity(item.data);
  if (wanted.kind !== have.kind) return false;
  if (wanted.namespace !== undefined && have.namespace !== undefined && wanted.namespace !== have.namespace) return false;
  return wanted.name === have.name || item.previousNames.includes(wanted.name);
}

/** A patch target: kind, name, namespace (regular expressions, as kustomize reads them), labelSelector (equality only). */
function matchesTarget(item: Item, target: Json): boolean {
  const have = identity(item.data);
  const full = (pattern: unknown, value: string | undefined): boolean => pattern === undefined || new RegExp(`^(?:${String(pattern)})$`).test(value ?? '');
  const names = [have.name, ...item.previousNames];
  if (!full(target.kind, have.kind) || !full(target.namespace, have.namespace ?? 'default')) return false;
  if (target.name !== undefined && !names.some((n) => full(target.name, n))) return false;
  const labels = asRecord(asRecord(item.data.metadata).labels);
  for (const term of String(target.labelSelector ?? '')
    .split(',')
    .filter(Boolean)) {
    const [key, value] = term.split('=').map((s) => s.trim());
    if (key && labels[key] !== value) return false;
  }
  return true;
}

// ---- Transformers ----

function transform(k: Kustomization, items: Item[], state: State): void {
  const namespace = asString(k.data.namespace);
  const prefix = asString(k.data.namePrefix) ?? '';
  const suffix = asString(k.data.nameSuffix) ?? '';
  for (const item of items) {
    const metadata = (item.data.metadata = asRecord(item.data.metadata));
    if (namespace && !CLUSTER_SCOPED.has(identity(item.data).kind)) {
      metadata.namespace = namespace;
      state.provenance.setKey(metadata, 'namespace', { object: k.object, path: ['namespace'] });
      item.files.add(k.file);
    }
    if ((prefix || suffix) && identity(item.data).kind !== 'Namespace' && !identity(item.data).kind.startsWith('CustomResourceDefinition')) {
      item.previousNames.push(String(metadata.name));
      // The name stays where it was written (a finding on a name belongs there), prefixed or not.
      metadata.name = `${prefix}${String(metadata.name)}${suffix}`;
    }
  }
  labels(k, items, state.provenance);
  images(k, items, state.provenance);
  replicas(k, items, state.provenance);
}

function addLabelsAndAnnotations(data: Json, labels: Json, annotations: Json, at: SourceRef, provenance: Provenance): void {
  const metadata = asRecord(data.metadata);
  if (Object.keys(labels).length) setAll(metadata, 'labels', labels, at, provenance);
  if (Object.keys(annotations).length) setAll(metadata, 'annotations', annotations, at, provenance);
}

/** Sets each key of `values` in `parent[field]` (a map, made when `create`), remembering `at` (one key each). */
function setAll(parent: Json, field: string, values: Json, at: SourceRef, provenance: Provenance, create = true): void {
  if (!parent[field] || typeof parent[field] !== 'object') {
    if (!create) return;
    parent[field] = {};
    provenance.mark(parent[field] as object, at);
    provenance.setKey(parent, field, at);
  }
  const target = parent[field] as Json;
  for (const [key, value] of Object.entries(values)) {
    target[key] = String(value);
    provenance.setKey(target, key, { object: at.object, path: [...at.path, key] });
  }
}

/** Where label selectors live, by kind (created when missing?), as kustomize's commonLabels configuration says. */
const SELECTOR_FIELDS: Record<string, { path: string[]; create: boolean }[]> = {
  Service: [{ path: ['spec', 'selector'], create: true }],
  PodDisruptionBudget: [{ path: ['spec', 'selector', 'matchLabels'], create: false }],
  NetworkPolicy: [{ path: ['spec', 'podSelector', 'matchLabels'], create: false }],
  ...Object.fromEntries(
    ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout'].map((kind) => [kind, [{ path: ['spec', 'selector', 'matchLabels'], create: true }]]),
  ),
};

function templateMetadataPaths(kind: string): string[][] {
  if (kind === 'CronJob')
    return [
      ['spec', 'jobTemplate', 'metadata'],
      ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
    ];
  return WORKLOAD_KINDS.includes(kind) ? [['spec', 'template', 'metadata']] : [];
}

function labels(k: Kustomization, items: Item[], provenance: Provenance): void {
  const sets: { pairs: Json; at: SourceRef; selectors: boolean; templates: boolean }[] = [];
  if (k.data.commonLabels)
    sets.push({ pairs: asRecord(k.data.commonLabels), at: { object: k.object, path: ['commonLabels'] }, selectors: true, templates: true });
  asArray(k.data.labels).forEach((raw, i) => {
    const entry = asRecord(raw);
    const selectors = entry.includeSelectors === true;
    sets.push({
      pairs: asRecord(entry.pairs),
      at: { object: k.object, path: ['labels', i, 'pairs'] },
      selectors,
      templates: selectors || entry.includeTemplates === true,
    });
  });
  const annotations = asRecord(k.data.commonAnnotations);
  if (!sets.length && !Object.keys(annotations).length) return;
  for (const item of items) {
    item.files.add(k.file);
    const kind = identity(item.data).kind;
    const metadata = asRecord(item.data.metadata);
    for (const set of sets) {
      setAll(metadata, 'labels', set.pairs, set.at, provenance);
      if (set.templates)
        for (const path of templateMetadataPaths(kind)) setAll(ensure(item.data, path, set.at, provenance), 'labels', set.pairs, set.at, provenance);
      if (!set.selectors) continue;
      for (const field of SELECTOR_FIELDS[kind] ?? []) {
        const parentPath = field.path.slice(0, -1);
        const parent = field.create ? ensure(item.data, parentPath, set.at, provenance) : (getPath(item.data, parentPath) as Json | undefined);
        if (parent && typeof parent === 'object') setAll(parent, field.path[field.path.length - 1]!, set.pairs, set.at, provenance, field.create);
      }
    }
    if (Object.keys(annotations).length) {
      const at = { object: k.object, path: ['commonAnnotations'] };
      setAll(metadata, 'annotations', annotations, at, provenance);
      for (const path of templateMetadataPaths(kind)) setAll(ensure(item.data, path, at, provenance), 'annotations', annotations, at, provenance);
    }
  }
}

function getPath(data: unknown, path: readonly string[]): unknown {
  let node = data;
  for (const segment of path) node = node && typeof node === 'object' ? (node as Json)[segment] : undefined;
  return node;
}

/** The map at `path`, made (remembering `at`) where missing. */
function ensure(data: Json, path: readonly string[], at: SourceRef, provenance: Provenance): Json {
  let node = data;
  for (const segment of path) {
    if (!node[segment] || typeof node[segment] !== 'object') {
      node[segment] = {};
      provenance.mark(node[segment] as object, at);
    }
    node = node[segment] as Json;
  }
  return node;
}

/** `images`: containers whose image name matches get the new name, tag or digest. */
function images(k: Kustomization, items: Item[], provenance: Provenance): void {
  const entries = asArray(k.data.images).map(asRecord);
  if (!entries.length) return;
  for (const item of items) {
    const template = podTemplate({ kind: identity(item.data).kind, data: item.data } as ManifestObject);
    if (!template) continue;
    for (const field of ['initContainers', 'containers']) {
      for (const container of asArray(template.spec[field]).map(asRecord)) {
        const image = asString(container.image);
        if (!image) continue;
        const { name, tag, digest } = splitImage(image);
        const i = entries.findIndex((entry) => entry.name === name);
        const entry = entries[i];
        if (!entry) continue;
        const newName = asString(entry.newName) ?? name;
        const newDigest = asString(entry.digest);
        const newTag = entry.newTag !== undefined ? String(entry.newTag) : tag;
        container.image = newDigest
          ? `${newName}@${newDigest}`
          : `${newName}${newTag !== undefined ? `:${newTag}` : ''}${digest && entry.newTag === undefined ? `@${digest}` : ''}`;
        const key = newDigest ? 'digest' : entry.newTag !== undefined ? 'newTag' : 'newName';
        provenance.setKey(container, 'image', { object: k.object, path: ['images', i, key] });
        item.files.add(k.file);
      }
    }
  }
}

/** An image reference's name, tag and digest (a registry port is not a tag). */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), ...(digest ? { digest } : {}) };
  return { name: rest, ...(digest ? { digest } : {}) };
}

function replicas(k: Kustomization, items: Item[], provenance: Provenance): void {
  asArray(k.data.replicas).forEach((raw, i) => {
    const entry = asRecord(raw);
    for (const item of items) {
      const { kind, name } = identity(item.data);
      if (!WORKLOAD_KINDS.includes(kind) || (name !== entry.name && !item.previousNames.includes(String(entry.name)))) continue;
      const spec = (item.data.spec = asRecord(item.data.spec));
      spec.replicas = Number(entry.count);
      provenance.setKey(spec, 'replicas', { object: k.object, path: ['replicas', i, 'count'] });
      item.files.add(k.file);
    }
  });
}

// ---- Names ----

interface Rename {
  kind: string;
  from: string;
  to: string;
  namespace: string | undefined;
}

/**
 * Generated names end with a hash of the content, as kustomize's do (`-` and ten characters).
 * The hash here is not kustomize's own: nothing compares it, and every reference is rewritten to it.
 */
function applyHashSuffixes(items: Item[]): Rename[] {
  const renames: Rename[] = [];
  for (const item of items) {
    if (!item.generated?.hashed) continue;
    const metadata = asRecord(item.data.metadata);
    const from = String(metadata.name);
    item.generated.unhashedName = from;
    metadata.name = `${from}-${contentHash(JSON.stringify({ kind: item.data.kind, name: from, data: item.data.data }))}`;
    renames.push({ kind: identity(item.data).kind, from, to: String(metadata.name), namespace: identity(item.data).namespace });
  }
  return renames;
}

/** Ten characters of kustomize's hash alphabet (no vowels, no look-alike digits) from FNV-1a. */
function contentHash(text: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  let hash = 0x811c9dc5;
  for (let round = 0; out.length < 10; round++) {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ round, 0x01000193) >>> 0;
    for (let n = hash; n > 0 && out.length < 10; n = Math.floor(n / alphabet.length)) out += alphabet[n % alphabet.length];
  }
  return out;
}

/** Where pod templates name ConfigMaps, Secrets; Ingresses and routes name Services. */
function rewriteNameReferences(items: Item[], renames: Rename[], rendering: Rendering): void {
  if (!renames.length) return;
  for (const r of renames) rendering.renames.push(`${r.kind} ${r.namespace ?? ''} ${r.from} ${r.to}`);
  const lookup = (kind: string, name: unknown, namespace: string | undefined): string | undefined =>
    renames.find((r) => r.kind === kind && r.from === name && (r.namespace === undefined || namespace === undefined || r.namespace === namespace))?.to;
  const rename = (node: Json, key: string, kind: string, namespace: string | undefined): void => {
    const to = lookup(kind, node[key], namespace);
    if (to) node[key] = to;
  };
  for (const item of items) {
    const namespace = identity(item.data).namespace;
    const template = podTemplate({ kind: identity(item.data).kind, data: item.data } as ManifestObject);
    if (template) renamePodReferences(template.spec, (node, key, kind) => rename(node, key, kind, namespace));
    if (identity(item.data).kind === 'Ingress') {
      visitMaps(item.data.spec, (node) => {
        const service = asRecord(node.service);
        if (node.service && typeof node.service === 'object') rename(service, 'name', 'Service', namespace);
        if (typeof node.serviceName === 'string') rename(node, 'serviceName', 'Service', namespace);
      });
    }
    if (identity(item.data).kind === 'StatefulSet') rename(asRecord(item.data.spec), 'serviceName', 'Service', namespace);
  }
}

function renamePodReferences(spec: Json, rename: (node: Json, key: string, kind: string) => void): void {
  for (const container of [...asArray(spec.containers), ...asArray(spec.initContainers)].map(asRecord)) {
    for (const env of asArray(container.env).map(asRecord)) {
      const from = asRecord(env.valueFrom);
      if (from.configMapKeyRef) rename(asRecord(from.configMapKeyRef), 'name', 'ConfigMap');
      if (from.secretKeyRef) rename(asRecord(from.secretKeyRef), 'name', 'Secret');
    }
    for (const source of asArray(container.envFrom).map(asRecord)) {
      if (source.configMapRef) rename(asRecord(source.configMapRef), 'name', 'ConfigMap');
      if (source.secretRef) rename(asRecord(source.secretRef), 'name', 'Secret');
    }
  }
  for (const volume of asArray(spec.volumes).map(asRecord)) {
    if (volume.configMap) rename(asRecord(volume.configMap), 'name', 'ConfigMap');
    if (volume.secret) rename(asRecord(volume.secret), 'secretName', 'Secret');
    for (const source of asArray(asRecord(volume.projected).sources).map(asRecord)) {
      if (source.configMap) rename(asRecord(source.configMap), 'name', 'ConfigMap');
      if (source.secret) rename(asRecord(source.secret), 'name', 'Secret');
    }
  }
  for (const secret of asArray(spec.imagePullSecrets).map(asRecord)) rename(secret, 'name', 'Secret');
}

function visitMaps(value: unknown, visit: (node: Json) => void): void {
  if (Array.isArray(value)) value.forEach((item) => visitMaps(item, visit));
  else if (value && typeof value === 'object') {
    visit(value as Json);
    Object.values(value).forEach((item) => visitMaps(item, visit));
  }
}

/** The rendered object: its data, its positions those of the object it was rendered from. */
function renderedObject(item: Item, provenance: Provenance, rendering: Rendering): ManifestObject {
  const source = provenance.originOf(item.data)!.object;
  const { kind, name, namespace } = identity(item.data);
  const object: ManifestObject = {
    file: source.file,
    index: source.index,
    apiVersion: asString(item.data.apiVersion) ?? '',
    kind,
    name,
    namespace: namespace || 'default',
    namespaceWritten: namespace !== undefined,
    data: item.data,
    get doc() {
      return source.doc;
    },
    get start() {
      return source.start;
    },
    get end() {
      return source.end;
    },
  };
  const generated = item.generated && { keysUnknown: item.generated.keysUnknown, name: item.generated.unhashedName ?? name };
  renderedInfo.set(object, { rendering, provenance, files: item.files, ...(generated ? { generated } : {}) });
  return object;
}
