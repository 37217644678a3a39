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

const pdb = (budget: string): string =>
  yaml('apiVersion: policy/v1', 'kind: PodDisruptionBudget', 'metadata: { name: web }', 'spec:', `  ${budget}`, '  selector: { matchLabels: { app: web } }');

const hpa = yaml(
  'apiVersion: autoscaling/v2',
  'kind: HorizontalPodAutoscaler',
  'metadata: { name: web }',
  'spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }, minReplicas: 3, maxReplicas: 9 }',
);

describe('pdb-blocks-rollout', () => {
  it('ok: a budget below the replicas; an HPA floor above it; pods the workspace cannot see', () => {
    expectManifestRanges('pdb-blocks-rollout', { 'deploy.yaml': deployment(3), 'pdb.yaml': pdb('minAvailable: 2') }, []);
    expectManifestRanges('pdb-blocks-rollout', { 'deploy.yaml': deployment(3), 'pdb.yaml': pdb('maxUnavailable: 1') }, []);
    expectManifestRanges('pdb-blocks-rollout', { 'deploy.yaml': deployment(2), 'hpa.yaml': hpa, 'pdb.yaml': pdb('minAvailable: 2') }, []);
    expectManifestRanges('pdb-blocks-rollout', { 'pdb.yaml': pdb('minAvailable: 2') }, []);
  });

  it('err: minAvailable that covers every replica, as a number or a percentage', () => {
    const [finding] = expectManifestRanges('pdb-blocks-rollout', { 'deploy.yaml': deployment(2), 'pdb.yaml': pdb('minAvailable: 2') }, ['pdb.yaml 5:17-5:18']);
    assert.match(
      finding!.message,
      /^PodDisruptionBudget web requires minAvailable 2 of the 2 pod\(s\) it selects \(Deployment web\): no pod can ever be evicted/,
    );
    // 67% of 3 is 2.01, which the disruption controller rounds up to 3: no pod may go.
    const [rounded] = expectManifestRanges('pdb-blocks-rollout', { 'deploy.yaml': deployment(3), 'pdb.yaml': pdb('minAvailable: 67%') }, [
      'pdb.yaml 5:17-5:20',
    ]);
    assert.match(rounded!.message, /requires minAvailable 67% \(rounded up: 3\) of the 3 pod\(s\)/);
  });

  it('err: maxUnavailable 0 or 0%, whatever the replicas', () => {
    expectManifestRanges('pdb-blocks-rollout', { 'pdb.yaml': pdb('maxUnavailable: 0') }, ['pdb.yaml 5:19-5:20']);
    expectManifestRanges('pdb-blocks-rollout', { 'pdb.yaml': pdb('maxUnavailable: "0%"') }, ['pdb.yaml 5:19-5:23']);
  });
});
