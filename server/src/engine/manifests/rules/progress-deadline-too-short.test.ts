import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const deployment = (spec: string[], probe: string): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: { name: web }',
    'spec:',
    ...spec.map((line) => `  ${line}`),
    '  selector: { matchLabels: { app: web } }',
    '  template:',
    '    metadata: { labels: { app: web } }',
    '    spec:',
    '      containers:',
    '        - name: app',
    '          image: web:1',
    `          ${probe}`,
  );

const readiness = (delay: number): string => `readinessProbe: { httpGet: { path: /ready, port: 8080 }, initialDelaySeconds: ${delay} }`;

describe('progress-deadline-too-short', () => {
  it('ok: a deadline longer than minReadySeconds plus the first readiness check; the default 600 s', () => {
    expectManifestRanges(
      'progress-deadline-too-short',
      { 'deploy.yaml': deployment(['progressDeadlineSeconds: 120', 'minReadySeconds: 30'], readiness(20)) },
      [],
    );
    expectManifestRanges('progress-deadline-too-short', { 'deploy.yaml': deployment(['minReadySeconds: 60'], readiness(60)) }, []);
  });

  it('err: on progressDeadlineSeconds when written, naming what the pod needs', () => {
    const [finding] = expectManifestRanges(
      'progress-deadline-too-short',
      { 'deploy.yaml': deployment(['progressDeadlineSeconds: 60', 'minReadySeconds: 30'], readiness(30)) },
      ['deploy.yaml 5:28-5:30'],
    );
    assert.match(
      finding!.message,
      /progressDeadlineSeconds 60 is not longer than a new pod needs to become available \(minReadySeconds 30 \+ 30 s before container app can be ready = 60 s\)/,
    );
  });

  it("err: the default 600 s against a startup probe's budget, on the probe", () => {
    expectManifestRanges(
      'progress-deadline-too-short',
      { 'deploy.yaml': deployment([], 'startupProbe: { httpGet: { path: /ready, port: 8080 }, failureThreshold: 60, periodSeconds: 10 }') },
      ['deploy.yaml 12:11-12:23'],
    );
  });
});
