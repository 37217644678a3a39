import { replaceValue } from '../edits';
import { asArray, get, isArgo, isEmptySelector } from '../model';
import type { ManifestReport, ManifestRule } from '../rule';
import {
  containerImages,
  hostService,
  isCoreService,
  istioRoutes,
  isSplit,
  podsSelectedBy,
  rolloutServices,
  scopesOverlap,
  type PodSource,
  scopeOf,
} from '../traffic';
import type { ManifestObject } from '../yaml';
import { describeObject } from './_pod';

/** A Rollout whose canary moves traffic by steps (with or without a traffic router). */
const isCanaryRollout = (o: ManifestObject): boolean => asArray(get(o.data, ['spec', 'strategy', 'canary', 'steps'])).length > 0;

/** Pods of different versions: two workloads (or variants) whose labels or images differ. */
function differentVersions(pods: PodSource[]): boolean {
  const keys = new Set(pods.map((p) => JSON.stringify([p.labels, p.template ? containerImages(p.template) : []])));
  return pods.length >= 2 && keys.size >= 2;
}

export const serviceSessionAffinity: ManifestRule = {
  id: 'service-session-affinity',
  severity: 'warning',
  summary: 'sessionAffinity: ClientIP on a Service in front of a canary pins each client to one version: the canary weights do not hold.',
  kinds: ['Service'],
  check(object, ctx, report) {
    if (!isCoreService(object) || get(object.data, ['spec', 'sessionAffinity']) !== 'ClientIP') return;
    const scope = scopeOf(object);
    const reasons: string[] = [];
    const related: NonNullable<ManifestReport['related']> = [];

    // 1. An Argo Rollout names it as its canary or stable Service.
    for (const rollout of ctx.lookup.all('Rollout', scope).filter(isArgo)) {
      for (const ref of rolloutServices(rollout)) {
        if (ref.name !== object.name || !['canaryService', 'stableService', 'pingService', 'pongService'].includes(ref.role)) continue;
        reasons.push(`it is the ${ref.role} of Rollout ${rollout.name}`);
        related.push({ object: rollout, path: ref.path, message: `Rollout ${rollout.name} uses Service ${object.name} as its ${ref.role}` });
      }
    }
    // 2. A VirtualService splits traffic by weight to it.
    for (const vs of ctx.lookup.all('VirtualService', undefined)) {
      for (const route of istioRoutes(vs)) {
        if (!isSplit(route)) continue;
        const hit = route.destinations.some((d) => {
          const svc = d.host ? hostService(d.host, vs) : undefined;
          return svc?.name === object.name && scopesOverlap(svc.scope, scope);
        });
        if (!hit) continue;
        reasons.push(`VirtualService ${vs.name} splits traffic by weight to it`);
        related.push({ object: vs, path: [...route.path, 'route'], message: `VirtualService ${vs.name} splits this route by weight` });
      }
    }
    // 3. Its selector picks pods of two versions (two Deployments, or a canary Rollout's old and new pods).
    const selector = get(object.data, ['spec', 'selector']);
    if (selector && !isEmptySelector(selector)) {
      const pods = podsSelectedBy(ctx.lookup, selector, scope);
      const canaryRollout = pods.find((p) => p.object.kind === 'Rollout' && isCanaryRollout(p.object));
      if (differentVersions(pods)) {
        const names = [...new Set(pods.map((p) => describeObject(p.object)))];
        reasons.push(`its selector picks pods of ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}, which run different versions`);
        for (const p of pods.slice(0, 3))
          related.push({ object: p.object, path: ['metadata', 'name'], message: `${describeObject(p.object)} runs pods this Service selects` });
      } else if (canaryRollout && !reasons.length) {
        reasons.push(`its selector picks the pods of Rollout ${canaryRollout.object.name}, whose canary steps split traffic by replica count`);
        related.push({
          object: canaryRollout.object,
          path: ['spec', 'strategy', 'canary', 'steps'],
          message: `Rollout ${canaryRollout.object.name} runs canary steps`,
        });
      }
    }
    if (!reasons.length) return;
    const fix = replaceValue(object, ['spec', 'sessionAffinity'], 'None');
    report({
      path: ['spec', 'sessionAffinity'],
      message: `Service ${object.name || '(unnamed)'} has sessionAffinity: ClientIP in front of a canary (${reasons[0]}): each client IP sticks to the pods it first reached, so a client never moves to the canary, or never leaves it, and behind an ingress or a proxy a few source IPs carry all traffic — the canary weights do not hold. Use sessionAffinity: None, and keep stickiness in the application or in a header-based route.`,
      related: related.slice(0, 5),
      fixes: fix ? [{ title: 'Set sessionAffinity: None', edits: [fix], preferred: true }] : [],
    });
  },
};
