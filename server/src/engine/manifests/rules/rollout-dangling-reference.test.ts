import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyManifestFix, expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const service = (name: string, app = 'cart'): string =>
  yaml('apiVersion: v1', 'kind: Service', `metadata: { name: ${name} }`, 'spec:', `  selector: { app: ${app} }`);

const services = ['cart-canary', 'cart-stable', 'cart-active', 'cart-preview', 'cart'].map((n) => service(n)).join('---\n');

const istio = yaml(
  'apiVersion: networking.istio.io/v1',
  'kind: VirtualService',
  'metadata: { name: cart-vsvc }',
  'spec:',
  '  hosts: [cart.example.com]',
  '  http:',
  '    - name: primary',
  '      route:',
  '        - destination: { host: cart-stable }',
  '          weight: 100',
  '        - destination: { host: cart-canary.default.svc.cluster.local }',
  '          weight: 0',
  '---',
  'apiVersion: networking.istio.io/v1',
  'kind: VirtualService',
  'metadata: { name: cart-subsets }',
  'spec:',
  '  hosts: [cart]',
  '  http:',
  '    - route:',
  '        - destination: { host: cart, subset: stable }',
  '          weight: 100',
  '        - destination: { host: cart, subset: canary }',
  '          weight: 0',
  '---',
  'apiVersion: networking.istio.io/v1',
  'kind: DestinationRule',
  'metadata: { name: cart-destrule }',
  'spec:',
  '  host: cart',
  '  subsets:',
  '    - { name: stable, labels: { app: cart } }',
  '    - { name: canary, labels: { app: cart } }',
);

const analysis = yaml(
  'apiVersion: argoproj.io/v1alpha1',
  'kind: AnalysisTemplate',
  'metadata: { name: success-rate }',
  'spec: { metrics: [{ name: ok, provider: { job: {} } }] }',
  '---',
  'apiVersion: argoproj.io/v1alpha1',
  'kind: ClusterAnalysisTemplate',
  'metadata: { name: always-pass }',
  'spec: { metrics: [{ name: ok, provider: { job: {} } }] }',
);

const template = [
  '  selector: { matchLabels: { app: cart } }',
  '  template:',
  '    metadata: { labels: { app: cart } }',
  '    spec: { containers: [{ name: app, image: "cart:2.0.0" }] }',
];

const rollout = (name: string, ...strategy: string[]): string =>
  yaml('apiVersion: argoproj.io/v1alpha1', 'kind: Rollout', `metadata: { name: ${name} }`, 'spec:', ...template, '  strategy:', ...strategy);

describe('rollout-dangling-reference', () => {
  it('ok: every Service, route, subset, AnalysisTemplate and workload reference resolves and matches', () => {
    expectManifestRanges(
      'rollout-dangling-reference',
      {
        'services.yaml': services,
        'istio.yaml': istio,
        'analysis.yaml': analysis,
        'host-split.yaml': rollout(
          'cart-hosts',
          '    canary:',
          '      canaryService: cart-canary',
          '      stableService: cart-stable',
          '      trafficRouting:',
          '        istio:',
          '          virtualService: { name: cart-vsvc, routes: [primary] }',
          '      analysis:',
          '        templates: [{ templateName: success-rate }]',
          '      steps:',
          '        - setWeight: 20',
          '        - analysis:',
          '            templates:',
          '              - templateName: success-rate',
          '              - templateName: always-pass',
          '                clusterScope: true',
          '        - experiment:',
          '            templates: [{ name: canary, specRef: canary }]',
          '            analyses: [{ name: gate, templateName: success-rate }]',
        ),
        // Without routes, a VirtualService with a single http route is enough.
        'subset-split.yaml': rollout(
          'cart-subsets',
          '    canary:',
          '      trafficRouting:',
          '        istio:',
          '          virtualService: { name: cart-subsets }',
          '          destinationRule: { name: cart-destrule, canarySubsetName: canary, stableSubsetName: stable }',
          '      steps: [{ setWeight: 10 }]',
        ),
        'blue-green.yaml': rollout(
          'cart-bg',
          '    blueGreen:',
          '      activeService: cart-active',
          '      previewService: cart-preview',
          '      prePromotionAnalysis: { templates: [{ templateName: success-rate }] }',
        ),
        'workload-ref.yaml': yaml(
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: { name: cart-template }',
          'spec:',
          ...template,
          '---',
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Rollout',
          'metadata: { name: cart-ref }',
          'spec:',
          '  workloadRef: { apiVersion: apps/v1, kind: Deployment, name: cart-template }',
          '  strategy:',
          '    canary:',
          '      canaryService: cart-canary',
          '      stableService: cart-stable',
        ),
      },
      [],
    );
  });

  it('err: each missing or mismatched reference on its own value, related to the target that does not match', () => {
    const hostSplit = rollout(
      'cart-hosts',
      '    canary:',
      '      canaryService: cart-canry',
      '      stableService: cart-stable',
      '      trafficRouting:',
      '        istio:',
      '          virtualService:',
      '            name: cart-vsvc',
      '            routes:',
      '              - primary',
      '              - secondary',
      '      steps:',
      '        - analysis:',
      '            templates:',
      '              - templateName: always-pass',
    );
    const files = {
      'services.yaml': [services, service('cart-old', 'cart-v1')].join('---\n'),
      'istio.yaml': istio,
      'analysis.yaml': analysis,
      'host-split.yaml': hostSplit,
      'subset-split.yaml': rollout(
        'cart-subsets',
        '    canary:',
        '      stableService: cart-old',
        '      trafficRouting:',
        '        istio:',
        '          virtualServices:',
        '            - { name: cart-subsets }',
        '            - { name: cart-gone }',
        '          destinationRule:',
        '            name: cart-destrule',
        '            canarySubsetName: preview',
        '            stableSubsetName: stable',
      ),
      'blue-green.yaml': rollout('cart-bg', '    blueGreen:', '      activeService: cart-active', '      previewService: cart-pre'),
      'workload-ref.yaml': yaml(
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Rollout',
        'metadata: { name: cart-ref }',
        'spec:',
        '  workloadRef: { apiVersion: apps/v1, kind: Deployment, name: cart-template }',
      ),
    };
    const found = expectManifestRanges('rollout-dangling-reference', files, [
      'host-split.yaml 11:22-11:32',
      'host-split.yaml 18:17-18:24',
      'host-split.yaml 19:17-19:26',
      'host-split.yaml 23:31-23:42',
      'subset-split.yaml 11:22-11:30',
      'subset-split.yaml 15:23-15:35',
      'subset-split.yaml 16:23-16:32',
      'subset-split.yaml 19:31-19:38',
      'blue-green.yaml 12:23-12:31',
      'workload-ref.yaml 5:63-5:76',
    ]);
    const canary = found[0]!;
    const routeNoCanary = found[1]!;
    const missingRoute = found[2]!;
    const cluster = found[3]!;
    const selector = found[4]!;
    const singleRoute = found[5]!;
    const vsGone = found[6]!;
    const subset = found[7]!;
    const preview = found[8]!;
    const workload = found[9]!;

    assert.equal(
      canary.message,
      "canaryService `cart-canry` names no Service in the workspace: Argo Rollouts rejects the Rollout (InvalidSpec) or fails its traffic step, and the update does not proceed: the release is stuck until this is fixed. Add the Service (its selector on the Rollout's pod labels) or fix the name.",
    );
    assert.equal(canary.finding.related, undefined);

    // The route exists, but it has no destination for the (misspelt) canary Service.
    assert.match(routeNoCanary.message, /^http route primary of VirtualService cart-vsvc has no destination for the canary Service cart-canry/);
    assert.deepEqual(
      routeNoCanary.finding.related?.map((r) => [r.file, r.start.line + 1, r.start.character + 1]),
      [['istio.yaml', 8, 7]],
    );

    assert.match(missingRoute.message, /^VirtualService cart-vsvc has no http route named `secondary` \(its named routes: primary\)/);
    assert.deepEqual(
      missingRoute.finding.related?.map((r) => [r.file, r.start.line + 1, r.start.character + 1, r.message]),
      [['istio.yaml', 6, 3, 'http routes of VirtualService cart-vsvc']],
    );
    assert.equal(applyManifestFix(hostSplit, missingRoute.finding), hostSplit.replace('- secondary', '- primary'));

    assert.match(
      cluster.message,
      /^templateName `always-pass` names no AnalysisTemplate in the workspace: .* A ClusterAnalysisTemplate always-pass exists: set clusterScope: true to use it\.$/,
    );
    assert.deepEqual(
      cluster.finding.related?.map((r) => [r.file, r.start.line + 1, r.message]),
      [['analysis.yaml', 8, 'ClusterAnalysisTemplate always-pass']],
    );
    assert.equal(
      applyManifestFix(hostSplit, cluster.finding),
      hostSplit.replace('- templateName: always-pass\n', '- templateName: always-pass\n                clusterScope: true\n'),
    );

    assert.match(
      selector.message,
      /^stableService `cart-old` selects app=cart-v1, but the pods of Rollout cart-subsets are labelled app=cart: .* the Service gets no endpoints/,
    );
    assert.deepEqual(
      selector.finding.related?.map((r) => [r.file, r.start.line + 1, r.message]),
      [['services.yaml', 35, 'Service cart-old selects app=cart-v1']],
    );

    assert.match(subset.message, /^canarySubsetName `preview` is not a subset of DestinationRule cart-destrule \(it defines stable, canary\)/);
    assert.deepEqual(
      subset.finding.related?.map((r) => [r.file, r.start.line + 1, r.start.character + 1]),
      [['istio.yaml', 31, 3]],
    );
    assert.deepEqual(
      subset.finding.fixes?.map((f) => f.title),
      ['Use subset stable', 'Use subset canary'],
    );

    // cart-subsets has a single http route; it has the stable subset but not the (wrong) canary subset `preview`.
    assert.match(singleRoute.message, /^http route \(unnamed\) of VirtualService cart-subsets has no destination for the canary subset preview/);
    assert.match(vsGone.message, /^virtualService `cart-gone` names no Istio VirtualService in the workspace/);
    assert.match(preview.message, /^previewService `cart-pre` names no Service in the workspace/);
    assert.match(workload.message, /^workloadRef names Deployment `cart-template`, which is not in the workspace: the Rollout has no pod template/);
  });

  /** An Ingress whose one rule routes to `backend` (an ALB action with port use-annotation, or a Service port). */
  const ingress = (name: string, backend: string, port = '{ name: use-annotation }'): string =>
    yaml(
      'apiVersion: networking.k8s.io/v1',
      'kind: Ingress',
      `metadata: { name: ${name}, annotations: { kubernetes.io/ingress.class: alb } }`,
      'spec:',
      '  rules:',
      '    - http:',
      '        paths:',
      '          - path: /*',
      '            pathType: ImplementationSpecific',
      `            backend: { service: { name: ${backend}, port: ${port} } }`,
    );

  const alb = (name: string, ...routing: string[]): string =>
    rollout(name, '    canary:', '      canaryService: cart-canary', '      stableService: cart-stable', '      trafficRouting:', '        alb:', ...routing);

  it("ok: ALB rootService is an action an Ingress rule routes to (argo-rollouts' alb-header-route), nginx routes the stable Service, a VirtualService with only tls routes", () => {
    expectManifestRanges(
      'rollout-dangling-reference',
      {
        'services.yaml': services,
        'alb.yaml': [
          ingress('alb-ingress', 'action1'),
          alb('cart-alb', '          ingress: alb-ingress', '          rootService: action1', '          servicePort: 8080'),
        ].join('---\n'),
        'alb-multi.yaml': [
          ingress('alb-a', 'alb-rollout-root'),
          ingress('alb-b', 'alb-rollout-root'),
          alb('cart-multi', '          ingresses: [alb-a, alb-b]', '          rootService: alb-rollout-root', '          servicePort: 80'),
        ].join('---\n'),
        'alb-stable.yaml': [ingress('alb-plain', 'cart-stable'), alb('cart-plain', '          ingress: alb-plain', '          servicePort: 80')].join('---\n'),
        'nginx.yaml': [
          ingress('web', 'cart-stable', '{ number: 80 }'),
          rollout(
            'cart-nginx',
            '    canary:',
            '      canaryService: cart-canary',
            '      stableService: cart-stable',
            '      trafficRouting: { nginx: { stableIngress: web } }',
          ),
        ].join('---\n'),
        'tls.yaml': [
          yaml(
            'apiVersion: networking.istio.io/v1alpha3',
            'kind: VirtualService',
            'metadata: { name: cart-tls }',
            'spec:',
            '  hosts: [cart]',
            '  tls:',
            '    - match: [{ port: 3000, sniHosts: [cart] }]',
            '      route:',
            '        - { destination: { host: cart-stable }, weight: 100 }',
            '        - { destination: { host: cart-canary }, weight: 0 }',
          ),
          rollout(
            'cart-tls',
            '    canary:',
            '      canaryService: cart-canary',
            '      stableService: cart-stable',
            '      trafficRouting:',
            '        istio:',
            '          virtualService:',
            '            name: cart-tls',
            '            routes: [primary]',
            '            tlsRoutes: [{ port: 3000, sniHosts: [cart] }]',
          ),
        ].join('---\n'),
      },
      [],
    );
  });

  it('err: an ALB rootService, or the stable Service, that no rule of the named Ingress routes to', () => {
    const found = expectManifestRanges(
      'rollout-dangling-reference',
      {
        'services.yaml': services,
        'alb.yaml': [ingress('alb-ingress', 'action1'), alb('cart-alb', '          ingress: alb-ingress', '          rootService: action2')].join('---\n'),
        'alb-stable.yaml': [ingress('alb-plain', 'cart'), alb('cart-plain', '          ingress: alb-plain')].join('---\n'),
        'nginx.yaml': [
          ingress('web', 'cart-canary', '{ number: 80 }'),
          rollout('cart-nginx', '    canary:', '      stableService: cart-stable', '      trafficRouting: { nginx: { stableIngresses: [web] } }'),
        ].join('---\n'),
      },
      ['alb.yaml 27:24-27:31', 'alb-stable.yaml 26:20-26:29', 'nginx.yaml 23:52-23:55'],
    );
    assert.match(
      found[0]!.message,
      /^Ingress alb-ingress has no rule whose backend is `action2`: Argo Rollouts requires one \(for ALB, rootService is the action a rule routes to: service.name action2 with port.name use-annotation\)/,
    );
    assert.deepEqual(
      found[0]!.finding.related?.map((r) => [r.file, r.start.line + 1, r.message]),
      [['alb.yaml', 5, 'rules of Ingress alb-ingress']],
    );
    assert.match(found[1]!.message, /^Ingress alb-plain has no rule whose backend is `cart-stable`/);
    assert.match(found[2]!.message, /^Ingress web has no rule whose backend is `cart-stable`/);
  });
});
