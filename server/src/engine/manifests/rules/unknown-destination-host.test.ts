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
  );

const virtualService = (name: string, hosts: string[], namespace?: string): string =>
  yaml(
    'apiVersion: networking.istio.io/v1',
    'kind: VirtualService',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    `  hosts: [${name}]`,
    '  http:',
    '    - route:',
    ...hosts.flatMap((h) => ['        - destination:', `            host: ${h}`]),
  );

describe('unknown-destination-host', () => {
  it('ok: Services by short, namespaced and full names; hosts outside the cluster; namespaces the workspace does not describe', () => {
    expectManifestRanges(
      'unknown-destination-host',
      {
        'svc.yaml': [service('checkout', 'shop'), service('cart', 'shop'), service('legacy', 'billing')].join('---\n'),
        'entry.yaml': yaml(
          'apiVersion: networking.istio.io/v1',
          'kind: ServiceEntry',
          'metadata: { name: ledger, namespace: shop }',
          'spec:',
          '  hosts: [ledger, "*.payments.example.com"]',
          '  resolution: DNS',
        ),
        'vs.yaml': virtualService(
          'checkout',
          [
            'checkout',
            'cart.shop',
            'legacy.billing.svc.cluster.local',
            'ledger',
            'eu.payments.example.com',
            'www.googleapis.com',
            'httpbin.org',
            'search.search.svc.cluster.local',
          ],
          'shop',
        ),
        // No Service is written in namespace `search`: the workspace does not describe it.
        'search.yaml': virtualService('search', ['search'], 'search'),
      },
      [],
    );
  });

  it('err: on the host value, with a fix to the nearest Service name or the full name in the other namespace', () => {
    const vs = virtualService('checkout', ['chekout', 'cart.shop.svc.cluster.local', 'nowhere'], 'shop');
    const [typo, otherNamespace, unknown] = expectManifestRanges(
      'unknown-destination-host',
      {
        'svc.yaml': [service('checkout', 'shop'), service('cart', 'web')].join('---\n'),
        'vs.yaml': vs,
      },
      ['vs.yaml 11:19-11:26', 'vs.yaml 13:19-13:46', 'vs.yaml 15:19-15:26'],
    );
    assert.equal(
      typo!.message,
      "Host `chekout` names no Service in namespace shop in the workspace (a short name resolves in the VirtualService's namespace, shop): Istio has no cluster for it, so traffic routed here fails with 503 — during a canary, the share sent to this destination fails. Did you mean `checkout`?",
    );
    assert.equal(applyManifestFix(vs, typo!.finding), vs.replace('host: chekout', 'host: checkout'));
    assert.match(otherNamespace!.message, /Service cart exists in namespace web: write its full name, cart\.web\.svc\.cluster\.local\.$/);
    assert.equal(otherNamespace!.finding.fixes?.[0]?.title, 'Use host cart.web.svc.cluster.local');
    assert.match(unknown!.message, /Point the destination at an existing Service, or add the Service \(or a ServiceEntry for an outside host\)\.$/);
    assert.equal(unknown!.finding.fixes, undefined);
    assert.equal(unknown!.finding.related, undefined);
  });

  it("ok: a namespace another folder only shares (istio samples: the addons' Services in istio-system; istiod comes from istioctl)", () => {
    expectManifestRanges(
      'unknown-destination-host',
      {
        'samples/addons/prometheus.yaml': service('prometheus', 'istio-system'),
        'samples/multicluster/expose-istiod.yaml': virtualService('istiod', ['istiod.istio-system.svc.cluster.local'], 'istio-system'),
        'samples/bookinfo/networking/certmanager-gateway.yaml': virtualService('cert-manager', ['cert-manager-resolver'], 'istio-system'),
      },
      [],
    );
  });

  it('err: a namespace the workspace owns: Services of it in the same folder (or one nested with it), or a Namespace object', () => {
    const found = expectManifestRanges(
      'unknown-destination-host',
      {
        'gateway/ingress.yaml': service('istio-ingressgateway', 'istio-system'),
        'gateway/routes/vs.yaml': virtualService('istiod', ['istiod.istio-system.svc.cluster.local'], 'istio-system'),
        'mesh/namespace.yaml': yaml('apiVersion: v1', 'kind: Namespace', 'metadata: { name: mesh }'),
        'mesh/other/svc.yaml': service('front', 'mesh'),
        'apps/vs.yaml': virtualService('back', ['back.mesh.svc.cluster.local'], 'web'),
      },
      ['gateway/routes/vs.yaml 11:19-11:56', 'apps/vs.yaml 11:19-11:46'],
    );
    assert.match(found[0]!.message, /^Host `istiod.istio-system.svc.cluster.local` names no Service in namespace istio-system in the workspace/);
    assert.match(found[1]!.message, /^Host `back.mesh.svc.cluster.local` names no Service in namespace mesh in the workspace/);
  });

  const ingress = (backends: string[], namespace = 'ui'): string =>
    yaml(
      'apiVersion: networking.k8s.io/v1',
      'kind: Ingress',
      'metadata:',
      '  name: ui',
      `  namespace: ${namespace}`,
      'spec:',
      '  ingressClassName: alb',
      '  rules:',
      '    - http:',
      '        paths:',
      ...backends.flatMap((backend) => ['          - path: /', '            pathType: Prefix', `            backend: { service: ${backend} }`]),
    );

  it('ok: Ingress backends naming a Service, an ALB action (use-annotation), a namespace the workspace does not describe', () => {
    expectManifestRanges(
      'unknown-destination-host',
      {
        'ui/service.yaml': service('ui', 'ui'),
        'ui/ingress.yaml': ingress(['{ name: ui, port: { number: 80 } }', '{ name: ssl-redirect, port: { name: use-annotation } }']),
        'other/ingress.yaml': ingress(['{ name: shop, port: { number: 80 } }'], 'shop'),
      },
      [],
    );
  });

  it('err: an Ingress backend naming no Service of its namespace, with a fix to the nearest name', () => {
    const files = { 'ui/service.yaml': service('ui', 'ui'), 'ui/ingress.yaml': ingress(['{ name: uii, port: { number: 80 } }']) };
    const [finding] = expectManifestRanges('unknown-destination-host', files, ['ui/ingress.yaml 13:41-13:44']);
    assert.match(
      finding!.message,
      /^Ingress ui sends requests to Service uii, which is not in the workspace \(namespace ui\): the ingress controller has no endpoints/,
    );
    assert.match(applyManifestFix(files['ui/ingress.yaml'], finding!.finding), /service: \{ name: ui, port/);
  });
});
