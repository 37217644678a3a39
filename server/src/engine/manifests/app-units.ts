/**
 * Deploy units that GitOps tools define: an Argo CD Application (`spec.source.path`,
 * `spec.sources[].path`) or a Flux Kustomization (`spec.path`) applies one folder of the repository,
 * with its subfolders (Argo CD's `directory.recurse`, Flux's default), as one unit. Paths are
 * relative to the repository root, which the engine does not know: a path names the workspace
 * folders whose path ends with it; a path that names none (another repository, a chart) is ignored.
 */
import { asArray, asRecord } from './model';
import type { ManifestObject } from './yaml';

/** The sources of an Argo CD Application (`spec.source`, `spec.sources[]`); none for other objects. */
export function applicationSources(object: ManifestObject): Record<string, unknown>[] {
  if (object.kind !== 'Application' || !object.apiVersion.startsWith('argoproj.io/')) return [];
  const spec = asRecord(object.data.spec);
  return [spec.source, ...asArray(spec.sources)].filter((source) => source && typeof source === 'object').map(asRecord);
}

/** The repository paths a GitOps object deploys. */
export function deployedPaths(object: ManifestObject): string[] {
  if (object.kind === 'Kustomization' && object.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) {
    const path = asRecord(object.data.spec).path;
    return typeof path === 'string' ? [path] : [];
  }
  return applicationSources(object).flatMap((source) => (typeof source.path === 'string' ? [source.path] : []));
}

/** A deployed path as a folder below the repository root (`./apps/web/` → `apps/web`); undefined for the root itself or outside it. */
export function repositoryFolder(raw: string): string | undefined {
  const path = raw.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return !path || path === '.' || path.split('/').includes('..') ? undefined : path;
}

/** Whether a workspace folder is the one a repository folder names (paths are relative to the repository root, which the engine does not know). */
export const namesFolder = (path: string, folder: string): boolean => folder.replace(/\\/g, '/').endsWith(`/${path}`);

/** Whether an object may define deploy units (a change of it changes which files are deployed together). */
export const definesUnits = (object: ManifestObject): boolean => deployedPaths(object).length > 0;

/** The workspace folders (`folders`: every folder that holds a file, with its parents) that the deployed paths name. */
export function unitFolders(paths: readonly string[], folders: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const raw of paths) {
    // The repository root, or outside it: not a folder of its own.
    const path = repositoryFolder(raw);
    if (path) for (const folder of folders) if (namesFolder(path, folder)) found.add(folder);
  }
  return [...found];
}
