import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const deployment = (app: string, version: string): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: ${app}-${version} }`,
    'spec:',
    `  selector: { matchLabels: { app: ${app}, version: ${version} } }`,
    '  template:',
    `    metadata: { labels: { app: ${app}, version: ${version} } }`,
    `    spec: { containers: [{ name: app, image: "${app}:${version}" }] }`,
  );

const service = (app: string): string => yaml('apiVersion: v1', 'kind: Service', `metadata: { name: ${app} }`, 'spec:', '  selector:', `    app: ${app}`);

const destinationRule = (host: string, subsets: string[]): string =>
  yaml(
    'apiVersion: networking.istio.io/v1',
    'kind: DestinationRule',
    `metadata: { name: ${host.split('.')[0]} }`,
    'spec:',
    `  host: ${host}`,
    '  subsets:',
    ...subsets.flatMap((s) => [`    - name: ${s}`, `      labels:`, `        version: ${s}`]),
  );

describe('subset-selects-no-pods', () => {
  it("ok: subsets matching pod templates with the Service's selector; hosts the workspace does not describe", () => {
    expectManifestRanges(
      'subset-selects-no-pods',
      {
        'deploy.yaml': [deployment('reviews', 'v1'), deployment('reviews', 'v2')].join('---\n'),
        'svc.yaml': service('reviews'),
        'dr.yaml': [
          destinationRule('reviews', ['v1', 'v2']),
          // No Service `ratings` here: its pods are not described.
          destinationRule('ratings', ['v7']),
          destinationRule('www.googleapis.com', ['v1']),
        ].join('---\n'),
        // Argo's subset-level split: both subsets carry the Rollout's labels (Argo adds the hash).
        'rollout.yaml': [
          service('cart'),
          yaml(
            'apiVersion: networking.istio.io/v1',
            'kind: DestinationRule',
            'metadata: { name: cart }',
            'spec:',
            '  host: cart',
            '  subsets:',
            '    - { name: stable, labels: { app: cart } }',
            '    - { name: canary, labels: { app: cart } }',
          ),
          yaml(
            'apiVersion: argoproj.io/v1alpha1',
            'kind: Rollout',
            'metadata: { name: cart }',
            'spec:',
            '  selector: { matchLabels: { app: cart } }',
            '  template:',
            '    metadata: { labels: { app: cart } }',
            '    spec: { containers: [{ name: app, image: "cart:2" }] }',
          ),
        ].join('---\n'),
      },
      [],
    );
  });

  it("err: on the labels key of a subset no pod template matches, related to the Service's selector", () => {
    const [v2, v3] = expectManifestRanges(
      'subset-selects-no-pods',
      {
        'deploy.yaml': [deployment('reviews', 'v1'), deployment('ratings', 'v2')].join('---\n'),
        'svc.yaml': service('reviews'),
        'dr.yaml': destinationRule('reviews.default.svc.cluster.local', ['v1', 'v2', 'v3']),
      },
      ['dr.yaml 11:7-11:13', 'dr.yaml 14:7-14:13'],
    );
    assert.match(
      v2!.message,
      /^Subset v2 of DestinationRule reviews selects version=v2 among the pods of Service reviews \(app=reviews\), but no workload in the workspace has pods with all these labels: the subset has no endpoints, so traffic routed to it fails with 503/,
    );
    assert.match(v2!.message, /The Service's pods carry version=v1\.$/);
    assert.match(v3!.message, /^Subset v3 of DestinationRule reviews/);
    assert.deepEqual(
      v2!.finding.related?.map((r) => [r.file, r.start.line + 1, r.start.character + 1, r.message]),
      [['svc.yaml', 5, 3, 'Service reviews selects app=reviews']],
    );
  });
});
