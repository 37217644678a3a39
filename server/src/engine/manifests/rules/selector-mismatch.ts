import { asRecord, get, selectorMatches } from '../model';
import { describeObject, podTemplateRule } from './_pod';

export const selectorMismatch = podTemplateRule({
  id: 'selector-mismatch',
  severity: 'error',
  summary: "A workload's selector that does not match its own pod template labels: the API server rejects it, or it never sees its pods.",
  servingOnly: true,
  check({ object, template, report }) {
    const selector = get(object.data, ['spec', 'selector']);
    if (selector === undefined || Object.keys(asRecord(selector)).length === 0) return;
    if (selectorMatches(selector, template.labels)) return;
    const labels = Object.entries(template.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    report({
      path: ['spec', 'selector'],
      on: 'key',
      message: `The selector of ${describeObject(object)} does not match its pod template labels (${labels || 'none'}): the API server rejects the object${object.kind === 'Rollout' ? ' (Argo marks the Rollout InvalidSpec)' : ''}. Make spec.selector select spec.template.metadata.labels.`,
    });
  },
});
