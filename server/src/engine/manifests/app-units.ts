/**
 * Deploy units that GitOps tools define: an Argo CD Application (`spec.source.path`,
 * `spec.sources[].path`) or a Flux Kustomization (`spec.path`) applies one folder of the repository,
 * with its subfolders (Argo CD's `directory.recurse`, Flux's default), as one unit. Paths are
 * relative to the repository root, which the engine does not know: a path names the workspace
 * folders whose path ends with it; a path that names none (another repository, a chart) is ignored.
 */
import type { ManifestObject } from './yaml';

/** The repository paths a GitOps object deploys. */
export function deployedPaths(object: ManifestObject): string[] {
  const spec = (object.data.spec ?? {}) as Record<string, unknown>;
  if (object.kind === 'Application' && object.apiVersion.startsWith('argoproj.io/')) {
    const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])];
    return sources.flatMap((source) => {
      const path = source && typeof source === 'object' ? (source as Record<string, unknown>).path : undefined;
      return typeof path === 'string' ? [path] : [];
    });
  }
  if (object.kind === 'Kustomization' && object.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) return typeof spec.path === 'string' ? [spec.path] : [];
  return [];
}

/** Whether an object may define deploy units (a change of it changes which files are deployed together). */
export const definesUnits = (object: ManifestObject): boolean => deployedPaths(object).length > 0;

/** The workspace folders (`folders`: every folder that holds a file, with its parents) that the deployed paths name. */
export function unitFolders(paths: readonly string[], folders: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const raw of paths) {
    const path = raw.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    // The repository root, or outside it: not a folder of its own.
    if (!path || path === '.' || path.split('/').includes('..')) continue;
    for (const folder of folders) if (folder.replace(/\\/g, '/').endsWith(`/${path}`)) found.add(folder);
  }
  return [...found];
}
