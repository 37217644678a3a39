/** How many pods a workload runs: spec.replicas, or the floor an HorizontalPodAutoscaler keeps. */
import { renderingOf } from '../kustomize/render';
import { scopeOf, type Lookup } from './lookup';
import { asRecord, asString, get } from './model';
import type { ManifestObject } from './yaml';

export const HPA = 'HorizontalPodAutoscaler';

/** A file's folder with its trailing separator (`a/b/` of `a/b/c.yaml`), so one folder's prefix is its subfolders'. */
const folderOf = (file: string): string => file.slice(0, Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);

/** Whether `hpa` is an HPA (any autoscaling/ version) whose scaleTargetRef names this kind and name. */
export function targets(hpa: ManifestObject, kind: string, name: string): boolean {
  const ref = asRecord(get(hpa.data, ['spec', 'scaleTargetRef']));
  return hpa.apiVersion.startsWith('autoscaling/') && ref.kind === kind && ref.name === name;
}

/**
 * The HPAs that scale this workload: those naming it in its namespace scope, the ones deployed
 * with it (its deploy unit, its folder, or one nested with it: an app's hpa/ subfolder) first. Another unit's HPA scales it only where both
 * write the same namespace, and when that unit does not deploy a workload of this name itself
 * (its HPA scales its own copy). Without namespaces, two folders are two apps that may reuse a
 * name (podinfo's bases/ and webapp/ both have a frontend; a samples repository has dozens).
 */
export function hpasTargeting(lookup: Lookup, workload: ManifestObject): ManifestObject[] {
  const all = lookup.all(HPA, scopeOf(workload)).filter((hpa) => targets(hpa, workload.kind, workload.name));
  // Folders say which plain manifests go together; a rendered object's unit says it exactly (an overlay below the base folder is not the base's).
  const near = all.filter((hpa) => lookup.inUnit(hpa) || (!renderingOf(hpa) && !renderingOf(workload) && sameFolders(hpa, workload)));
  if (near.length) return near;
  return all.filter((hpa) => workload.namespaceWritten && hpa.namespaceWritten && !lookup.deploysOwn(hpa, workload.kind, workload.name));
}

/**
 * Two HPAs that both scale the same workload: one folder (or nested ones), or the same written namespace. Not two
 * copies of one HPA (the same name: alternative files of one object, and only one is applied).
 */
export const sameApp = (a: ManifestObject, b: ManifestObject): boolean =>
  a.name !== b.name && (sameFolders(a, b) || (a.namespaceWritten && b.namespaceWritten && a.namespace === b.namespace));

/** Two objects of one folder, or of folders nested in each other (one app's manifests and its subfolders). */
const sameFolders = (a: ManifestObject, b: ManifestObject): boolean => {
  const [x, y] = [folderOf(a.file), folderOf(b.file)];
  return x.startsWith(y) || y.startsWith(x);
};

/**
 * The fewest pods a workload runs: spec.replicas when no HPA targets it (default 1), else the
 * HPA's minReplicas (default 1), since the HPA owns the scale. Undefined for kinds whose pod count
 * is not a number of replicas (a DaemonSet runs one per node).
 */
export function minimumReplicas(lookup: Lookup, workload: ManifestObject): number | undefined {
  if (!['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Rollout'].includes(workload.kind)) return undefined;
  const hpa = hpasTargeting(lookup, workload)[0];
  const value = hpa ? get(hpa.data, ['spec', 'minReplicas']) : get(workload.data, ['spec', 'replicas']);
  if (value === undefined || value === null) return 1;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** `Deployment checkout` of an HPA's scaleTargetRef. */
export function scaleTarget(hpa: ManifestObject): { kind: string; name: string } | undefined {
  const ref = asRecord(get(hpa.data, ['spec', 'scaleTargetRef']));
  const kind = asString(ref.kind);
  const name = asString(ref.name);
  return kind && name ? { kind, name } : undefined;
}
