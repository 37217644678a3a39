import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const deployment = (replicas: number): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: { name: web }',
    'spec:',
    `  replicas: ${replicas}`,
    '  selector: { matchLabels: { app: web } }',
    '  template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: app, image: web:1 }] } }',
  );

const service = yaml('apiVersion: v1', 'kind: Service', 'metadata: { name: web }', 'spec: { selector: { app: web }, ports: [{ port: 80 }] }');
const pdb = yaml(
  'apiVersion: policy/v1',
  'kind: PodDisruptionBudget',
  'metadata: { name: web }',
  'spec: { maxUnavailable: 1, selector: { matchLabels: { app: web } } }',
);

describe('missing-pod-disruption-budget', () => {
  it('ok: a PDB selects the pods; one replica; no Service in front', () => {
    expectManifestRanges('missing-pod-disruption-budget', { 'deploy.yaml': deployment(3), 'svc.yaml': service, 'pdb.yaml': pdb }, []);
    expectManifestRanges('missing-pod-disruption-budget', { 'deploy.yaml': deployment(1), 'svc.yaml': service }, []);
    expectManifestRanges('missing-pod-disruption-budget', { 'deploy.yaml': deployment(3) }, []);
  });

  it('err: on the replicas key of a serving multi-replica workload without a PDB', () => {
    const [finding] = expectManifestRanges('missing-pod-disruption-budget', { 'deploy.yaml': deployment(3), 'svc.yaml': service }, ['deploy.yaml 5:3-5:11']);
    assert.match(finding!.message, /^Deployment web serves traffic with 3 replicas, but no PodDisruptionBudget selects its pods/);
    assert.equal(finding!.finding.severity, 'info');
  });
});
