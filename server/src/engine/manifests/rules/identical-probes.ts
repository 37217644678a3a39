import { containersOf, describeObject, podTemplateRule } from './_pod';

/** Probe equality regardless of key order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

export const identicalProbes = podTemplateRule({
  id: 'identical-probes',
  severity: 'warning',
  summary: 'Liveness and readiness probes that are identical restart pods exactly when they should only stop receiving traffic.',
  check({ object, template, report }) {
    for (const container of containersOf(template)) {
      const { livenessProbe, readinessProbe } = container.container;
      if (!livenessProbe || !readinessProbe || canonical(livenessProbe) !== canonical(readinessProbe)) continue;
      report({
        path: [...container.path, 'livenessProbe'],
        on: 'key',
        message: `Container ${container.name} of ${describeObject(object)} has the same liveness and readiness probe: when it is briefly not ready (under load, during a dependency outage) it is also killed and restarted, which turns slowness into an outage. Make the liveness probe check only that the process is alive, with a higher failureThreshold or longer period.`,
      });
    }
  },
});
