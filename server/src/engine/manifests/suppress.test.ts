import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintWorkspace, yaml } from '../../../../test/helpers/manifests';

const deployment = (comment: string[], annotations: string[] = []): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: worker',
    ...annotations,
    'spec:',
    '  selector: { matchLabels: { app: worker } }',
    '  template:',
    '    metadata: { labels: { app: worker } }',
    '    spec:',
    '      containers:',
    ...comment,
    '        - name: worker',
    '          image: worker:latest',
  );

const rulesOf = (text: string): string[] => lintWorkspace({ 'd.yaml': text }).map((f) => `${f.rule}@${f.range.split(':')[0]}`);

describe('YAML suppressions', () => {
  it('a comment above a list item covers the whole item', () => {
    const found = rulesOf(deployment(['        # rollout-guard-ignore latest-image-tag, missing-resources']));
    assert.ok(!found.some((r) => r.startsWith('latest-image-tag') || r.startsWith('missing-resources')), found.join());
    assert.ok(
      found.some((r) => r.startsWith('missing-liveness-probe')),
      found.join(),
    );
  });

  it('the annotation covers the object; unknown and unused ignores are reported', () => {
    const found = rulesOf(deployment([], ['  annotations:', '    rollout-guard.io/ignore: "latest-image-tag, no-such-rule, selector-mismatch"']));
    assert.ok(!found.some((r) => r.startsWith('latest-image-tag')), found.join());
    assert.deepEqual(
      found.filter((r) => r.startsWith('unused-ignore')),
      ['unused-ignore@6', 'unused-ignore@6'],
    );
  });

  it('# rollout-guard-ignore-file covers the file', () => {
    const found = rulesOf('# rollout-guard-ignore-file latest-image-tag\n' + deployment([]));
    assert.ok(!found.some((r) => r.startsWith('latest-image-tag')), found.join());
  });
});
