/** Kustomization files and the YAML documents kustomize reads (patches), with positions. */
import { parseAllDocuments } from 'yaml';
import type { ManifestObject } from '../manifests/yaml';

/** The names kustomize looks for in a folder, in its order. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export const isKustomizationFile = (file: string): boolean => KUSTOMIZATION_FILE_NAMES.includes(baseName(file));

/** A YAML file kustomize may read though it holds no object: a kustomization, or a JSON 6902 patch (a list of `op:` entries). */
export const isKustomizeInput = (file: string, text: string): boolean => isKustomizationFile(file) || /^-\s+op:\s/m.test(text);

export const baseName = (file: string): string => file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);

export const dirOf = (file: string): string => file.slice(0, Math.max(0, Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'))));

/** `relative` (a kustomization's entry, `/`-separated) resolved against a folder path or URI. */
export function joinPath(dir: string, relative: string): string {
  const separator = dir.includes('/') || !dir.includes('\\') ? '/' : '\\';
  const parts = dir.split(separator);
  for (const segment of relative.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length > 1) parts.pop();
    } else parts.push(segment);
  }
  return parts.join(separator);
}

/** A parsed kustomization: its data, and the object whose positions findings and provenance use. */
export interface Kustomization {
  file: string;
  dir: string;
  object: ManifestObject;
  data: Record<string, unknown>;
}

/**
 * Every YAML document of a file as an object with positions, whatever its shape (a kustomization
 * need not say apiVersion or kind; a JSON 6902 patch file is a list). The syntax trees stay: these files are small.
 */
export function documentObjects(file: string, text: string): ManifestObject[] {
  return parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, merge: true }).flatMap((doc, index) => {
    if (doc.errors.length) return [];
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch {
      return [];
    }
    if (!data || typeof data !== 'object') return [];
    const record = data as Record<string, unknown>;
    const metadata = (Array.isArray(data) ? {} : (record.metadata ?? {})) as Record<string, unknown>;
    const object: ManifestObject = {
      file,
      index,
      apiVersion: typeof record.apiVersion === 'string' ? record.apiVersion : '',
      kind: typeof record.kind === 'string' ? record.kind : '',
      name: typeof metadata.name === 'string' ? metadata.name : '',
      namespace: typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : 'default',
      namespaceWritten: typeof metadata.namespace === 'string',
      data: record,
      doc,
      start: doc.range?.[0] ?? 0,
      end: doc.range?.[2] ?? 0,
    };
    return [object];
  });
}

/** A kustomization file's first document, or undefined when it is not a mapping (or does not parse). */
export function parseKustomization(file: string, text: string): Kustomization | undefined {
  const object = documentObjects(file, text)[0];
  if (!object || Array.isArray(object.data)) return undefined;
  return { file, dir: dirOf(file), object, data: object.data };
}

/** A remote resource (a URL, a git address): kustomize downloads it; Rollout Guard does not. */
export const isRemote = (entry: string): boolean =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(entry) || entry.includes('?ref=');

const entries = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const pathOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : value && typeof value === 'object' ? ((value as Record<string, unknown>).path as string | undefined) : undefined;

/**
 * Local paths a kustomization reads (resources, bases, components, patch files, generator files),
 * resolved against its folder: what a caller that reads files must give the workspace for the
 * kustomization to render whole. Remote URLs and inline patches are not paths.
 */
export function referencedPaths(k: Kustomization): string[] {
  const d = k.data;
  const generatorFiles = [...entries(d.configMapGenerator), ...entries(d.secretGenerator)].flatMap((raw) => {
    const g = (raw ?? {}) as Record<string, unknown>;
    return [...entries(g.files).map((f) => String(f).replace(/^[^=]*=/, '')), ...entries(g.envs), ...(g.env !== undefined ? [g.env] : [])];
  });
  const patches = [
    ...entries(d.patchesStrategicMerge).filter((p) => typeof p === 'string' && !p.includes('\n')),
    ...entries(d.patches),
    ...entries(d.patchesJson6902),
  ];
  return [...entries(d.resources), ...entries(d.bases), ...entries(d.components), ...patches.map(pathOf), ...generatorFiles]
    .filter((p): p is string => typeof p === 'string' && !isRemote(p))
    .map((p) => joinPath(k.dir, p));
}
