import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyManifestFix, expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';
import { rebalance } from './canary-weights-sum';

const virtualService = (...routes: string[]): string =>
  yaml('apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata: { name: reviews }', 'spec:', '  hosts: [reviews]', ...routes);

describe('canary-weights-sum', () => {
  it('ok: weights adding up to 100, a single destination without weight, other kinds', () => {
    expectManifestRanges(
      'canary-weights-sum',
      {
        'vs.yaml': virtualService(
          '  http:',
          '    - name: canary',
          '      route:',
          '        - destination: { host: reviews, subset: v1 }',
          '          weight: 80',
          '        - destination: { host: reviews, subset: v2 }',
          '          weight: 20',
          '    - route:',
          '        - destination: { host: reviews, subset: v1 }',
          '  tcp:',
          '    - route:',
          '        - destination: { host: reviews, subset: v1 }',
          '          weight: 100',
          '        - destination: { host: reviews, subset: v2 }',
          '          weight: 0',
        ),
        // App Mesh has a VirtualService kind too; its weights live elsewhere.
        'appmesh.yaml': yaml(
          'apiVersion: appmesh.k8s.aws/v1beta2',
          'kind: VirtualService',
          'metadata: { name: reviews }',
          'spec:',
          '  http:',
          '    - route:',
          '        - destination: { host: a }',
          '          weight: 5',
        ),
      },
      [],
    );
  });

  it('err: on the route key with the sum, for http, tcp and tls routes, with a rebalancing fix', () => {
    const text = virtualService(
      '  http:',
      '    - name: canary',
      '      route:',
      '        - destination: { host: reviews, subset: v1 }',
      '          weight: 80',
      '        - destination: { host: reviews, subset: v2 }',
      '          weight: 30',
      '  tcp:',
      '    - route:',
      '        - destination: { host: reviews, subset: v1 }',
      '        - destination: { host: reviews, subset: v2 }',
      '  tls:',
      '    - match: [{ sniHosts: [reviews.example.com] }]',
      '      route:',
      '        - destination: { host: reviews, subset: v2 }',
      '          weight: 20',
    );
    const [http, tcp, tls] = expectManifestRanges('canary-weights-sum', { 'vs.yaml': text }, ['vs.yaml 8:7-8:12', 'vs.yaml 14:7-14:12', 'vs.yaml 19:7-19:12']);
    assert.match(
      http!.message,
      /^The weights of http route canary add up to 110, not 100: Istio no longer rejects this and splits in proportion, so reviews v1 gets 72\.7%, not the 80% written\. During a canary the new version gets a different share of traffic than intended\. Make the weights add up to 100 \(e\.g\. 73\/27\)\.$/,
    );
    assert.match(
      tcp!.message,
      /^The weights of tcp route add up to 0, not 100: no destination has a positive weight, so the route has nowhere to send traffic \(2 destinations have no weight, which counts as 0\)/,
    );
    assert.match(tls!.message, /with a single destination Istio sends it all traffic whatever its weight, so reviews v2 gets 100%, not the 20% written/);
    assert.equal(http!.finding.fixes?.[0]?.title, 'Rebalance weights to 100 (73/27)');
    assert.equal(applyManifestFix(text, http!.finding), text.replace('weight: 80', 'weight: 73').replace('weight: 30', 'weight: 27'));
    // A destination without weight gets one, inserted under it; a 0 stays unwritten.
    assert.equal(
      applyManifestFix(text, tcp!.finding),
      text.replace(
        '        - destination: { host: reviews, subset: v1 }\n        - destination: { host: reviews, subset: v2 }\n  tls:',
        '        - destination: { host: reviews, subset: v1 }\n          weight: 100\n        - destination: { host: reviews, subset: v2 }\n  tls:',
      ),
    );
    assert.equal(applyManifestFix(text, tls!.finding), text.replace('weight: 20', 'weight: 100'));
  });

  it('rebalance: proportional, rounded down, the remainder to the largest', () => {
    assert.deepEqual(rebalance([80, 30]), [73, 27]);
    assert.deepEqual(rebalance([1, 1, 1]), [34, 33, 33]);
    assert.deepEqual(rebalance([0, 0]), [100, 0]);
    assert.deepEqual(rebalance([10, 60, 30]), [10, 60, 30]);
    assert.deepEqual(rebalance([50]), [100]);
  });
});
