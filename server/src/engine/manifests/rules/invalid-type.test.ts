import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const deployment = (replicas: string): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: { name: checkout }',
    'spec:',
    `  replicas: ${replicas}`,
    '  selector: { matchLabels: { app: checkout } }',
    '  template:',
    '    metadata: { labels: { app: checkout } }',
    '    spec:',
    '      containers:',
    '        - name: app',
    '          image: checkout:1.2.3',
  );

describe('invalid-type', () => {
  it('ok: replicas as a number', () => {
    expectManifestRanges('invalid-type', { 'deploy.yaml': deployment('3') }, []);
  });

  it('err: on the value of the wrong type', () => {
    const [finding] = expectManifestRanges('invalid-type', { 'deploy.yaml': deployment('"3"') }, ['deploy.yaml 5:13-5:16']);
    assert.match(finding!.message, /Expected an integer for `replicas`, found the string "3"/);
  });
});
