import type { ManifestRule, ManifestReport } from '../rule';
import { asArray, asRecord, asString, get, podTemplate } from '../model';
import { scopeOf, type Lookup } from '../lookup';
import type { ManifestObject, Path } from '../yaml';
import { describeObject } from './_pod';
import { hpasTargeting } from '../replicas';

/** Kubernetes' rounding: maxSurge percentages round up, maxUnavailable round down. */
function resolve(value: unknown, replicas: number, roundUp: boolean): number | undefined {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^(\d+)%$/.exec(value.trim()) : null;
  if (!match) return undefined;
  const exact = (Number(match[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** The replicas a rollout works with, and where that number comes from (for messages). */
interface Replicas {
  count: number;
  /** ` (minReplicas of HorizontalPodAutoscaler web)`, or empty for spec.replicas and the default. */
  source: string;
}

/**
 * spec.replicas; when unset, the minReplicas of a HorizontalPodAutoscaler that scales the object
 * (the fewest pods it runs, so the riskiest case), else Kubernetes' default of 1.
 */
function replicasOf(object: ManifestObject, lookup: Lookup): Replicas {
  const replicas = get(object.data, ['spec', 'replicas']);
  if (typeof replicas === 'number') return { count: replicas, source: '' };
  const hpa = hpasTargeting(lookup, object)[0];
  const min = hpa ? get(hpa.data, ['spec', 'minReplicas']) : undefined;
  // An HPA without minReplicas runs at least 1 pod: Kubernetes' default too.
  return hpa ? { count: typeof min === 'number' ? min : 1, source: ` (minReplicas of HorizontalPodAutoscaler ${hpa.name})` } : { count: 1, source: '' };
}

/**
 * Whether a pod mounts a claim that only one node can mount at a time, so two pods cannot run
 * side by side and Recreate is the right strategy: a PersistentVolumeClaim that is ReadWriteOnce
 * (or ReadWriteOncePod), or one the workspace does not show (it may well be; most claims are).
 */
function mountsSingleNodeClaim(object: ManifestObject, lookup: Lookup): boolean {
  const template = podTemplate(object);
  if (!template) return false;
  return asArray(template.spec.volumes).some((v) => {
    const claim = asString(get(v, ['persistentVolumeClaim', 'claimName']));
    if (claim === undefined) return false;
    const pvc = lookup.find('PersistentVolumeClaim', scopeOf(object), claim);
    if (!pvc) return true;
    const modes = asArray(get(pvc.data, ['spec', 'accessModes']));
    return modes.length === 0 || modes.includes('ReadWriteOnce') || modes.includes('ReadWriteOncePod');
  });
}

export const unsafeRollingUpdate: ManifestRule = {
  id: 'unsafe-rolling-update',
  severity: 'warning',
  summary: 'A rollout strategy that can take every replica down, doubles the pods (and their database connections), or cannot progress.',
  kinds: ['Deployment', 'Rollout'],
  check(object, ctx, report) {
    const spec = asRecord(object.data.spec);
    if (object.kind === 'Deployment') {
      const type = get(spec, ['strategy', 'type']);
      if (type === 'Recreate') {
        if (mountsSingleNodeClaim(object, ctx.lookup)) return;
        report({
          path: ['spec', 'strategy', 'type'],
          message: `${describeObject(object)} uses the Recreate strategy: every pod is stopped before the new version starts, so each rollout is an outage. Use RollingUpdate (Recreate is only for volumes that cannot be mounted by two pods at once: a ReadWriteOnce PersistentVolumeClaim).`,
        });
        return;
      }
      checkSurge(object, ['spec', 'strategy', 'rollingUpdate'], replicasOf(object, ctx.lookup), report);
    } else {
      const canary = get(spec, ['strategy', 'canary']);
      // Argo's own surge limits apply only to canaries without traffic routing.
      if (canary && !asRecord(canary).trafficRouting) checkSurge(object, ['spec', 'strategy', 'canary'], replicasOf(object, ctx.lookup), report);
    }
  },
};

function checkSurge(object: ManifestObject, at: Path, { count: replicas, source }: Replicas, report: (r: ManifestReport) => void): void {
  const settings = asRecord(get(object.data, at));
  const surgeWritten = settings.maxSurge !== undefined;
  const unavailableWritten = settings.maxUnavailable !== undefined;
  const surge = resolve(settings.maxSurge ?? '25%', replicas, true);
  const unavailable = resolve(settings.maxUnavailable ?? '25%', replicas, false);
  if (surge === undefined || unavailable === undefined || replicas < 1) return;
  const what = describeObject(object);
  if (surge === 0 && unavailable === 0) {
    report({
      path: [...at, surgeWritten ? 'maxSurge' : 'maxUnavailable'],
      message: `${what} has maxSurge and maxUnavailable both 0 with ${replicas} replica(s)${source}: no pod can be added or removed, so the rollout can never progress. Allow maxSurge: 1 (or 25%).`,
    });
    return;
  }
  if (unavailable >= replicas) {
    report({
      path: [...at, unavailableWritten ? 'maxUnavailable' : 'maxSurge'],
      message: `${what}: maxUnavailable ${String(settings.maxUnavailable ?? '25%')} lets the rollout stop all ${replicas} replica(s)${source} at once, before any new pod is ready — an outage on every deploy. Keep maxUnavailable below the replica count (0 with maxSurge ≥ 1 for zero downtime).`,
    });
  }
  if (surgeWritten && replicas > 1 && surge >= replicas) {
    report({
      path: [...at, 'maxSurge'],
      message: `${what}: maxSurge ${String(settings.maxSurge)} starts ${surge} extra pods next to ${replicas}${source}, doubling the pods — and their database connections and memory — during every rollout, which can exhaust the database's connection limit. Use a smaller surge (25% or 1).`,
    });
  }
}
