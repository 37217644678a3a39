import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyManifestFix, expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const service = (name: string, namespace?: string): string =>
  yaml(
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    `  selector: { app: ${name} }`,
    '  ports: [{ port: 80 }]',
  );

const destinationRule = (name: string, host: string, subsets: string[], namespace?: string): string =>
  yaml(
    'apiVersion: networking.istio.io/v1',
    'kind: DestinationRule',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    `  host: ${host}`,
    '  subsets:',
    ...subsets.flatMap((s) => [`    - name: ${s}`, `      labels: { version: ${s} }`]),
  );

const checkoutVs = (canary: string): string =>
  yaml(
    'apiVersion: networking.istio.io/v1',
    'kind: VirtualService',
    'metadata: { name: checkout }',
    'spec:',
    '  hosts: [checkout]',
    '  http:',
    '    - route:',
    '        - destination:',
    '            host: checkout',
    '            subset: v1',
    '          weight: 80',
    '        - destination:',
    '            host: checkout',
    `            subset: ${canary}`,
    '          weight: 20',
    '      mirror:',
    '        host: checkout.default.svc.cluster.local',
    '        subset: v2',
  );

describe('unknown-subset', () => {
  it('ok: subsets defined by a DestinationRule (short or FQDN host), hosts the workspace does not describe', () => {
    expectManifestRanges(
      'unknown-subset',
      {
        'svc.yaml': service('checkout'),
        'dr.yaml': destinationRule('checkout', 'checkout.default.svc.cluster.local', ['v1', 'v2']),
        'vs.yaml': checkoutVs('v2'),
        // Neither a Service nor a DestinationRule for `search`: this workspace does not describe it.
        'search.yaml': yaml(
          'apiVersion: networking.istio.io/v1',
          'kind: VirtualService',
          'metadata: { name: search }',
          'spec:',
          '  hosts: [search]',
          '  http:',
          '    - route:',
          '        - destination: { host: search, subset: v9 }',
        ),
      },
      [],
    );
  });

  it('err: on the subset value, related to the DestinationRule of the host, with one fix per existing subset', () => {
    const vs = checkoutVs('v3');
    const files = {
      'svc.yaml': [service('checkout'), service('payments'), service('cart', 'shop')].join('---\n'),
      'dr.yaml': [destinationRule('checkout', 'checkout', ['v1', 'v2']), destinationRule('cart', 'cart', ['v1'], 'web')].join('---\n'),
      'vs.yaml': vs,
      'payments.yaml': yaml(
        'apiVersion: networking.istio.io/v1',
        'kind: VirtualService',
        'metadata: { name: payments }',
        'spec:',
        '  hosts: [payments]',
        '  tcp:',
        '    - route:',
        '        - destination: { host: payments, subset: v2 }',
      ),
      // A short host resolves in the object's namespace: cart's DestinationRule in `web` does not apply in `shop`.
      'cart.yaml': yaml(
        'apiVersion: networking.istio.io/v1',
        'kind: VirtualService',
        'metadata: { name: cart, namespace: shop }',
        'spec:',
        '  hosts: [cart]',
        '  http:',
        '    - route:',
        '        - destination: { host: cart, subset: v1 }',
      ),
    };
    const [checkout, payments, cart] = expectManifestRanges('unknown-subset', files, ['vs.yaml 14:21-14:23', 'payments.yaml 8:50-8:52', 'cart.yaml 8:46-8:48']);
    assert.match(
      checkout!.message,
      /^subset `v3` is not defined by any DestinationRule for host `checkout` \(DestinationRule checkout defines `v1`, `v2`\): Istio has no cluster for it, so requests routed here fail with 503/,
    );
    assert.deepEqual(
      checkout!.finding.related?.map((r) => [r.file, r.start.line + 1, r.start.character + 1, r.message]),
      [['dr.yaml', 7, 3, 'DestinationRule checkout for host checkout defines v1, v2']],
    );
    assert.deepEqual(
      checkout!.finding.fixes?.map((f) => f.title),
      ['Use subset v1', 'Use subset v2'],
    );
    assert.equal(applyManifestFix(vs, checkout!.finding, 1), checkoutVs('v2'));
    assert.match(
      payments!.message,
      /^subset `v2` is not defined by any DestinationRule for host `payments` \(there is no DestinationRule for this host in the workspace\)/,
    );
    assert.equal(payments!.finding.related, undefined);
    assert.deepEqual(payments!.finding.fixes, undefined);
    assert.match(cart!.message, /for host `cart` \(there is no DestinationRule for this host in the workspace\)/);
  });
});
