import { asRecord, SERVING_KINDS } from '../model';
import { containersOf, describeObject, podTemplateRule } from './_pod';

export const missingResources = podTemplateRule({
  id: 'missing-resources',
  severity: 'warning',
  summary:
    'A container without CPU and memory requests, or without a memory limit: the scheduler packs blindly and the node can run out of memory during a rollout.',
  check({ object, template, report }) {
    for (const container of containersOf(template)) {
      const resources = asRecord(container.container.resources);
      const requests = asRecord(resources.requests);
      const limits = asRecord(resources.limits);
      const missing = [
        requests.cpu === undefined ? 'requests.cpu' : undefined,
        requests.memory === undefined ? 'requests.memory' : undefined,
        limits.memory === undefined ? 'limits.memory' : undefined,
      ].filter((m): m is string => m !== undefined);
      if (!missing.length) continue;
      report({
        path: container.container.resources === undefined ? container.namePath : [...container.path, 'resources'],
        on: container.container.resources === undefined ? 'value' : 'key',
        message: `Container ${container.name} of ${describeObject(object)} sets no ${missing.join(', ')}: ${SERVING_KINDS.includes(object.kind) ? 'during a rollout old and new pods run side by side, and ' : ''}without requests the scheduler can place ${SERVING_KINDS.includes(object.kind) ? 'them' : 'its pods'} on nodes that cannot hold them (evictions, OOM kills). Set CPU and memory requests and a memory limit.`,
      });
    }
  },
});
