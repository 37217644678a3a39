import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const deployment = (name: string, replicas?: number): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: ${name} }`,
    'spec:',
    ...(replicas === undefined ? [] : [`  replicas: ${replicas}`]),
    `  selector: { matchLabels: { app: ${name} } }`,
    `  template: { metadata: { labels: { app: ${name} } }, spec: { containers: [{ name: app, image: ${name}:1 }] } }`,
  );

const hpa = (target: string, kind = 'Deployment', metadata = '{ name: web }'): string =>
  yaml(
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    `metadata: ${metadata}`,
    'spec:',
    `  scaleTargetRef: { apiVersion: apps/v1, kind: ${kind}, name: ${target} }`,
    '  minReplicas: 2',
    '  maxReplicas: 10',
  );

describe('hpa-replicas-conflict', () => {
  it('ok: an HPA-scaled workload without replicas; replicas without HPA; a target the workspace cannot see', () => {
    expectManifestRanges('hpa-replicas-conflict', { 'web.yaml': deployment('web'), 'hpa.yaml': hpa('web'), 'api.yaml': deployment('api', 3) }, []);
    // No Deployment at all in the workspace: the target is deployed from elsewhere (unknown is not missing).
    expectManifestRanges('hpa-replicas-conflict', { 'hpa.yaml': hpa('web') }, []);
    // A kind the rule does not judge (a custom resource with a scale subresource).
    expectManifestRanges('hpa-replicas-conflict', { 'api.yaml': deployment('api'), 'hpa.yaml': hpa('web', 'Widget') }, []);
  });

  it('err: on the replicas key of the scaled workload, with the HPA as related information', () => {
    const [finding] = expectManifestRanges('hpa-replicas-conflict', { 'web.yaml': deployment('web', 3), 'hpa.yaml': hpa('web') }, ['web.yaml 5:3-5:11']);
    assert.match(finding!.message, /^Deployment web sets replicas: 3 while HorizontalPodAutoscaler web scales it \(2–10\): every apply resets the scale to 3/);
    assert.equal(finding!.finding.related?.[0]?.file, 'hpa.yaml');
  });

  it('err: an HPA whose target is not among the Deployments of the workspace', () => {
    const [finding] = expectManifestRanges('hpa-replicas-conflict', { 'api.yaml': deployment('api'), 'hpa.yaml': hpa('wbe') }, ['hpa.yaml 5:66-5:69']);
    assert.match(finding!.message, /scales Deployment wbe, which is not in the workspace \(Deployments here: api\)/);
  });

  it('err: two HPAs of one app (folder or written namespace) scaling the same workload, on both', () => {
    const files = {
      'web/web.yaml': deployment('web'),
      'web/hpa.yaml': hpa('web'),
      'api/hpa.yaml': hpa('web', 'Deployment', '{ name: api }'),
      'web/hpa-2.yaml': hpa('web', 'Deployment', '{ name: web-memory }'),
    };
    const found = expectManifestRanges('hpa-replicas-conflict', files, ['web/hpa.yaml 5:66-5:69', 'web/hpa-2.yaml 5:66-5:69']);
    assert.match(found[0]!.message, /^HorizontalPodAutoscaler web and web-memory both scale Deployment web: the HPA controller stops both/);
  });

  it('ok: an HPA without namespace in another folder does not scale a workload with a written namespace', () => {
    const prod = yaml(
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: web, namespace: prod }',
      'spec:',
      '  replicas: 2',
      '  selector: { matchLabels: { app: web } }',
      '  template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: app, image: web:1 }] } }',
    );
    expectManifestRanges('hpa-replicas-conflict', { 'prod/web.yaml': prod, 'base/hpa.yaml': hpa('web') }, []);
  });

  it('ok: copies of one HPA (alternative files, one name) are not two HPAs', () => {
    // A folder of test data with the same HPA in several API versions: only one is ever applied.
    const v1 = hpa('web', 'Deployment', '{ name: web-cpu }').replace('autoscaling/v2', 'autoscaling/v1');
    expectManifestRanges('hpa-replicas-conflict', { 'hpa/v1.yaml': v1, 'hpa/v2.yaml': hpa('web', 'Deployment', '{ name: web-cpu }') }, []);
  });

  it("ok: an HPA of another folder, neither with a namespace, scales that folder's app, not this one", () => {
    // A samples repository: guestbook/ and testdata/ both have a frontend, unrelated.
    expectManifestRanges('hpa-replicas-conflict', { 'guestbook/frontend.yaml': deployment('web', 3), 'testdata/hpa.yaml': hpa('web') }, []);
  });

  it('ok: an overlay without the HPA is not scaled by the HPA of another overlay over the same base', () => {
    const base = deployment('web', 2).replace('metadata: { name: web }', 'metadata: { name: web, namespace: shop }');
    const files = {
      'repo/base/kustomization.yaml': 'resources: [web.yaml]\n',
      'repo/base/web.yaml': base,
      'repo/autoscaling/kustomization.yaml': 'resources: [../base, hpa.yaml]\n',
      'repo/autoscaling/hpa.yaml': hpa('web', 'Deployment', '{ name: web, namespace: shop }'),
      'repo/storage/kustomization.yaml': 'resources: [../base]\n',
    };
    // Reported once, for the overlay whose HPA scales its own copy, not for storage/.
    const [finding] = expectManifestRanges('hpa-replicas-conflict', files, ['repo/base/web.yaml 5:3-5:11']);
    assert.deepEqual(
      finding!.finding.related?.map((r) => r.message),
      ['web scales Deployment web', 'in autoscaling: Deployment shop/web'],
    );
  });

  it('ok: an overlay below the base folder without the HPA another overlay adds', () => {
    const files = {
      'repo/app/kustomization.yaml': 'resources: [web.yaml]\n',
      'repo/app/web.yaml': deployment('web', 2),
      'repo/app/overlays/prod/kustomization.yaml': 'resources: [../.., hpa.yaml]\n',
      'repo/app/overlays/prod/hpa.yaml': hpa('web'),
      'repo/app/overlays/staging/kustomization.yaml': 'resources: [../..]\n',
    };
    const [finding] = expectManifestRanges('hpa-replicas-conflict', files, ['repo/app/web.yaml 5:3-5:11']);
    assert.deepEqual(
      finding!.finding.related?.map((r) => r.message),
      ['web scales Deployment web', 'in overlays/prod: Deployment web'],
    );
  });

  it('err: an HPA in a subfolder of the app (its hpa/ folder) scales it, neither with a namespace', () => {
    expectManifestRanges('hpa-replicas-conflict', { 'repo/vllm/deployment.yaml': deployment('web', 1), 'repo/vllm/hpa/gpu-hpa.yaml': hpa('web') }, [
      'repo/vllm/deployment.yaml 5:3-5:11',
    ]);
  });

  it('err: an HPA kept in its own folder scales the workload of the same written namespace', () => {
    const prod = deployment('web', 2).replace('metadata: { name: web }', 'metadata: { name: web, namespace: shop }');
    expectManifestRanges('hpa-replicas-conflict', { 'app/web.yaml': prod, 'hpa/web.yaml': hpa('web', 'Deployment', '{ name: web, namespace: shop }') }, [
      'app/web.yaml 5:3-5:11',
    ]);
  });
});
