import { containersOf, describeObject, podTemplateRule } from './_pod';

export const missingLivenessProbe = podTemplateRule({
  id: 'missing-liveness-probe',
  severity: 'info',
  summary: 'A container without a liveness probe stays in rotation when it hangs; Kubernetes only restarts it when it exits.',
  servingOnly: true,
  check({ object, template, report }) {
    for (const container of containersOf(template)) {
      if (container.container.livenessProbe) continue;
      report({
        path: container.namePath,
        message: `Container ${container.name} of ${describeObject(object)} has no livenessProbe: if it deadlocks without exiting, Kubernetes never restarts it. Add a livenessProbe that checks the process only (not its dependencies), with a longer period than the readinessProbe.`,
      });
    }
  },
});
