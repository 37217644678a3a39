/**
 * Canaries against the Kubernetes API stand-in, through the real @kubernetes/client-node and the
 * real CLI (bin/rollout-guard.js): discovery from Istio's Bookinfo and Argo's subset-split
 * example, weight changes that touch exactly the chosen route, 404/403/unreachable messages and
 * exit codes, 20 concurrent writers with injected conflicts, the CanaryWatcher (events, 410
 * re-list, unreachable and forbidden states, dispose), Argo promote/abort/retry as status
 * patches, gate refusals and the override by name, kubeconfig loading rules.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  abortRollout,
  attentionOf,
  buildCanaries,
  canaryTarget,
  changeCanary,
  CanaryWatcher,
  ClusterClient,
  type ClusterError,
  describeChange,
  distributeWeights,
  loadKubeconfig,
  nextStep,
  promoteCanary,
  promoteRollout,
  readCanary,
  retryRollout,
  rollbackCanary,
  serviceOfHost,
  setCanaryWeight,
  sortByAttention,
  stepCanary,
  type Canary,
  type CanaryWatcherEvent,
  type GateCheckResult,
} from '../operations/cluster';
import { startStandIn, type KubernetesStandIn, type StoredObject } from '../simulators/k8s-stand-in';
import { runCli, waitUntil } from './helpers/migrations';
import { temporaryDirectory } from '../simulators/temp';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const bookinfo = (file: string): string => fs.readFileSync(path.join(corpus, 'istio-bookinfo', file), 'utf8');
const argoExample = (file: string): string => fs.readFileSync(path.join(corpus, 'argo-rollouts-examples', file), 'utf8');

/** A VirtualService over the Bookinfo reviews subsets, for tests that change weights. */
function reviewsVs(name: string, http: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: shop, labels: { team: reviews } }
spec:
  hosts: [reviews]
  gateways: [mesh]
  http:
${http}`;
}

const TWO_ROUTES = `
  - name: testers
    match: [{ headers: { end-user: { exact: jason } } }]
    route:
    - { destination: { host: reviews.shop.svc.cluster.local, subset: v1 }, weight: 50 }
    - { destination: { host: reviews.shop.svc.cluster.local, subset: v3 }, weight: 50 }
    timeout: 2s
  - name: everyone
    route:
    - { destination: { host: reviews, subset: v1, port: { number: 9080 } }, weight: 90 }
    - { destination: { host: reviews, subset: v2, port: { number: 9080 } }, weight: 10 }
    retries: { attempts: 3 }
  - name: fallback
    route:
    - destination: { host: reviews, subset: v1 }
`;

const ARGO_STATUS = {
  currentStepIndex: 1,
  phase: 'Paused',
  pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }],
  stableRS: 'aaa',
  currentPodHash: 'bbb',
};

type Weighted = { name?: string; route: { destination: { host: string; subset?: string }; weight?: number }[] };
const httpOf = (o: StoredObject | undefined): Weighted[] => (o?.spec as { http: Weighted[] }).http;
const weightsOf = (o: StoredObject | undefined, route = 0): (number | undefined)[] => httpOf(o)[route]!.route.map((d) => d.weight);
/** The object with weights and bookkeeping blanked: what must not change when only weights do. */
function withoutWeights(o: StoredObject | undefined): unknown {
  const copy = structuredClone(o) as StoredObject;
  for (const route of httpOf(copy)) for (const d of route.route) delete d.weight;
  copy.metadata = { ...copy.metadata, resourceVersion: '', generation: 0 };
  return copy;
}

describe('canaries against the Kubernetes API stand-in', () => {
  let standIn: KubernetesStandIn;
  let dir: string;
  let kubeconfig: string;
  let client: ClusterClient;

  before(async () => {
    dir = temporaryDirectory('rg-canary-');
    standIn = await startStandIn({
      namespace: 'shop',
      seed: [
        bookinfo('bookinfo.yaml'),
        bookinfo('destination-rule-reviews.yaml'),
        bookinfo('virtual-service-reviews-80-20.yaml'),
        reviewsVs('reviews-split', TWO_ROUTES),
      ],
    });
    standIn.seed(argoExample('istio__istio-subset-split.yaml'), 'argo');
    standIn.update('Rollout', 'argo', 'istio-subset-split', (o) => {
      o.spec = { ...(o.spec as object), replicas: 4 };
      o.status = structuredClone(ARGO_STATUS);
    });
    const ready: Record<string, number> = { 'reviews-v1': 1, 'reviews-v2': 0, 'reviews-v3': 1 };
    for (const [name, readyReplicas] of Object.entries(ready)) standIn.update('Deployment', 'shop', name, (o) => (o.status = { readyReplicas, replicas: 1 }));
    kubeconfig = standIn.writeKubeconfig(dir);
    client = ClusterClient.fromKubeconfig({ kubeconfig });
  });
  after(async () => {
    await standIn.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(['canary', ...args, '--kubeconfig', kubeconfig], { ROLLOUT_GUARD_PROMETHEUS_URL: '' });
  const freshVs = (name: string, http = TWO_ROUTES): StoredObject => standIn.seed(reviewsVs(name, http), 'shop')[0]!;

  describe('discovery', () => {
    it('maps Bookinfo reviews 80/20 to its Deployments through the DestinationRule subsets and the Service selector', async () => {
      const canary = await readCanary(client, 'shop/reviews');
      assert.equal(canary.routes.length, 1);
      const [stable, canaryDestination] = canary.routes[0]!.destinations;
      assert.deepEqual(
        [stable, canaryDestination].map((d) => [
          d!.role,
          d!.subset,
          d!.weight,
          d!.workloads.map((w) => `${w.kind}/${w.name} ${w.ready}/${w.desired} ${w.imageTag}`),
        ]),
        [
          ['stable', 'v1', 80, ['Deployment/reviews-v1 1/1 1.20.3']],
          ['canary', 'v2', 20, ['Deployment/reviews-v2 0/1 1.20.3']],
        ],
      );
      assert.deepEqual(stable!.selector, { app: 'reviews', version: 'v1' });
      assert.equal(canary.routes[0]!.canaryWeight, 20);
      assert.deepEqual(canaryTarget(canary), {
        name: 'shop/reviews',
        namespace: 'shop',
        service: 'reviews',
        subsets: { stable: 'v1', canary: 'v2' },
        canaryWeight: 20,
      });
    });

    it('keeps only weighted routes with two or more destinations and resolves FQDN hosts', async () => {
      const canary = await readCanary(client, 'shop/reviews-split');
      assert.deepEqual(
        canary.routes.map((r) => [r.index, r.name, r.canaryWeight]),
        [
          [0, 'testers', 50],
          [1, 'everyone', 10],
        ],
      );
      assert.deepEqual(canary.routes[0]!.destinations[1]!.service, { namespace: 'shop', name: 'reviews' });
      assert.deepEqual(
        canary.routes[0]!.destinations[1]!.workloads.map((w) => w.name),
        ['reviews-v3'],
      );
      assert.deepEqual(serviceOfHost('reviews.shop.svc.cluster.local', 'other'), { namespace: 'shop', name: 'reviews' });
      assert.deepEqual(serviceOfHost('reviews.shop', 'other'), { namespace: 'shop', name: 'reviews' });
      assert.deepEqual(serviceOfHost('reviews', 'other'), { namespace: 'other', name: 'reviews' });
      assert.equal(serviceOfHost('api.example.com', 'shop'), undefined);
    });

    it('reports a subset without a DestinationRule entry as a warning, not a crash', () => {
      const snapshot = {
        virtualServices: [
          {
            metadata: { name: 'r', namespace: 'shop' },
            spec: {
              http: [
                {
                  route: [
                    { destination: { host: 'reviews', subset: 'v1' }, weight: 50 },
                    { destination: { host: 'reviews', subset: 'v9' }, weight: 50 },
                  ],
                },
              ],
            },
          },
        ],
        destinationRules: [
          { metadata: { name: 'reviews', namespace: 'shop' }, spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] } },
        ],
        services: [{ metadata: { name: 'reviews', namespace: 'shop' }, spec: { selector: { app: 'reviews' } } }],
        deployments: [],
        rollouts: [],
      };
      const [canary] = buildCanaries(snapshot);
      assert.deepEqual(canary!.warnings, [
        'reviews subset v1: no Deployment or Rollout in shop has pods labelled app=reviews,version=v1',
        'reviews subset v9: DestinationRule shop/reviews has no subset v9',
      ]);
    });

    it('shows an Argo Rollout with its current step and setWeight, and its subsets as stable and canary', async () => {
      const canary = await readCanary(client, 'argo/istio-subset-split-vsvc');
      assert.equal(canary.rollout?.name, 'istio-subset-split');
      assert.equal(canary.rollout?.currentStepIndex, 1);
      assert.equal(canary.rollout?.setWeight, 10);
      assert.equal(canary.rollout?.paused, true);
      assert.equal(canary.rollout?.phase, 'Paused');
      assert.deepEqual(
        canary.routes[0]!.destinations.map((d) => [d.subset, d.role, d.weight, d.workloads.map((w) => `${w.kind}/${w.name} ${w.desired}`)]),
        [
          ['stable', 'stable', 100, ['Rollout/istio-subset-split 4']],
          ['canary', 'canary', 0, ['Rollout/istio-subset-split 4']],
        ],
      );
    });

    it("an Argo host split names its canary by Service: FQDN hosts of the Rollout's namespace are the canary, a namesake in another namespace is not", async () => {
      standIn.seed(
        `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: web, image: "web:2" }] } }
  strategy:
    canary:
      canaryService: web-canary
      stableService: web-stable
      trafficRouting: { istio: { virtualService: { name: web-vsvc, routes: [primary, mirror] } } }
      steps: [{ setWeight: 10 }, { pause: {} }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: web-vsvc }
spec:
  hosts: [web]
  http:
  - name: primary
    route:
    - { destination: { host: web-stable.store.svc.cluster.local }, weight: 90 }
    - { destination: { host: web-canary.store.svc.cluster.local }, weight: 10 }
  - name: mirror
    route:
    - { destination: { host: web-canary.legacy.svc.cluster.local }, weight: 100 }
    - { destination: { host: web-canary }, weight: 0 }
`,
        'store',
      );
      const canary = await readCanary(client, 'store/web-vsvc');
      assert.equal(canary.rollout?.canaryService, 'web-canary');
      assert.deepEqual(
        canary.routes.map((r) => [r.name, r.destinations.map((d) => [d.host, d.role]), r.canaryWeight]),
        [
          [
            'primary',
            [
              ['web-stable.store.svc.cluster.local', 'stable'],
              ['web-canary.store.svc.cluster.local', 'canary'],
            ],
            10,
          ],
          [
            'mirror',
            [
              ['web-canary.legacy.svc.cluster.local', 'stable'],
              ['web-canary', 'canary'],
            ],
            0,
          ],
        ],
      );
    });

    it('sorts canaries that need attention first: mid-rollout with replicas not ready', () => {
      const steady = { id: 'a/steady', routes: [{ canaryWeight: 0, destinations: [] }], warnings: [] } as unknown as Canary;
      const moving = { id: 'b/moving', routes: [{ canaryWeight: 20, destinations: [] }], warnings: [] } as unknown as Canary;
      const unready = {
        id: 'c/unready',
        routes: [{ canaryWeight: 20, destinations: [{ weight: 20, workloads: [{ kind: 'Deployment', name: 'x', ready: 0, desired: 2 }] }] }],
        warnings: [],
      } as unknown as Canary;
      assert.deepEqual(
        sortByAttention([steady, moving, unready]).map((c) => c.id),
        ['c/unready', 'b/moving', 'a/steady'],
      );
    });
  });

  describe('weights', () => {
    it('distributes weights to sum 100 and finds the next step', () => {
      const route = {
        index: 0,
        canaryWeight: 10,
        destinations: [
          { role: 'stable', weight: 90 },
          { role: 'canary', weight: 5 },
          { role: 'canary', weight: 5 },
        ],
      } as Parameters<typeof distributeWeights>[0];
      for (const pct of [0, 1, 33, 50, 99, 100]) {
        const weights = distributeWeights(route, pct);
        assert.equal(
          weights.reduce((a, b) => a + b, 0),
          100,
        );
        assert.equal(weights[1]! + weights[2]!, pct);
      }
      assert.deepEqual(distributeWeights(route, 25), [75, 13, 12]);
      assert.equal(nextStep(0), 5);
      assert.equal(nextStep(10), 25);
      assert.equal(nextStep(30), 50);
      assert.equal(nextStep(100), undefined);
    });

    it('canary status prints each weighted route with destinations, weights, Deployments, ready/desired and image tags', async () => {
      const result = await cli('status', 'shop/reviews-split');
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.split('\n');
      assert.match(lines[0]!, /^VirtualService shop\/reviews-split \(context stand-in, resourceVersion \d+\)$/);
      assert.deepEqual(lines.slice(1, 7), [
        '  route testers: canary 50 %',
        '    stable  reviews.shop.svc.cluster.local v1  50 %  Deployment reviews-v1  1/1 ready  1.20.3',
        '    canary  reviews.shop.svc.cluster.local v3  50 %  Deployment reviews-v3  1/1 ready  1.20.3',
        '  route everyone: canary 10 %',
        '    stable  reviews v1:9080  90 %  Deployment reviews-v1  1/1 ready  1.20.3',
        '    canary  reviews v2:9080  10 %  Deployment reviews-v2  0/1 ready  1.20.3',
      ]);
      const namespace = await cli('status', 'argo');
      assert.equal(namespace.code, 0, namespace.stderr);
      assert.deepEqual(namespace.stdout.split('\n'), [
        'Canaries in namespace argo (context stand-in), most urgent first',
        '  istio-subset-split-vsvc  canary primary 0 %  (Rollout istio-subset-split Paused)  — Rollout istio-subset-split 0/4 ready',
        '',
      ]);
      const json = await cli('status', 'shop/reviews', '--format', 'json');
      assert.equal(json.code, 0, json.stderr);
      const parsed = JSON.parse(json.stdout) as { canary: Canary; attention: { level: number } };
      assert.deepEqual(
        parsed.canary.routes[0]!.destinations.map((d) => d.weight),
        [80, 20],
      );
      assert.equal(parsed.attention.level, 0, 'reviews-v2 takes 20 % with no ready replica');
    });

    it('set-weight changes exactly the chosen route and nothing else; without --route it is refused', async () => {
      const before_ = freshVs('set-weight');
      const refused = await cli('set-weight', '30', 'shop/set-weight');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /has 2 weighted routes \(testers, everyone\); choose one with --route NAME/);
      assert.equal(standIn.object('VirtualService', 'shop', 'set-weight')!.metadata.resourceVersion, before_.metadata.resourceVersion);

      const done = await cli('set-weight', '30', 'shop/set-weight', '--route', 'everyone');
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, /shop\/set-weight route everyone: canary 10 % → 30 % \(reviews v1:9080 70 %, reviews v2:9080 30 %\)/);
      const after_ = standIn.object('VirtualService', 'shop', 'set-weight');
      assert.deepEqual(weightsOf(after_, 1), [70, 30]);
      assert.deepEqual(weightsOf(after_, 0), [50, 50]);
      assert.deepEqual(weightsOf(after_, 2), [undefined]);
      assert.deepEqual(withoutWeights(after_), withoutWeights(before_), 'matches, timeouts, retries, labels, gateways untouched');
      const writes = standIn.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/virtualservices/set-weight'));
      assert.equal(writes.length, 1);
      assert.equal(writes[0]!.contentType, 'application/merge-patch+json');
      assert.equal(
        (writes[0]!.body as StoredObject).metadata.resourceVersion,
        before_.metadata.resourceVersion,
        'the write carries the version it was computed from',
      );
    });

    it('step, promote and rollback move the canary weight along the steps, to 100 and to 0', async () => {
      freshVs('steps', TWO_ROUTES);
      const seen: number[][] = [];
      const record = (): number => seen.push(weightsOf(standIn.object('VirtualService', 'shop', 'steps'), 1) as number[]);
      const stepped = await cli('step', 'shop/steps', '--route', '1');
      assert.equal(stepped.code, 0, stepped.stderr);
      assert.match(stepped.stderr, /warning: gates not checked \(no Prometheus configured/);
      record();
      await stepCanary(client, 'shop/steps', { route: 'everyone' });
      record();
      for (const command of ['promote', 'rollback']) {
        const result = await cli(command, 'shop/steps', '--route', 'everyone');
        assert.equal(result.code, 0, result.stderr);
        record();
      }
      await assert.rejects(
        stepCanary(client, 'shop/steps', { route: 'everyone', steps: [100] }).then(() => stepCanary(client, 'shop/steps', { route: 'everyone' })),
        /already takes 100 %/,
      );
      assert.deepEqual(seen, [
        [75, 25],
        [50, 50],
        [0, 100],
        [100, 0],
      ]);
      await rollbackCanary(client, 'shop/steps', { route: 'everyone' });
      const customSteps = await stepCanary(client, 'shop/steps', { route: 'everyone', steps: [30, 60] });
      assert.equal(customSteps.weight, 30);
      const config = path.join(dir, 'steps.yaml');
      fs.writeFileSync(config, 'canary:\n  steps: [40, 80]\n');
      const configured = await cli('step', 'shop/steps', '--route', 'everyone', '--config', config);
      assert.equal(configured.code, 0, configured.stderr);
      assert.deepEqual(weightsOf(standIn.object('VirtualService', 'shop', 'steps'), 1), [60, 40]);
      fs.writeFileSync(config, 'canary:\n  steps: [0, 200]\n');
      const badConfig = await cli('step', 'shop/steps', '--route', 'everyone', '--config', config);
      assert.equal(badConfig.code, 2);
      assert.match(badConfig.stderr, /steps\.yaml:2: canary\.steps: canary steps must be a list of whole percentages from 1 to 100, got \[0,200\]/);
      assert.deepEqual(weightsOf(standIn.object('VirtualService', 'shop', 'steps'), 1), [60, 40]);
    });

    it('404, 403 and an unreachable cluster exit 2 with a message naming what failed', async () => {
      const missing = await cli('status', 'shop/nope');
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /not found \(404\): virtualservices\.networking\.istio\.io shop\/nope on http:\/\/127\.0\.0\.1:\d+/);

      const guarded = await startStandIn({
        namespace: 'shop',
        seed: [bookinfo('bookinfo.yaml'), bookinfo('destination-rule-reviews.yaml'), bookinfo('virtual-service-reviews-80-20.yaml')],
        users: { 'reader-token': { name: 'ci-reader', rules: [{ verbs: ['get', 'list', 'watch'], resources: '*' }] } },
      });
      try {
        const readerConfig = guarded.writeKubeconfig(dir, { token: 'reader-token', fileName: 'reader' });
        const status = await runCli(['canary', 'status', 'shop/reviews', '--kubeconfig', readerConfig]);
        assert.equal(status.code, 0, status.stderr);
        const denied = await runCli(['canary', 'set-weight', '50', 'shop/reviews', '--kubeconfig', readerConfig]);
        assert.equal(denied.code, 2);
        assert.match(
          denied.stderr,
          /access denied \(403 Forbidden\): cannot patch virtualservices\.networking\.istio\.io shop\/reviews on http:\/\/127\.0\.0\.1:\d+: .*User "ci-reader" cannot patch/,
        );
        assert.ok(!denied.stderr.includes('reader-token'), 'the token is never printed');
        assert.deepEqual(weightsOf(guarded.object('VirtualService', 'shop', 'reviews')), [80, 20]);
      } finally {
        await guarded.stop();
      }

      const gone = await startStandIn();
      const goneConfig = gone.writeKubeconfig(dir, { fileName: 'gone' });
      const url = gone.url;
      await gone.stop();
      const unreachable = await runCli(['canary', 'rollback', 'shop/reviews', '--kubeconfig', goneConfig]);
      assert.equal(unreachable.code, 2);
      assert.match(unreachable.stderr, new RegExp(`cannot reach the Kubernetes API server ${url.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`));
    });

    it('20 concurrent weight changes with injected conflicts leave a valid VirtualService and lose no update', async (t) => {
      const before_ = freshVs('contended');
      standIn.conflictNextWrites('VirtualService', 'shop', 'contended', 5);
      const firstEvent = standIn.events.length;
      const wanted = Array.from({ length: 20 }, (_, i) => 5 * (i + 1));
      const conflicts: number[] = [];
      const results = await Promise.all(
        wanted.map((weight) =>
          setCanaryWeight(client, 'shop/contended', weight, { route: 'everyone', maxAttempts: 40, onConflict: (attempt) => conflicts.push(attempt) }),
        ),
      );
      assert.ok(conflicts.length >= 5, `at least the 5 injected conflicts were retried (saw ${conflicts.length})`);
      t.diagnostic(`${conflicts.length} conflicts retried, at most ${Math.max(...results.map((r) => r.attempts))} attempts for one writer`);
      const final = standIn.object('VirtualService', 'shop', 'contended');
      const finalWeights = weightsOf(final, 1) as number[];
      assert.equal(finalWeights[0]! + finalWeights[1]!, 100);
      assert.deepEqual(weightsOf(final, 0), [50, 50]);
      assert.deepEqual(withoutWeights(final), { ...(withoutWeights(before_) as object), metadata: (withoutWeights(final) as StoredObject).metadata });
      // Every writer's change was applied, each on the version before it: the stored history holds
      // each writer's weight at the resourceVersion it reported, in a single chain.
      const writes = standIn.events.slice(firstEvent).filter((e) => e.name === 'contended' && e.type === 'MODIFIED');
      const byVersion = new Map(writes.map((e) => [String(e.resourceVersion), e.object]));
      for (const result of results.filter((r) => r.changed)) {
        const stored = byVersion.get(result.resourceVersion);
        assert.ok(stored, `write of ${result.weight} % is in the history`);
        assert.equal(weightsOf(stored, 1)[1], result.weight);
      }
      const last = results.reduce((a, b) => (Number(a.resourceVersion) > Number(b.resourceVersion) ? a : b));
      assert.equal(finalWeights[1], last.weight);
      assert.equal(new Set(results.map((r) => r.resourceVersion)).size, results.length, 'no two writers wrote the same version');
      assert.equal(results.filter((r) => !r.changed).length + writes.length, 20 + 5, 'one stored write per writer that changed something, plus the 5 injected');
    });

    it('gives up after the allowed attempts with a conflict that says nothing was written', async () => {
      freshVs('hot');
      standIn.conflictNextWrites('VirtualService', 'shop', 'hot', 3);
      await assert.rejects(setCanaryWeight(client, 'shop/hot', 40, { route: 'everyone', maxAttempts: 3, backoffMs: () => 1 }), (error: ClusterError) => {
        assert.equal(error.kind, 'conflict');
        assert.match(error.message, /kept changing under this set-weight \(route everyone\): gave up after 3 attempts; nothing was written/);
        return true;
      });
      assert.deepEqual(weightsOf(standIn.object('VirtualService', 'shop', 'hot'), 1), [90, 10]);
    });
  });

  describe('gates before step and promote', () => {
    const gate = (verdict: GateCheckResult['verdict'], reason: string) => async (): Promise<GateCheckResult> => ({ verdict, reason });

    it('refuses a step on a failing or no-data gate, with the reason, and writes nothing', async () => {
      const before_ = freshVs('gated');
      for (const [verdict, words] of [
        ['fail', 'failed: error rate 0.05 > 0.01'],
        ['no-data', 'has no data: no series for subset v2'],
      ] as const) {
        await assert.rejects(
          stepCanary(client, 'shop/gated', { route: 'everyone', gateCheck: gate(verdict, words.split(': ')[1]!) }),
          (error: ClusterError) => {
            assert.equal(error.kind, 'refused');
            assert.equal(error.message, `step of shop/gated refused: gate ${words}. To go ahead anyway, confirm with --override gated`);
            return true;
          },
        );
      }
      assert.equal(standIn.object('VirtualService', 'shop', 'gated')!.metadata.resourceVersion, before_.metadata.resourceVersion);
      const wrongName = stepCanary(client, 'shop/gated', { route: 'everyone', gateCheck: gate('no-data', 'x'), override: 'reviews' });
      await assert.rejects(wrongName, /refused/);
    });

    it('goes ahead on pass or not-configured, and on a failing gate overridden by the canary name', async () => {
      freshVs('overridden');
      const passed = await stepCanary(client, 'shop/overridden', { route: 'everyone', gateCheck: gate('pass', 'error rate 0 ≤ 0.01') });
      assert.equal(passed.weight, 25);
      assert.equal(passed.overridden, false);
      const unconfigured = await stepCanary(client, 'shop/overridden', { route: 'everyone', gateCheck: gate('not-configured', 'no gates') });
      assert.equal(unconfigured.weight, 50);
      const overridden = await stepCanary(client, 'shop/overridden', {
        route: 'everyone',
        gateCheck: gate('fail', 'p99 0.9 s > 0.5 s'),
        override: 'overridden',
      });
      assert.equal(overridden.weight, 100);
      assert.equal(overridden.overridden, true);
      const rolledBack = await rollbackCanary(client, 'shop/overridden', { route: 'everyone', gateCheck: gate('fail', 'never asked') });
      assert.equal(rolledBack.weight, 0);
      assert.equal(rolledBack.gate, undefined, 'rollback is never gated');
      // At 0 % the canary serves nothing to measure: no data refuses a step there too; set-weight starts it by hand.
      await assert.rejects(
        stepCanary(client, 'shop/overridden', { route: 'everyone', gateCheck: gate('no-data', 'no series for subset v2') }),
        /refused: gate has no data/,
      );
      const started = await setCanaryWeight(client, 'shop/overridden', 5, { route: 'everyone', gateCheck: gate('no-data', 'never asked') });
      assert.equal(started.weight, 5);
      assert.equal(started.gate, undefined);
      await assert.rejects(
        stepCanary(client, 'shop/overridden', { route: 'everyone', gateCheck: gate('no-data', 'no series for subset v2') }),
        /step of shop\/overridden refused: gate has no data/,
      );
      await rollbackCanary(client, 'shop/overridden', { route: 'everyone' });
      await assert.rejects(
        promoteCanary(client, 'shop/overridden', { route: 'everyone', gateCheck: gate('no-data', 'no series') }),
        /promote of shop\/overridden refused/,
      );
    });

    it('the CLI refuses a step when Prometheus gives no data (exit 1) and proceeds with --override NAME', async () => {
      freshVs('cli-gated');
      const refused = await cli('step', 'shop/cli-gated', '--route', 'everyone', '--prometheus-url', 'http://127.0.0.1:9');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /step of shop\/cli-gated refused: gate has no data: .*127\.0\.0\.1:9.*--override cli-gated/);
      assert.deepEqual(weightsOf(standIn.object('VirtualService', 'shop', 'cli-gated'), 1), [90, 10]);
      const overridden = await cli('step', 'shop/cli-gated', '--route', 'everyone', '--prometheus-url', 'http://127.0.0.1:9', '--override', 'cli-gated');
      assert.equal(overridden.code, 0, overridden.stderr);
      assert.match(overridden.stdout, /canary 10 % → 25 %.*gate overridden/);
      assert.deepEqual(weightsOf(standIn.object('VirtualService', 'shop', 'cli-gated'), 1), [75, 25]);
    });
  });

  describe('Argo Rollouts', () => {
    const statusPatches = (): { path: string; body: unknown; contentType?: string }[] =>
      standIn.requests
        .filter((r) => r.method === 'PATCH' && r.path.includes('/rollouts/'))
        .map((r) => ({ path: r.path, body: r.body, contentType: r.contentType }));

    it('promote, abort and retry are merge patches of the status subresource, as the kubectl plugin sends them', async () => {
      const first = statusPatches().length;
      const promoted = await promoteRollout(client, 'argo', 'istio-subset-split');
      assert.equal(promoted.paused, false);
      const aborted = await abortRollout(client, 'argo', 'istio-subset-split');
      assert.equal(aborted.aborted, true);
      const retried = await retryRollout(client, 'argo', 'istio-subset-split');
      assert.equal(retried.aborted, false);
      const statusPath = '/apis/argoproj.io/v1alpha1/namespaces/argo/rollouts/istio-subset-split/status';
      assert.deepEqual(statusPatches().slice(first), [
        { path: statusPath, body: { status: { pauseConditions: null } }, contentType: 'application/merge-patch+json' },
        { path: statusPath, body: { status: { abort: true } }, contentType: 'application/merge-patch+json' },
        { path: statusPath, body: { status: { abort: false } }, contentType: 'application/merge-patch+json' },
      ]);
      standIn.update('Rollout', 'argo', 'istio-subset-split', (o) => (o.status = { ...structuredClone(ARGO_STATUS), pauseConditions: [] }));
      const next = await promoteRollout(client, 'argo', 'istio-subset-split');
      assert.equal(next.currentStepIndex, 2, 'without a pause condition, promote moves past the current step');
      const full = statusPatches().length;
      await promoteRollout(client, 'argo', 'istio-subset-split', { full: true });
      assert.deepEqual(statusPatches()[full]!.body, { status: { promoteFull: true } });
    });

    it('the CLI steps an Argo-managed canary through the Rollout and refuses set-weight', async () => {
      standIn.update('Rollout', 'argo', 'istio-subset-split', (o) => (o.status = structuredClone(ARGO_STATUS)));
      const refused = await cli('set-weight', '50', 'argo/istio-subset-split-vsvc');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /Rollout argo\/istio-subset-split manages the weights of VirtualService argo\/istio-subset-split-vsvc/);
      const rollback = await cli('rollback', 'argo/istio-subset-split-vsvc');
      assert.equal(rollback.code, 0, rollback.stderr);
      assert.match(rollback.stdout, /Rollout argo\/istio-subset-split aborted/);
      assert.equal((standIn.object('Rollout', 'argo', 'istio-subset-split')!.status as { abort: boolean }).abort, true);
    });

    it('changeCanary (the CLI, the view, auto-progress, rollbacks) moves an Argo-managed canary only through its Rollout, with gates first', async () => {
      standIn.update('Rollout', 'argo', 'istio-subset-split', (o) => (o.status = structuredClone(ARGO_STATUS)));
      const vsBefore = JSON.stringify(standIn.object('VirtualService', 'argo', 'istio-subset-split-vsvc')!.spec);
      const failing = async (): Promise<GateCheckResult> => ({ verdict: 'fail', reason: 'error rate 9 %' });
      await assert.rejects(
        changeCanary(client, 'argo/istio-subset-split-vsvc', 'step', { gateCheck: failing }),
        /step of Rollout argo\/istio-subset-split refused: gate failed: error rate 9 %/,
      );
      const first = statusPatches().length;
      const stepped = await changeCanary(client, 'argo/istio-subset-split-vsvc', 'step');
      assert.equal(stepped.kind, 'rollout');
      const promoted = await changeCanary(client, 'argo/istio-subset-split-vsvc', 'promote', { gateCheck: failing, override: 'istio-subset-split' });
      assert.equal(describeChange(promoted), 'Rollout argo/istio-subset-split fully promoted');
      const rolledBack = await changeCanary(client, 'argo/istio-subset-split-vsvc', 'rollback');
      assert.equal(describeChange(rolledBack), 'Rollout argo/istio-subset-split aborted (traffic back to stable)');
      assert.deepEqual(
        statusPatches()
          .slice(first)
          .map((p) => p.body),
        [{ status: { pauseConditions: null } }, { status: { promoteFull: true } }, { status: { abort: true } }],
      );
      await assert.rejects(changeCanary(client, 'argo/istio-subset-split-vsvc', 'set-weight', { percent: 50 }), /manages the weights/);
      assert.equal(JSON.stringify(standIn.object('VirtualService', 'argo', 'istio-subset-split-vsvc')!.spec), vsBefore, 'the VirtualService is left to Argo');
    });

    it('a server without discovery endpoints is still read and written (the preferred versions are assumed)', async () => {
      const minimal = await startStandIn({
        discovery: false,
        namespace: 'shop',
        seed: [bookinfo('bookinfo.yaml'), bookinfo('destination-rule-reviews.yaml'), bookinfo('virtual-service-reviews-80-20.yaml')],
      });
      try {
        const minimalConfig = minimal.writeKubeconfig(dir, { fileName: 'minimal' });
        const status = await runCli(['canary', 'status', 'shop/reviews', '--kubeconfig', minimalConfig]);
        assert.equal(status.code, 0, status.stderr);
        assert.ok(status.stdout.includes('canary  reviews v2  20 %  Deployment reviews-v2'), status.stdout);
        const rollback = await runCli(['canary', 'rollback', 'shop/reviews', '--kubeconfig', minimalConfig]);
        assert.equal(rollback.code, 0, rollback.stderr);
        assert.deepEqual(weightsOf(minimal.object('VirtualService', 'shop', 'reviews')), [100, 0]);
        assert.ok(
          minimal.requests.some((r) => r.path === '/apis' && r.status === 404),
          'discovery was asked and missing',
        );
      } finally {
        await minimal.stop();
      }
    });

    it('a plain-http API server (kubectl proxy) is read without insecure-skip-tls-verify, as kubectl does', async () => {
      const config = JSON.parse(fs.readFileSync(kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
      assert.match(String(config.clusters[0]!.cluster.server), /^http:/);
      delete config.clusters[0]!.cluster['insecure-skip-tls-verify'];
      const proxyConfig = path.join(dir, 'proxy');
      fs.writeFileSync(proxyConfig, JSON.stringify(config));
      const status = await runCli(['canary', 'status', 'shop/reviews', '--kubeconfig', proxyConfig]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /canary +reviews v2 +20 %/);
    });

    it('without the Argo CRDs, canaries still read and Rollout commands say Argo is not installed', async () => {
      const plain = await startStandIn({
        argoRollouts: false,
        namespace: 'shop',
        seed: [bookinfo('bookinfo.yaml'), bookinfo('destination-rule-reviews.yaml'), bookinfo('virtual-service-reviews-80-20.yaml')],
      });
      try {
        const plainClient = ClusterClient.fromKubeconfig({ kubeconfig: plain.writeKubeconfig(dir, { fileName: 'plain' }) });
        const canary = await readCanary(plainClient, 'shop/reviews');
        assert.equal(canary.rollout, undefined);
        assert.equal(canary.routes[0]!.canaryWeight, 20);
        await assert.rejects(abortRollout(plainClient, 'shop', 'reviews'), /does not serve rollouts\.argoproj\.io \(is Argo Rollouts installed\?\)/);
      } finally {
        await plain.stop();
      }
    });
  });

  describe('CanaryWatcher', () => {
    /** Resolves with the first event (from now on) that satisfies `predicate`. */
    function nextEvent(watcher: CanaryWatcher, predicate: (event: CanaryWatcherEvent) => boolean): Promise<CanaryWatcherEvent> {
      if (predicate(watcher.snapshot)) return Promise.resolve(watcher.snapshot);
      return new Promise((resolve) => {
        const subscription = watcher.onDidChange((event) => {
          if (predicate(event)) {
            subscription.dispose();
            resolve(event);
          }
        });
      });
    }
    /** A VirtualService in namespace edge routing to the reviews Service of namespace shop. */
    const EDGE_VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews-edge, namespace: edge }
spec:
  hosts: [reviews.example.com]
  http:
  - route:
    - { destination: { host: reviews.shop.svc.cluster.local, subset: v1 }, weight: 70 }
    - { destination: { host: reviews.shop.svc.cluster.local, subset: v3 }, weight: 30 }
`;
    const weightOf = (event: CanaryWatcherEvent, id: string, route = 0): number | undefined =>
      event.canaries.find((c) => c.id === id)?.routes[route]?.canaryWeight;

    it('emits the canaries on every change, re-lists after 410 Gone, and dispose closes every watch', async () => {
      freshVs('watched');
      const watcher = new CanaryWatcher(client, ['shop'], { backoffMs: () => 20 });
      const ready = nextEvent(watcher, (e) => e.state.kind === 'ready' && weightOf(e, 'shop/watched', 1) === 10);
      await watcher.start();
      const first = await ready;
      const levels = first.canaries.map((c) => attentionOf(c).level);
      assert.deepEqual(levels, [...levels].sort(), 'most urgent first');
      assert.equal(attentionOf(first.canaries[0]!).level, 0);
      assert.ok(levels.some((l) => l > 0));
      await standIn.waitForWatches(5);

      const moved = nextEvent(watcher, (e) => weightOf(e, 'shop/watched', 1) === 40);
      await setCanaryWeight(client, 'shop/watched', 40, { route: 'everyone' });
      await moved;

      const unready = nextEvent(watcher, (e) => e.canaries.find((c) => c.id === 'shop/watched')?.routes[1]!.destinations[0]!.workloads[0]!.ready === 0);
      standIn.update('Deployment', 'shop', 'reviews-v1', (o) => (o.status = { readyReplicas: 0, replicas: 1 }));
      await unready;
      standIn.update('Deployment', 'shop', 'reviews-v1', (o) => (o.status = { readyReplicas: 1, replicas: 1 }));

      // The server forgets old versions and drops the watches: resuming is 410 Gone, so the watcher lists again.
      const listsBefore = standIn.requests.filter((r) => r.path.endsWith('/virtualservices') && r.query.watch === undefined).length;
      const watchesBefore = standIn.openWatchCount;
      standIn.compact();
      standIn.closeWatches();
      await waitUntil(
        'the watcher to list again after 410',
        async () => standIn.requests.filter((r) => r.path.endsWith('/virtualservices') && r.query.watch === undefined).length > listsBefore,
      );
      await standIn.waitForWatches(watchesBefore);
      const deleted = nextEvent(watcher, (e) => !e.canaries.some((c) => c.id === 'shop/watched'));
      standIn.remove('VirtualService', 'shop', 'watched');
      await deleted;

      watcher.dispose();
      await waitUntil('every watch connection to close', async () => standIn.openWatchCount === 0);
      assert.equal(watcher.snapshot.state.kind, 'disposed');
    });

    it('follows a route into another namespace: the Service, DestinationRule and Deployments there are watched too', { timeout: 20_000 }, async () => {
      standIn.seed(EDGE_VS, 'edge');
      const workloads = (event: CanaryWatcherEvent): string[][] | undefined =>
        event.canaries
          .find((c) => c.id === 'edge/reviews-edge')
          ?.routes[0]!.destinations.map((d) => d.workloads.map((w) => `${w.namespace}/${w.name} ${w.ready}/${w.desired}`));
      const watcher = new CanaryWatcher(client, ['edge'], { backoffMs: () => 20 });
      const resolved = nextEvent(watcher, (e) => e.state.kind === 'ready' && workloads(e)?.[1]?.length === 1);
      await watcher.start();
      assert.deepEqual(workloads(await resolved), [['shop/reviews-v1 1/1'], ['shop/reviews-v3 1/1']]);
      // A change in the other namespace reaches the view through its own watch.
      const unready = nextEvent(watcher, (e) => workloads(e)?.[1]?.[0] === 'shop/reviews-v3 0/1');
      standIn.update('Deployment', 'shop', 'reviews-v3', (o) => (o.status = { readyReplicas: 0, replicas: 1 }));
      await unready;
      standIn.update('Deployment', 'shop', 'reviews-v3', (o) => (o.status = { readyReplicas: 1, replicas: 1 }));
      watcher.dispose();
      standIn.remove('VirtualService', 'edge', 'reviews-edge');
    });

    it('says on the canary why a namespace its route leads to cannot be read, and stays ready', { timeout: 20_000 }, async () => {
      const guarded = await startStandIn({
        namespace: 'shop',
        seed: [bookinfo('bookinfo.yaml'), bookinfo('destination-rule-reviews.yaml')],
        users: { 'edge-only': { name: 'edge-deployer', rules: [{ verbs: '*', resources: '*', namespaces: ['edge'] }] } },
      });
      guarded.seed(EDGE_VS, 'edge');
      const watcher = new CanaryWatcher(
        ClusterClient.fromKubeconfig({ kubeconfig: guarded.writeKubeconfig(dir, { token: 'edge-only', fileName: 'edge-only' }) }),
        ['edge'],
        { backoffMs: () => 1000 },
      );
      try {
        const warned = nextEvent(watcher, (e) => !!e.canaries[0]?.warnings.some((w) => /403 Forbidden.* in namespace shop/.test(w)));
        await watcher.start();
        const event = await warned;
        assert.equal(event.state.kind, 'ready', 'the namespaces asked for are readable');
        for (const destination of event.canaries[0]!.routes[0]!.destinations) {
          assert.deepEqual(destination.workloads, []);
          assert.match(destination.problem!, /^access denied \(403 Forbidden\): cannot list .* in namespace shop/);
        }
        assert.ok(!event.canaries[0]!.warnings.some((w) => w.includes('no Service')), 'not "no Service": the reason is access');
      } finally {
        watcher.dispose();
        await guarded.stop();
      }
    });

    it('reports an unreachable cluster as a state naming the server, and recovers when it is back', async () => {
      const flaky = await startStandIn({
        namespace: 'shop',
        seed: [bookinfo('bookinfo.yaml'), bookinfo('destination-rule-reviews.yaml'), bookinfo('virtual-service-reviews-80-20.yaml')],
      });
      const flakyClient = ClusterClient.fromKubeconfig({ kubeconfig: flaky.writeKubeconfig(dir, { fileName: 'flaky' }) });
      const watcher = new CanaryWatcher(flakyClient, ['shop'], { backoffMs: () => 20 });
      try {
        await watcher.start();
        await nextEvent(watcher, (e) => e.state.kind === 'ready');
        const down = nextEvent(watcher, (e) => e.state.kind === 'unreachable');
        await flaky.stop();
        const event = await down;
        assert.match(
          (event.state as { message: string }).message,
          new RegExp(`cannot reach the Kubernetes API server ${flakyClient.server.replace(/\./g, '\\.')}`),
        );
        assert.equal(weightOf(event, 'shop/reviews'), 20, 'the last known canaries stay');
        const back = nextEvent(watcher, (e) => e.state.kind === 'ready');
        await flaky.start();
        await back;
        const moved = nextEvent(watcher, (e) => weightOf(e, 'shop/reviews') === 50);
        await setCanaryWeight(flakyClient, 'shop/reviews', 50);
        await moved;
      } finally {
        watcher.dispose();
        await flaky.stop();
      }
    });

    it('reports denied access as a forbidden state instead of throwing', async () => {
      const guarded = await startStandIn({
        namespace: 'shop',
        seed: [bookinfo('virtual-service-reviews-80-20.yaml')],
        users: { 'list-only': { name: 'lister', rules: [{ verbs: ['get', 'list'], resources: '*' }] } },
      });
      const watcher = new CanaryWatcher(
        ClusterClient.fromKubeconfig({ kubeconfig: guarded.writeKubeconfig(dir, { token: 'list-only', fileName: 'lister' }) }),
        ['shop'],
        {
          backoffMs: () => 1000,
        },
      );
      try {
        const forbidden = nextEvent(watcher, (e) => e.state.kind === 'forbidden');
        await watcher.start();
        const event = await forbidden;
        assert.match((event.state as { message: string }).message, /access denied \(403 Forbidden\): cannot watch .* in namespace shop/);
      } finally {
        watcher.dispose();
        await guarded.stop();
      }
    });
  });

  describe('kubeconfig', () => {
    it('merges KUBECONFIG files (first definition wins), selects contexts, and refuses exec credentials when untrusted', () => {
      const execConfig = path.join(dir, 'exec.yaml');
      fs.writeFileSync(
        execConfig,
        `apiVersion: v1
kind: Config
current-context: cloud
clusters: [{ name: cloud, cluster: { server: https://cloud.example:6443 } }]
users: [{ name: cloud-user, user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: aws-iam-authenticator, args: [token] } } }]
contexts: [{ name: cloud, context: { cluster: cloud, user: cloud-user, namespace: prod } }]
`,
      );
      const env = { KUBECONFIG: [kubeconfig, execConfig].join(path.delimiter), HOME: dir };
      const merged = loadKubeconfig({ env });
      assert.equal(merged.context, 'stand-in', 'the first file sets the current context');
      assert.deepEqual(merged.contexts.sort(), ['cloud', 'stand-in']);
      const cloud = loadKubeconfig({ env, context: 'cloud' });
      assert.equal(cloud.server, 'https://cloud.example:6443');
      assert.equal(cloud.namespace, 'prod');
      assert.throws(
        () => loadKubeconfig({ env, context: 'cloud', trusted: false }),
        /context "cloud" gets its credentials from a program \(exec: aws-iam-authenticator\); programs are not run for an untrusted workspace/,
      );
      assert.equal(loadKubeconfig({ env, trusted: false }).context, 'stand-in', 'a token-less context is fine untrusted');
      assert.throws(() => loadKubeconfig({ env, context: 'nope' }), /no context "nope" in .* \(contexts: stand-in, cloud\)/);
      assert.throws(() => loadKubeconfig({ env: { HOME: path.join(dir, 'empty-home') } }), /no kubeconfig found \(looked for .*\.kube\/config\)/);
      const broken = path.join(dir, 'broken.yaml');
      fs.writeFileSync(broken, 'clusters: [ { name: x');
      assert.throws(
        () => loadKubeconfig({ kubeconfig: broken }),
        (error: ClusterError) => error.kind === 'kubeconfig' && error.message.startsWith(`the kubeconfig ${broken} is not valid`),
      );
    });
  });
});
