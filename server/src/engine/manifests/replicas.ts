/** How many pods a workload runs: spec.replicas, or the floor an HorizontalPodAutoscaler keeps. */
import { scopeOf, type Lookup } from './lookup';
import { asRecord, asString, get } from './model';
import type { ManifestObject } from './yaml';

export const HPA = 'HorizontalPodAutoscaler';

/** The HPAs (any autoscaling/ version) whose scaleTargetRef names this workload, in its namespace scope. */
export function hpasTargeting(lookup: Lookup, workload: ManifestObject): ManifestObject[] {
  return lookup.all(HPA, scopeOf(workload)).filter((hpa) => {
    const ref = asRecord(get(hpa.data, ['spec', 'scaleTargetRef']));
    return hpa.apiVersion.startsWith('autoscaling/') && ref.kind === workload.kind && ref.name === workload.name;
  });
}

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
