import { appendToMap } from '../edits';
import { asArray, asRecord } from '../model';
import { describeObject, podTemplateRule, servingContainers, trafficSource } from './_pod';

export const missingReadinessProbe = podTemplateRule({
  id: 'missing-readiness-probe',
  severity: 'warning',
  summary: 'A container that takes traffic (a Service selects its pods) without a readiness probe gets it before it can serve, during every rollout.',
  servingOnly: true,
  check(check) {
    const { object, template, ctx, report } = check;
    // Only pods that take traffic need to say when they are ready (not a load generator, not a node agent).
    const source = trafficSource(check);
    if (!source) return;
    for (const container of servingContainers(template)) {
      if (container.container.readinessProbe) continue;
      const port = asRecord(asArray(container.container.ports)[0]);
      const target = port.name ?? port.containerPort;
      const edit =
        target === undefined
          ? undefined
          : appendToMap(ctx.text, object, container.path, [
              'readinessProbe:',
              '  tcpSocket:',
              `    port: ${String(target)}`,
              '  periodSeconds: 5',
              '  failureThreshold: 3',
            ]);
      report({
        path: container.namePath,
        message: `Container ${container.name} of ${describeObject(object)} has no readinessProbe, and ${source}: a new pod receives traffic as soon as it starts, before it can serve, so every rollout drops requests. Add a readinessProbe that succeeds only when the app is ready.`,
        fixes: edit ? [{ title: `Add a readinessProbe on port ${String(target)}`, edits: [edit], preferred: true }] : [],
      });
    }
  },
});
