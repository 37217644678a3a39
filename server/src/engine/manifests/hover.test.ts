import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { yaml } from '../../../../test/helpers/manifests';
import { hoverManifest, imageTag } from './hover';
import { ManifestWorkspace } from './workspace';

const deployment = (version: string, replicas: number, image: string): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: reviews-${version} }`,
    'spec:',
    `  replicas: ${replicas}`,
    `  selector: { matchLabels: { app: reviews, version: ${version} } }`,
    '  template:',
    `    metadata: { labels: { app: reviews, version: ${version} } }`,
    `    spec: { containers: [{ name: reviews, image: "${image}" }] }`,
  );

const vs = yaml(
  'apiVersion: networking.istio.io/v1',
  'kind: VirtualService',
  'metadata: { name: reviews }',
  'spec:',
  '  hosts: [reviews]',
  '  http:',
  '    - name: canary',
  '      route:',
  '        - destination: { host: reviews, subset: v1 }',
  '          weight: 80',
  '        - destination: { host: reviews, subset: v2 }',
  '          weight: 20',
  '    - name: weird',
  '      route:',
  '        - destination: { host: reviews, subset: v1 }',
  '          weight: 3',
  '        - destination: { host: reviews, subset: v9 }',
  '          weight: 1',
  '        - destination: { host: api.example.com }',
);

function workspace(files: Record<string, string>): ManifestWorkspace {
  const ws = new ManifestWorkspace();
  for (const [name, text] of Object.entries(files)) ws.update(name, text);
  return ws;
}

const files = {
  'deploy.yaml': [deployment('v1', 3, 'registry.example.com:5000/reviews:1.20.3'), deployment('v2', 1, 'reviews@sha256:0123456789abcdef0123456789')].join(
    '---\n',
  ),
  'svc.yaml': yaml('apiVersion: v1', 'kind: Service', 'metadata: { name: reviews }', 'spec:', '  selector: { app: reviews }'),
  'dr.yaml': yaml(
    'apiVersion: networking.istio.io/v1',
    'kind: DestinationRule',
    'metadata: { name: reviews }',
    'spec:',
    '  host: reviews.default.svc.cluster.local',
    '  subsets:',
    '    - { name: v1, labels: { version: v1 } }',
    '    - { name: v2, labels: { version: v2 } }',
  ),
  'vs.yaml': vs,
};

describe('hoverManifest', () => {
  it('shows the traffic split of a weighted route, with the Deployment, replicas and image tag behind each subset', () => {
    // The same Deployment written in two files (Bookinfo does this) is one row.
    const ws = workspace({ ...files, 'copy.yaml': deployment('v1', 3, 'registry.example.com:5000/reviews:1.20.3') });
    const offset = vs.indexOf('weight: 20');
    const hover = hoverManifest(ws, 'vs.yaml', offset);
    assert.ok(hover);
    assert.equal(vs.slice(hover.start, hover.start + 'name: canary'.length), 'name: canary');
    assert.equal(hover.end, vs.indexOf('    - name: weird'));
    assert.equal(
      hover.contents,
      [
        '**Traffic split** of http route `canary` (VirtualService reviews)',
        '',
        '| Destination | Weight | Workload | Replicas | Image tag |',
        '| --- | ---: | --- | ---: | --- |',
        '| reviews · subset v1 | 80% | Deployment reviews-v1 | 3 | 1.20.3 |',
        '| reviews · subset v2 | 20% | Deployment reviews-v2 | 1 | sha256:0123456789ab… |',
      ].join('\n'),
    );
  });

  it('shows effective shares when weights do not add up to 100, and what is missing behind a destination', () => {
    const hover = hoverManifest(workspace(files), 'vs.yaml', vs.indexOf('subset: v9'));
    assert.equal(
      hover?.contents,
      [
        '**Traffic split** of http route `weird` (VirtualService reviews)',
        '',
        '| Destination | Weight | Workload | Replicas | Image tag |',
        '| --- | ---: | --- | ---: | --- |',
        '| reviews · subset v1 | 75% | Deployment reviews-v1 | 3 | 1.20.3 |',
        '| reviews · subset v9 | 25% | — (subset v9 is not defined) | — | — |',
        '| api.example.com | 0% | — (outside the cluster) | — | — |',
        '',
        'The weights add up to 4, not 100: Istio splits in proportion, as shown.',
      ].join('\n'),
    );
  });

  it('shows the split of an Argo Rollout setWeight step, and notes the Rollout on the route it manages', () => {
    const rollout = yaml(
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Rollout',
      'metadata: { name: cart }',
      'spec:',
      '  replicas: 5',
      '  selector: { matchLabels: { app: cart } }',
      '  template:',
      '    metadata: { labels: { app: cart } }',
      '    spec: { containers: [{ name: app, image: "cart:2.1.0" }] }',
      '  strategy:',
      '    canary:',
      '      canaryService: cart-canary',
      '      stableService: cart-stable',
      '      trafficRouting:',
      '        istio: { virtualService: { name: cart, routes: [primary] } }',
      '      steps:',
      '        - setWeight: 20',
      '        - pause: {}',
    );
    const cartVs = yaml(
      'apiVersion: networking.istio.io/v1',
      'kind: VirtualService',
      'metadata: { name: cart }',
      'spec:',
      '  hosts: [cart]',
      '  http:',
      '    - name: primary',
      '      route:',
      '        - { destination: { host: cart-stable }, weight: 100 }',
      '        - { destination: { host: cart-canary }, weight: 0 }',
    );
    const services = ['cart-stable', 'cart-canary']
      .map((n) => yaml('apiVersion: v1', 'kind: Service', `metadata: { name: ${n} }`, 'spec: { selector: { app: cart } }'))
      .join('---\n');
    const ws = workspace({ 'rollout.yaml': rollout, 'vs.yaml': cartVs, 'svc.yaml': services });
    const step = hoverManifest(ws, 'rollout.yaml', rollout.indexOf('setWeight: 20') + 3);
    assert.equal(
      step?.contents,
      [
        '**Traffic split** at step 1 (setWeight: 20) of Rollout cart',
        '',
        '| Destination | Weight | Workload | Replicas | Image tag |',
        '| --- | ---: | --- | ---: | --- |',
        '| Service cart-canary | 20% | Rollout cart (new revision) | 1 | 2.1.0 |',
        '| Service cart-stable | 80% | Rollout cart (stable revision) | 5 | previous revision |',
        '',
        'The traffic router sets these weights; replicas follow setCanaryScale (or the weight) as shown.',
      ].join('\n'),
    );
    assert.equal(hoverManifest(ws, 'rollout.yaml', rollout.indexOf('pause')), undefined);
    const route = hoverManifest(ws, 'vs.yaml', cartVs.indexOf('weight: 0'));
    assert.match(route!.contents, /\| cart-stable \| 100% \| Rollout cart \(stable pods\) \| 5 \| 2\.1\.0 \|/);
    assert.match(route!.contents, /\| cart-canary \| 0% \| Rollout cart \(canary pods\) \| 5 \| 2\.1\.0 \|/);
    assert.match(route!.contents, /Rollout cart manages these weights: its setWeight steps rewrite them during an update\.$/);
  });

  it('gives nothing outside routes and steps', () => {
    const ws = workspace(files);
    assert.equal(hoverManifest(ws, 'vs.yaml', vs.indexOf('hosts')), undefined);
    assert.equal(hoverManifest(ws, 'svc.yaml', 5), undefined);
    assert.equal(hoverManifest(ws, 'missing.yaml', 0), undefined);
  });

  it('reads image tags', () => {
    assert.equal(imageTag('registry.example.com:5000/team/app'), 'latest (no tag)');
    assert.equal(imageTag('app:1.2'), '1.2');
    assert.equal(imageTag(''), '—');
  });
});
