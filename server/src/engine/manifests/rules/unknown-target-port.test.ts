import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const service = (targetPort: string): string =>
  yaml(
    'apiVersion: v1',
    'kind: Service',
    'metadata: { name: web }',
    'spec:',
    '  selector: { app: web }',
    '  ports:',
    `    - { port: 80, targetPort: ${targetPort} }`,
  );

const deployment = yaml(
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: { name: web }',
  'spec:',
  '  selector: { matchLabels: { app: web } }',
  '  template:',
  '    metadata: { labels: { app: web } }',
  '    spec:',
  '      containers:',
  '        - name: app',
  '          image: web:1',
  '          ports: [{ name: http, containerPort: 8080 }]',
);

describe('unknown-target-port', () => {
  it('ok: a declared name, a number, a placeholder, pods the workspace cannot see', () => {
    expectManifestRanges('unknown-target-port', { 'svc.yaml': service('http'), 'deploy.yaml': deployment }, []);
    expectManifestRanges('unknown-target-port', { 'svc.yaml': service('8080'), 'deploy.yaml': deployment }, []);
    // A placeholder envsubst fills in before apply (a template file): unknown, not a name.
    expectManifestRanges('unknown-target-port', { 'svc.yaml': service("'${GRPC_PORT:-9002}'"), 'deploy.yaml': deployment }, []);
    // No workload selected: dangling-service's finding, not this one.
    expectManifestRanges('unknown-target-port', { 'svc.yaml': service('web') }, []);
  });

  it('err: on the targetPort, naming the ports the pods declare', () => {
    const [finding] = expectManifestRanges('unknown-target-port', { 'svc.yaml': service('web'), 'deploy.yaml': deployment }, ['svc.yaml 7:31-7:34']);
    assert.match(
      finding!.message,
      /^Service web sends port 80 to the container port named `web`, but no container of the pods it selects \(Deployment web\) declares a port with that name \(they declare: http\)/,
    );
    assert.equal(finding!.finding.related?.[0]?.file, 'deploy.yaml');
  });
});
