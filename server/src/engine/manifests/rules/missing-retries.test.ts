import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyManifestFix, expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const virtualService = (...http: string[]): string =>
  yaml('apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata: { name: reviews }', 'spec:', '  hosts: [reviews]', '  http:', ...http);

const split = [
  '      route:',
  '        - destination: { host: reviews, subset: v1 }',
  '          weight: 90',
  '        - destination: { host: reviews, subset: v2 }',
  '          weight: 10',
];

describe('missing-retries', () => {
  it('ok: a split with explicit retries (even none), single-destination routes, tcp splits', () => {
    expectManifestRanges(
      'missing-retries',
      {
        'vs.yaml': virtualService(
          '    - name: canary',
          ...split,
          '      retries: { attempts: 0 }',
          '    - route:',
          '        - destination: { host: reviews, subset: v1 }',
          '    - redirect: { uri: /v2 }',
        ),
        'tcp.yaml': yaml(
          'apiVersion: networking.istio.io/v1',
          'kind: VirtualService',
          'metadata: { name: db }',
          'spec:',
          '  hosts: [db]',
          '  tcp:',
          '    - route:',
          '        - { destination: { host: db, subset: a }, weight: 50 }',
          '        - { destination: { host: db, subset: b }, weight: 50 }',
        ),
      },
      [],
    );
  });

  it('err: a hint on the route key of a weighted http route without retries, with fixes that write them out', () => {
    const text = virtualService('    - name: canary', ...split);
    const [finding] = expectManifestRanges('missing-retries', { 'vs.yaml': text }, ['vs.yaml 8:7-8:12']);
    assert.equal(finding!.finding.severity, 'hint');
    assert.match(
      finding!.message,
      /^This http route splits traffic between versions but sets no retries, so Istio's implicit default applies \(2 retries on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes\): retries can hide a failing canary's errors/,
    );
    assert.deepEqual(
      finding!.finding.fixes?.map((f) => f.title),
      ["Write Istio's default retries explicitly", 'Disable retries on this route (attempts: 0)'],
    );
    assert.equal(
      applyManifestFix(text, finding!.finding),
      virtualService(
        '    - name: canary',
        ...split,
        '      retries:',
        '        attempts: 2',
        '        retryOn: connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
      ),
    );
    assert.equal(applyManifestFix(text, finding!.finding, 1), virtualService('    - name: canary', ...split, '      retries:', '        attempts: 0'));
  });
});
