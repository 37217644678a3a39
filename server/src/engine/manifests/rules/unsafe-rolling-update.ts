import type { ManifestRule, ManifestReport } from '../rule';
import { asRecord, get } from '../model';
import type { ManifestObject, Path } from '../yaml';
import { describeObject } from './_pod';

/** Kubernetes' rounding: maxSurge percentages round up, maxUnavailable round down. */
function resolve(value: unknown, replicas: number, roundUp: boolean): number | undefined {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^(\d+)%$/.exec(value.trim()) : null;
  if (!match) return undefined;
  const exact = (Number(match[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export const unsafeRollingUpdate: ManifestRule = {
  id: 'unsafe-rolling-update',
  severity: 'warning',
  summary: 'A rollout strategy that can take every replica down, doubles the pods (and their database connections), or cannot progress.',
  kinds: ['Deployment', 'Rollout'],
  check(object, _ctx, report) {
    const spec = asRecord(object.data.spec);
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    if (object.kind === 'Deployment') {
      const type = get(spec, ['strategy', 'type']);
      if (type === 'Recreate') {
        report({
          path: ['spec', 'strategy', 'type'],
          message: `${describeObject(object)} uses the Recreate strategy: every pod is stopped before the new version starts, so each rollout is an outage. Use RollingUpdate (Recreate is only for volumes that cannot be mounted by two pods at once).`,
        });
        return;
      }
      checkSurge(object, ['spec', 'strategy', 'rollingUpdate'], replicas, report);
    } else {
      const canary = get(spec, ['strategy', 'canary']);
      // Argo's own surge limits apply only to canaries without traffic routing.
      if (canary && !asRecord(canary).trafficRouting) checkSurge(object, ['spec', 'strategy', 'canary'], replicas, report);
    }
  },
};

function checkSurge(object: ManifestObject, at: Path, replicas: number, report: (r: ManifestReport) => void): void {
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
      message: `${what} has maxSurge and maxUnavailable both 0 with ${replicas} replica(s): no pod can be added or removed, so the rollout can never progress. Allow maxSurge: 1 (or 25%).`,
    });
    return;
  }
  if (unavailable >= replicas) {
    report({
      path: [...at, unavailableWritten ? 'maxUnavailable' : 'maxSurge'],
      message: `${what}: maxUnavailable ${String(settings.maxUnavailable ?? '25%')} lets the rollout stop all ${replicas} replica(s) at once, before any new pod is ready — an outage on every deploy. Keep maxUnavailable below the replica count (0 with maxSurge ≥ 1 for zero downtime).`,
    });
  }
  if (surgeWritten && replicas > 1 && surge >= replicas) {
    report({
      path: [...at, 'maxSurge'],
      message: `${what}: maxSurge ${String(settings.maxSurge)} starts ${surge} extra pods next to ${replicas}, doubling the pods — and their database connections and memory — during every rollout, which can exhaust the database's connection limit. Use a smaller surge (25% or 1).`,
    });
  }
}
