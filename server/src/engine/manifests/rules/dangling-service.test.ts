import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const deployment = (name: string, labels: string, namespace?: string): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    `  selector: { matchLabels: ${labels} }`,
    '  template:',
    `    metadata: { labels: ${labels} }`,
    '    spec:',
    '      containers:',
    '        - name: app',
    `          image: registry.example.com/${name}:1.0.0`,
  );

const service = (name: string, selector: string[], extra: string[] = []): string =>
  yaml('apiVersion: v1', 'kind: Service', 'metadata:', `  name: ${name}`, ...extra, 'spec:', '  ports:', '    - port: 80', ...selector);

describe('dangling-service', () => {
  it('ok: selectors that match a workload, Argo experiment and canary pods, or select nothing on purpose', () => {
    expectManifestRanges(
      'dangling-service',
      {
        'deploy.yaml': deployment('checkout', '{ app: checkout, version: v1 }'),
        'svc.yaml': [
          service('checkout', ['  selector:', '    app: checkout']),
          // Manual Endpoints and ExternalName Services have no selector on purpose.
          service('legacy-db', []),
          yaml('apiVersion: v1', 'kind: Service', 'metadata: { name: payments }', 'spec:', '  type: ExternalName', '  externalName: payments.example.com'),
          // StatefulSet per-pod Services select a label the controller sets.
          service('checkout-0', ['  selector:', '    app: checkout', '    statefulset.kubernetes.io/pod-name: checkout-0']),
          // A Knative Service shares the kind but not the meaning.
          yaml('apiVersion: serving.knative.dev/v1', 'kind: Service', 'metadata: { name: hello }', 'spec:', '  template: {}'),
        ].join('---\n'),
        'rollout.yaml': yaml(
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Rollout',
          'metadata: { name: cart }',
          'spec:',
          '  selector: { matchLabels: { app: cart } }',
          '  template:',
          '    metadata: { labels: { app: cart } }',
          '    spec: { containers: [{ name: app, image: cart:2.0.0 }] }',
          '  strategy:',
          '    canary:',
          '      canaryMetadata: { labels: { role: canary } }',
          '      steps:',
          '        - experiment:',
          '            templates:',
          '              - name: preview',
          '                specRef: canary',
          '                metadata: { labels: { app: cart-preview } }',
        ),
        'rollout-svc.yaml': [
          service('cart-canary', ['  selector: { app: cart, role: canary }']),
          service('cart-preview', ['  selector: { app: cart-preview }']),
        ].join('---\n'),
        // A namespace the workspace has no workload in: nothing to compare with.
        'other.yaml': service('search', ['  selector: { app: search }'], ['  namespace: search']),
      },
      [],
    );
  });

  it('err: on the selector key when no pod template has the labels, in the Service namespace', () => {
    const [typo, wrongNamespace] = expectManifestRanges(
      'dangling-service',
      {
        'deploy.yaml': deployment('checkout', '{ app: checkout }', 'web'),
        'shop.yaml': deployment('cart', '{ app: cart }', 'shop'),
        'svc.yaml': service('checkout', ['  selector:', '    app: chekout']),
        'shop-svc.yaml': service('checkout', ['  selector: { app: checkout }'], ['  namespace: shop']),
      },
      ['svc.yaml 8:3-8:11', 'shop-svc.yaml 9:3-9:11'],
    );
    assert.match(
      typo!.message,
      /^Service checkout selects app=chekout, but no workload in the workspace has pods with these labels: the Service has no endpoints/,
    );
    assert.match(typo!.message, /\(Deployment checkout has pods labelled app=checkout\)\.$/);
    assert.equal(typo!.finding.related, undefined);
    // Deployment checkout is in namespace web: a Service in shop cannot reach its pods.
    assert.match(wrongNamespace!.message, /^Service checkout selects app=checkout, but no workload/);
  });

  it('ok: pods an operator runs for a custom resource (named by the selector, or labelled in its spec)', () => {
    const pgCluster = yaml('apiVersion: postgresql.cnpg.io/v1', 'kind: Cluster', 'metadata: { name: pg }', 'spec: { instances: 3 }');
    const lws = yaml(
      'apiVersion: leaderworkerset.x-k8s.io/v1',
      'kind: LeaderWorkerSet',
      'metadata: { name: vllm }',
      'spec:',
      '  leaderWorkerTemplate:',
      '    leaderTemplate:',
      '      metadata: { labels: { role: leader, model: llama } }',
      '      spec: { containers: [{ name: vllm, image: vllm:1 }] }',
    );
    expectManifestRanges(
      'dangling-service',
      {
        'deploy.yaml': deployment('client', '{ app: client }'),
        'pg.yaml': pgCluster,
        'lws.yaml': lws,
        'pg-ilb.yaml': service('pg-ilb', ['  selector: { cnpg.io/cluster: pg, role: primary }']),
        'leader.yaml': service('vllm-leader', ['  selector: { role: leader, model: llama }']),
      },
      [],
    );
  });

  it('err: a custom resource that runs no pods (a ServiceMonitor named like the app) does not hide a typo', () => {
    const monitor = yaml('apiVersion: monitoring.coreos.com/v1', 'kind: ServiceMonitor', 'metadata: { name: chekout }', 'spec: { selector: {} }');
    expectManifestRanges(
      'dangling-service',
      {
        'deploy.yaml': deployment('checkout', '{ app: checkout }'),
        'monitor.yaml': monitor,
        'svc.yaml': service('checkout', ['  selector: { app: chekout }']),
      },
      ['svc.yaml 8:3-8:11'],
    );
  });

  it('ok: a Service without namespace in a folder without workloads (its pods come from elsewhere: a chart installed by hand)', () => {
    expectManifestRanges(
      'dangling-service',
      { 'repo/shop/deploy.yaml': deployment('checkout', '{ app: checkout }'), 'repo/search/ilb.yaml': service('search-ilb', ['  selector: { app: search }']) },
      [],
    );
  });
});
