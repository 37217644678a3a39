import { asArray, asRecord } from '../model';
import { containersOf, describeObject, podTemplateRule } from './_pod';

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;
const HANDLERS = ['httpGet', 'tcpSocket', 'grpc'] as const;

export const probePortNotExposed = podTemplateRule({
  id: 'probe-port-not-exposed',
  severity: 'error',
  summary: "A probe's port is not one the container declares: a named port that does not exist fails every probe (an undeclared number is a hint).",
  check({ object, template, report }) {
    for (const container of containersOf(template, true)) {
      const ports = asArray(container.container.ports).map(asRecord);
      const names = new Set(ports.map((p) => p.name).filter((n): n is string => typeof n === 'string'));
      const numbers = new Set(ports.map((p) => p.containerPort));
      for (const probe of PROBES) {
        for (const handler of HANDLERS) {
          const port = asRecord(asRecord(container.container[probe])[handler]).port;
          if (port === undefined) continue;
          const path = [...container.path, probe, handler, 'port'];
          if (typeof port === 'string' && !/^\d+$/.test(port)) {
            if (names.has(port)) continue;
            report({
              path,
              message: `${probe} of container ${container.name} (${describeObject(object)}) uses port \`${port}\`, but the container declares no port named ${port}${names.size ? ` (it has: ${[...names].join(', ')})` : ''}: the kubelet cannot resolve it, so every probe fails and the pods never become ready.`,
            });
          } else if (ports.length > 0 && !numbers.has(Number(port))) {
            // A container may listen on ports it does not declare (a health port beside the serving one): only a hint.
            report({
              path,
              severity: 'hint',
              message: `${probe} of container ${container.name} (${describeObject(object)}) checks port ${String(port)}, which the container does not declare (it declares ${[...numbers].join(', ')}). That is fine if the app listens there (a separate health port); if it does not, the probe fails on every pod. Declare the port, or probe a declared one by name.`,
            });
          }
        }
      }
    }
  },
});
