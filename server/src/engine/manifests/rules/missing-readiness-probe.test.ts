import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyManifestFix, expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const deployment = (probe: string[]): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: checkout',
    'spec:',
    '  selector:',
    '    matchLabels: { app: checkout }',
    '  template:',
    '    metadata:',
    '      labels: { app: checkout }',
    '    spec:',
    '      containers:',
    '        - name: app',
    '          image: registry.example.com/checkout:1.4.2',
    '          ports:',
    '            - name: http',
    '              containerPort: 8080',
    ...probe,
  );

describe('missing-readiness-probe', () => {
  it('ok: a container with a readiness probe; a Job needs none', () => {
    expectManifestRanges(
      'missing-readiness-probe',
      {
        'deploy.yaml': deployment(['          readinessProbe:', '            httpGet: { path: /ready, port: http }']),
        'job.yaml': yaml(
          'apiVersion: batch/v1',
          'kind: Job',
          'metadata: { name: migrate }',
          'spec:',
          '  template:',
          '    spec:',
          '      containers:',
          '        - name: migrate',
          '          image: migrate:1',
        ),
      },
      [],
    );
  });

  it('err: on the container name, for Deployments and Argo Rollouts, with a fix on its port', () => {
    const text = deployment([]);
    const rollout = text.replace('apiVersion: apps/v1\nkind: Deployment', 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout');
    const [finding] = expectManifestRanges('missing-readiness-probe', { 'deploy.yaml': text, 'rollout.yaml': rollout }, [
      'deploy.yaml 13:17-13:20',
      'rollout.yaml 13:17-13:20',
    ]);
    assert.match(finding!.message, /Container app of Deployment checkout has no readinessProbe/);
    assert.equal(
      applyManifestFix(text, finding!.finding),
      deployment([
        '          readinessProbe:',
        '            tcpSocket:',
        '              port: http',
        '            periodSeconds: 5',
        '            failureThreshold: 3',
      ]),
    );
  });
});
