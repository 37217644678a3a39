import { appendToMap, replaceValue } from '../edits';
import type { ManifestEdit } from '../rule';
import { containersOf, describeObject, gracePeriodSeconds, podTemplateRule, trafficSource } from './_pod';

const SLEEP = 10;
/** Room after the sleep for in-flight requests to finish (see termination-grace-too-short). */
const DRAIN = 10;

export const missingPrestopHook = podTemplateRule({
  id: 'missing-prestop-hook',
  severity: 'warning',
  summary: 'A serving container without a preStop drain gets requests after it started shutting down, on every rollout.',
  servingOnly: true,
  check(check) {
    const { object, template, ctx, report } = check;
    if (!trafficSource(check)) return;
    for (const container of containersOf(template)) {
      if ((container.container.lifecycle as { preStop?: unknown } | undefined)?.preStop) continue;
      const edits: ManifestEdit[] = [];
      const hook = appendToMap(ctx.text, object, container.path, ['lifecycle:', '  preStop:', '    exec:', `      command: ["sleep", "${SLEEP}"]`]);
      if (hook) edits.push(hook);
      if (gracePeriodSeconds(template) < SLEEP + DRAIN) {
        const grace =
          template.spec.terminationGracePeriodSeconds === undefined
            ? appendToMap(ctx.text, object, template.path, [`terminationGracePeriodSeconds: ${SLEEP + DRAIN}`])
            : replaceValue(object, [...template.path, 'terminationGracePeriodSeconds'], String(SLEEP + DRAIN));
        if (grace) edits.push(grace);
      }
      report({
        path: container.namePath,
        message: `Container ${container.name} of ${describeObject(object)} has no preStop hook: when a pod is stopped, Kubernetes removes it from the Service endpoints and signals the container at the same time, so the proxies that have not caught up yet keep sending it requests, which fail. Add a preStop sleep (${SLEEP} s) so it drains before it exits.`,
        fixes: hook ? [{ title: `Add a ${SLEEP} s preStop sleep`, edits, preferred: true }] : [],
      });
    }
  },
});
