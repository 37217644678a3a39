import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyManifestFix, expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const service = (name: string, selector: string, affinity: string): string =>
  yaml(
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  selector: ${selector}`,
    `  sessionAffinity: ${affinity}`,
    '  ports:',
    '    - port: 80',
  );

const deployment = (name: string, labels: string, image: string): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: ${name} }`,
    'spec:',
    `  selector: { matchLabels: ${labels} }`,
    '  template:',
    `    metadata: { labels: ${labels} }`,
    `    spec: { containers: [{ name: app, image: "${image}" }] }`,
  );

const rollout = yaml(
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Rollout',
  'metadata: { name: cart }',
  'spec:',
  '  replicas: 4',
  '  selector: { matchLabels: { app: cart } }',
  '  template:',
  '    metadata: { labels: { app: cart } }',
  '    spec: { containers: [{ name: app, image: "cart:2.0.0" }] }',
  '  strategy:',
  '    canary:',
  '      canaryService: cart-canary',
  '      stableService: cart-stable',
  '      steps:',
  '        - setWeight: 20',
);

const weighted = yaml(
  'apiVersion: networking.istio.io/v1',
  'kind: VirtualService',
  'metadata: { name: search }',
  'spec:',
  '  hosts: [search]',
  '  http:',
  '    - route:',
  '        - destination: { host: search, subset: v1 }',
  '          weight: 90',
  '        - destination: { host: search, subset: v2 }',
  '          weight: 10',
);

describe('service-session-affinity', () => {
  it('ok: ClientIP in front of one version; no affinity in front of a canary', () => {
    expectManifestRanges(
      'service-session-affinity',
      {
        'deploy.yaml': deployment('profile', '{ app: profile }', 'profile:1.0.0'),
        'svc.yaml': [
          service('profile', '{ app: profile }', 'ClientIP'),
          service('cart-canary', '{ app: cart }', 'None'),
          service('cart-stable', '{ app: cart }', 'None'),
          service('search', '{ app: search }', 'None'),
        ].join('---\n'),
        'rollout.yaml': rollout,
        'vs.yaml': weighted,
      },
      [],
    );
  });

  it('err: on the ClientIP value of an Argo canary Service, a VirtualService split, and two versions behind one selector', () => {
    const files = {
      'rollout.yaml': rollout,
      'vs.yaml': weighted,
      'reviews.yaml': [
        deployment('reviews-v1', '{ app: reviews, version: v1 }', 'reviews:1.0.0'),
        deployment('reviews-v2', '{ app: reviews, version: v2 }', 'reviews:2.0.0'),
      ].join('---\n'),
      'cart.yaml': service('cart-canary', '{ app: cart }', 'ClientIP'),
      'search.yaml': service('search', '{ app: search }', 'ClientIP'),
      'reviews-svc.yaml': service('reviews', '{ app: reviews }', 'ClientIP'),
    };
    const [cart, search, reviews] = expectManifestRanges('service-session-affinity', files, [
      'cart.yaml 7:20-7:28',
      'search.yaml 7:20-7:28',
      'reviews-svc.yaml 7:20-7:28',
    ]);
    assert.match(
      cart!.message,
      /^Service cart-canary has sessionAffinity: ClientIP in front of a canary \(it is the canaryService of Rollout cart\): each client IP sticks/,
    );
    assert.match(cart!.message, /the canary weights do not hold\. Use sessionAffinity: None/);
    assert.deepEqual(
      cart!.finding.related?.map((r) => [r.file, r.start.line + 1, r.start.character + 1, r.message]),
      [['rollout.yaml', 12, 7, 'Rollout cart uses Service cart-canary as its canaryService']],
    );
    assert.match(search!.message, /\(VirtualService search splits traffic by weight to it\)/);
    assert.deepEqual(
      search!.finding.related?.map((r) => [r.file, r.start.line + 1, r.start.character + 1]),
      [['vs.yaml', 7, 7]],
    );
    assert.match(reviews!.message, /\(its selector picks pods of Deployment reviews-v1, Deployment reviews-v2, which run different versions\)/);
    assert.deepEqual(
      reviews!.finding.related?.map((r) => [r.file, r.start.line + 1]),
      [
        ['reviews.yaml', 3],
        ['reviews.yaml', 12],
      ],
    );
    assert.equal(applyManifestFix(files['cart.yaml'], cart!.finding), service('cart-canary', '{ app: cart }', 'None'));
  });
});
