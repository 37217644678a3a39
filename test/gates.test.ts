/**
 * Prometheus gates against a real Prometheus (Debian's, one for this file) scraping the demo
 * service, whose versions get real requests from a traffic generator: a healthy canary passes,
 * a canary with errors or slow answers fails with its numbers, a canary without traffic and an
 * unreachable Prometheus give no-data. Also: template checking and escaping, configuration,
 * chart series, and automatic rollback under a fake clock.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterClient } from '../operations/cluster';
import { ConfigError } from '../server/src/engine/config';
import {
  AutoRollback,
  canaryMonitor,
  checkGates,
  compileTemplate,
  DEFAULT_PRESET,
  defineGate,
  formatGateValue,
  gateSeries,
  loadGateSettings,
  PrometheusClient,
  resolveGateSettings,
  type AutoRollbackEvent,
  type GateReport,
  type GateResult,
  type WatchedCanary,
} from '../operations/gates';
import { startStandIn, type KubernetesStandIn } from '../simulators/k8s-stand-in';
import { repoRoot } from '../simulators/lsp-client';
import { startDemoService, startTraffic, weightsFromVirtualService, type DemoService, type TrafficGenerator } from '../simulators/demo-service';
import { freePort, startPrometheus, type TestPrometheus } from '../simulators/prometheus';
import { FakeClock } from './helpers/fake-clock';
import { temporaryDirectory } from '../simulators/temp';

const INTERVAL = '5s';
const bin = path.join(repoRoot, 'bin/rollout-guard.js');
const defaultGates = DEFAULT_PRESET.map((spec) => defineGate(spec));
const target = (canary: string, stable = 'stable') => ({ namespace: 'shop', service: 'checkout', subsets: { stable, canary } });
const gate = (report: GateReport, name: string): GateResult => report.gates.find((g) => g.gate === name)!;

let demo: DemoService;
let traffic: TrafficGenerator;
let prometheus: TestPrometheus;
const ROUTING = { stable: 30, healthy: 15, erroring: 15, broken: 10, slow: 10, idle: 0, flip: 20 };

// One Prometheus and one demo service for the whole file: every scenario is its own version.
before(async () => {
  demo = await startDemoService({
    stable: { errorRate: 0, latencyMs: 2 },
    healthy: { errorRate: 0, latencyMs: 2 },
    erroring: { errorRate: 0.1, latencyMs: 2 },
    broken: { errorRate: 0.2, latencyMs: 2 },
    slow: { errorRate: 0, latencyMs: 700 },
    idle: { errorRate: 0, latencyMs: 2 },
    flip: { errorRate: 0, latencyMs: 2 },
  });
  traffic = startTraffic(demo, { ratePerSecond: 100, weights: ROUTING });
  prometheus = await startPrometheus({ targets: demo.targets });
  // Rates over [5s] need two scrapes that saw requests: wait until every version with traffic has a rate.
  await prometheus.waitFor('count(rate(http_request_duration_seconds_count[5s]) > 0)', (v) => v[0] === 6, 30_000);
  // …and every version has a rate at all, idle (0 requests) included: each version is its own scrape target, and
  // one scraped later than the others has no rate until its second scrape ("no series" instead of 0/0).
  await prometheus.waitFor('count(rate(http_request_duration_seconds_count[5s]))', (v) => v[0] === Object.keys(ROUTING).length, 30_000);
  // …and the versions that fail some requests have a rate of 500s (that series starts with the first error).
  await prometheus.waitFor('count(rate(http_requests_total{status="500"}[5s]) > 0)', (v) => v[0] === 2, 30_000);
});

after(async () => {
  await traffic?.stop();
  await prometheus?.stop();
  await demo?.stop();
});

describe('gates against a real Prometheus', () => {
  it('passes a healthy canary, with the stable and canary values', async () => {
    const report = await checkGates(target('healthy'), defaultGates, prometheus.url, { interval: INTERVAL });
    assert.equal(report.verdict, 'pass', report.reason);
    const errors = gate(report, 'error-rate');
    assert.equal(errors.canary.value, 0);
    assert.equal(errors.stable.value, 0);
    assert.equal(errors.threshold, 0.01);
    const p99 = gate(report, 'p99-latency');
    // Answered in ~2 ms; measured in the same busy process, so only "below the threshold" is certain.
    assert.ok(p99.canary.value! > 0 && p99.canary.value! <= 0.5, `healthy p99 ${p99.canary.value}`);
    assert.ok(p99.stable.value! > 0 && p99.stable.value! <= 0.5, `stable p99 ${p99.stable.value}`);
    assert.match(report.reason, /2 gates passed/);
    assert.equal(demo.served('healthy') > 0, true);
  });

  it('fails a canary answering 10 % of requests with 500, with the numbers', async () => {
    const report = await checkGates(target('erroring'), defaultGates, prometheus.url, { interval: INTERVAL });
    assert.equal(report.verdict, 'fail');
    const errors = gate(report, 'error-rate');
    assert.equal(errors.verdict, 'fail');
    assert.ok(errors.canary.value! > 0.05 && errors.canary.value! < 0.2, `error rate ${errors.canary.value}`);
    assert.equal(errors.stable.value, 0);
    assert.match(errors.reason, /^canary \d+(\.\d+)? % > 1 % \(stable 0 %\)$/);
    assert.equal(gate(report, 'p99-latency').verdict, 'pass');
    assert.match(report.reason, /^error-rate: canary/);
  });

  it('fails a canary whose p99 is about 1 s', async () => {
    const report = await checkGates(target('slow'), defaultGates, prometheus.url, { interval: INTERVAL });
    assert.equal(report.verdict, 'fail');
    const p99 = gate(report, 'p99-latency');
    assert.equal(p99.verdict, 'fail');
    // 700 ms answers fall in the (0.5 s, 1 s] bucket.
    assert.ok(p99.canary.value! > 0.5 && p99.canary.value! <= 1, `p99 ${p99.canary.value}`);
    assert.match(p99.reason, /^canary \d+ ms > 500 ms \(stable [\d.]+ ms\)$/);
    assert.equal(gate(report, 'error-rate').verdict, 'pass');
  });

  it('gives no-data for a canary without traffic (0/0 is NaN), never a pass', async () => {
    const report = await checkGates(target('idle'), defaultGates, prometheus.url, { interval: INTERVAL });
    assert.equal(report.verdict, 'no-data');
    for (const g of report.gates) {
      assert.equal(g.verdict, 'no-data');
      assert.equal(g.canary.value, null);
      assert.match(g.reason, /NaN for subset "idle": no requests in the last 5s/);
      assert.notEqual(g.stable.value, null);
    }
  });

  it('gives no-data for a subset with no series at all', async () => {
    const report = await checkGates(target('v3'), defaultGates, prometheus.url, { interval: INTERVAL });
    assert.equal(report.verdict, 'no-data');
    assert.match(gate(report, 'error-rate').reason, /no series for subset "v3" in the last 5s/);
  });

  it('a failing gate outweighs a gate without data', async () => {
    const report = await checkGates(
      target('erroring'),
      [...defaultGates, defineGate({ name: 'absent', query: 'sum(nothing_here{v="{{subset}}"})', failAbove: 1 })],
      prometheus.url,
      {
        interval: INTERVAL,
      },
    );
    assert.equal(report.verdict, 'fail');
    assert.equal(gate(report, 'absent').verdict, 'no-data');
  });

  it('gives no-data with the reason when Prometheus is unreachable, times out, or rejects the query', async () => {
    const closedPort = await freePort();
    const down = await checkGates(target('healthy'), defaultGates, `http://127.0.0.1:${closedPort}`, { interval: INTERVAL });
    assert.equal(down.verdict, 'no-data');
    assert.match(gate(down, 'error-rate').reason, new RegExp(`^Prometheus at http://127\\.0\\.0\\.1:${closedPort}/? is unreachable \\(ECONNREFUSED\\)$`));

    // A server that accepts the connection and never answers.
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const client = new PrometheusClient(`http://user:s3cret@127.0.0.1:${(silent.address() as AddressInfo).port}`, { timeoutMs: 300 });
      const slow = await checkGates(target('healthy'), defaultGates, client, { interval: INTERVAL });
      assert.equal(slow.verdict, 'no-data');
      assert.match(gate(slow, 'p99-latency').reason, /did not answer within 0\.3 s/);
      assert.doesNotMatch(JSON.stringify(slow), /s3cret/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }

    // Valid syntax that Prometheus refuses: rate() of an instant vector.
    const wrongType = defineGate({ name: 'wrong-type', query: 'rate(sum(http_requests_total{version="{{subset}}"}))', failAbove: 1 });
    const rejected = await checkGates(target('healthy'), [wrongType], prometheus.url, { interval: INTERVAL });
    assert.equal(rejected.verdict, 'no-data');
    assert.match(rejected.gates[0]!.reason, /rejected the query: .*expected type range vector in call to function "rate", got instant vector/);

    // An HTTP error with Prometheus' error JSON: its message is the reason.
    const overloaded = http.createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'too many concurrent queries' }));
    });
    await new Promise<void>((resolve) => overloaded.listen(0, '127.0.0.1', resolve));
    try {
      const busy = await checkGates(target('healthy'), defaultGates, `http://127.0.0.1:${(overloaded.address() as AddressInfo).port}`, { interval: INTERVAL });
      assert.equal(busy.verdict, 'no-data');
      assert.match(gate(busy, 'error-rate').reason, /answered HTTP 503: too many concurrent queries$/);
    } finally {
      overloaded.closeAllConnections();
      overloaded.close();
    }

    const wrongPath = await checkGates(target('healthy'), defaultGates, `${prometheus.url}/not-prometheus`, { interval: INTERVAL });
    assert.equal(wrongPath.verdict, 'no-data');
    assert.match(gate(wrongPath, 'error-rate').reason, /answered HTTP 404 .*is this the Prometheus base URL\?/);
  });

  it('normalises a milliseconds gate to seconds with the same threshold', async () => {
    const inMs = defineGate({
      name: 'p99-ms',
      unit: 'milliseconds',
      failAbove: 500,
      query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{version="{{subset}}"}[{{interval}}]))) * 1000',
    });
    assert.equal(inMs.failAbove, 0.5);
    assert.equal(inMs.unit, 'seconds');
    const time = new Date();
    const [seconds, milliseconds] = await Promise.all([
      checkGates(target('slow'), [defaultGates[1]!], prometheus.url, { interval: INTERVAL, time }),
      checkGates(target('slow'), [inMs], prometheus.url, { interval: INTERVAL, time }),
    ]);
    assert.equal(milliseconds.verdict, 'fail');
    assert.ok(Math.abs(milliseconds.gates[0]!.canary.value! - seconds.gates[0]!.canary.value!) < 1e-9);
  });

  it('renders label values escaped, so they match only themselves', async () => {
    const regexGate = defineGate({ name: 'regex-rate', query: 'sum(rate(http_requests_total{version=~"{{subset}}"}[{{interval}}]))', failAbove: 1e9 });
    const dotted = regexGate.template.render({ namespace: 'n', service: 's', subset: 'he.lthy', interval: '5s' });
    assert.equal(dotted, 'sum(rate(http_requests_total{version=~"he\\\\.lthy"}[5s]))');
    // Unescaped, "he.lthy" would match "healthy"; escaped it matches nothing.
    const report = await checkGates(target('he.lthy'), [regexGate], prometheus.url, { interval: INTERVAL });
    assert.equal(report.verdict, 'no-data');
    const quoted = defaultGates[0]!.template.render({ namespace: 'n', service: 's', subset: 'a"} or vector(1) #\\', interval: '5s' });
    assert.match(quoted, /version="a\\"} or vector\(1\) #\\\\"/);
    const injected = await checkGates(target('a"} or vector(1) #'), defaultGates, prometheus.url, { interval: INTERVAL });
    assert.equal(injected.verdict, 'no-data');
    assert.match(gate(injected, 'error-rate').reason, /no series/);
  });

  it('draws stable and canary series over a window for the metrics panel', async () => {
    // Wait until both error-rate queries have a value now, then ask for a window ending at the next whole second.
    for (const subset of ['stable', 'erroring'])
      await prometheus.waitFor(
        defaultGates[0]!.template.render({ namespace: 'shop', service: 'checkout', subset, interval: INTERVAL }),
        (v) => v.length === 1 && !Number.isNaN(v[0]),
      );
    const end = new Date(Math.ceil(Date.now() / 1000) * 1000);
    const series = await gateSeries(target('erroring'), defaultGates[0]!, new PrometheusClient(prometheus.url), {
      rangeSeconds: 30,
      stepSeconds: 1,
      end,
      interval: INTERVAL,
    });
    assert.equal(series.timestamps.length, 31);
    assert.equal(series.stable.length, 31);
    assert.equal(series.canary.length, 31);
    assert.equal(series.threshold, 0.01);
    assert.deepEqual(series.errors, {});
    // The latest point has a rate for both (older ones may predate two scrapes of a version).
    assert.ok(series.canary.at(-1)! > 0.05, `canary ${JSON.stringify(series.canary.slice(-3))}`);
    assert.equal(series.stable.at(-1), 0, `stable ${JSON.stringify(series.stable.slice(-3))}`);
    // Before the service started there is no data: null, not zero.
    assert.equal(series.canary[0], null);
    const down = await gateSeries(target('erroring'), defaultGates[0]!, new PrometheusClient(`http://127.0.0.1:${await freePort()}`), { rangeSeconds: 10 });
    assert.match(down.errors.canary!, /unreachable/);
    assert.ok(down.canary.every((v) => v === null));
  });

  it('rolls a canary back automatically when its errors start, with real evaluations', async () => {
    let weight = 20;
    const rollbacks: GateReport[] = [];
    const controller = new AutoRollback({
      readCanary: async (): Promise<WatchedCanary> => ({ ...target('flip'), name: 'shop/checkout', canaryWeight: weight }),
      evaluate: (canary) => checkGates(canary, defaultGates, prometheus.url, { interval: INTERVAL }),
      rollback: async (_canary, report) => {
        rollbacks.push(report);
        weight = 0;
        traffic.setWeights({ ...ROUTING, flip: 0 });
      },
      intervalMs: 500,
      consecutiveFailures: 2,
    });
    const events: AutoRollbackEvent[] = [];
    const done = new Promise<void>((resolve) =>
      controller.onEvent((event) => {
        events.push(event);
        if (event.type === 'evaluated' && event.report.verdict === 'pass' && !events.some((e) => e.type === 'evaluated' && e !== event))
          demo.set('flip', { errorRate: 0.5 }); // healthy at first, then broken
        if (event.type === 'idle') resolve();
      }),
    );
    controller.start();
    try {
      await Promise.race([
        done,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no rollback; events: ${JSON.stringify(events.map((e) => e.type))}`)), 30_000).unref()),
      ]);
    } finally {
      controller.dispose();
    }
    assert.equal(rollbacks.length, 1);
    const rolledBack = events.find((e) => e.type === 'rolled-back');
    assert.ok(rolledBack && rolledBack.type === 'rolled-back');
    assert.equal(rolledBack.consecutiveFailures, 2);
    assert.ok(gate(rolledBack.report, 'error-rate').canary.value! > 0.01);
    const firstEvent = events[0]!;
    assert.equal(firstEvent.type === 'evaluated' ? firstEvent.report.verdict : firstEvent.type, 'pass');
  });
});

/** Namespace shop: Service checkout, its subsets, and one VirtualService per scenario (stable first, canary second). */
function shopManifests(canaries: Record<string, { canary: string; weight: number }>): string {
  const versions = Object.keys(ROUTING);
  const docs = [
    'apiVersion: v1\nkind: Service\nmetadata: {name: checkout}\nspec: {selector: {app: checkout}, ports: [{port: 80}]}',
    `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: checkout}\nspec:\n  host: checkout\n  subsets:\n${versions.map((v) => `    - {name: ${v}, labels: {version: ${v}}}`).join('\n')}`,
    ...versions.map(
      (v) =>
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: checkout-${v}}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: checkout, version: ${v}}}\n  template:\n    metadata: {labels: {app: checkout, version: ${v}}}\n    spec: {containers: [{name: app, image: "shop/checkout:${v}"}]}\nstatus: {readyReplicas: 1}`,
    ),
    ...Object.entries(canaries).map(
      ([name, { canary, weight }]) =>
        `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ${name}}\nspec:\n  hosts: [checkout]\n  http:\n    - route:\n        - {destination: {host: checkout, subset: stable}, weight: ${100 - weight}}\n        - {destination: {host: checkout, subset: ${canary}}, weight: ${weight}}`,
    ),
  ];
  return docs.join('\n---\n');
}

/** An Argo Rollout that owns the weights of VirtualService argo-bad. */
const ARGO_ROLLOUT = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: checkout-argo}
spec:
  replicas: 2
  selector: {matchLabels: {app: checkout-argo}}
  template:
    metadata: {labels: {app: checkout-argo}}
    spec: {containers: [{name: app, image: "shop/checkout:broken"}]}
  strategy:
    canary:
      steps: [{setWeight: 20}, {pause: {}}]
      trafficRouting:
        istio:
          virtualService: {name: argo-bad}
          destinationRule: {name: checkout, canarySubsetName: broken, stableSubsetName: stable}
status: {phase: Paused, currentStepIndex: 1}`;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/rollout-guard.js without blocking this process (the demo service lives here and must keep answering). */
function runCli(args: string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe('rollout-guard gate check against the Kubernetes stand-in and the real Prometheus', () => {
  let standIn: KubernetesStandIn;
  let dir: string;
  let kubeconfig: string;
  const weights = (name: string): number[] =>
    (standIn.object('VirtualService', 'shop', name)!.spec as { http: { route: { weight: number }[] }[] }).http[0]!.route.map((r) => r.weight);

  before(async () => {
    dir = temporaryDirectory('rg-gate-cli-');
    fs.mkdirSync(path.join(dir, '.git'));
    standIn = await startStandIn({
      namespace: 'shop',
      seed: [
        shopManifests({
          good: { canary: 'healthy', weight: 10 },
          bad: { canary: 'broken', weight: 25 },
          'bad-rollback': { canary: 'broken', weight: 25 },
          'bad-stuck': { canary: 'broken', weight: 25 },
          quiet: { canary: 'idle', weight: 10 },
          'argo-bad': { canary: 'broken', weight: 20 },
          'argo-auto': { canary: 'broken', weight: 20 },
        }),
        ARGO_ROLLOUT,
        ARGO_ROLLOUT.replace('name: checkout-argo}', 'name: checkout-argo-auto}').replace('name: argo-bad}', 'name: argo-auto}'),
      ],
    });
    kubeconfig = standIn.writeKubeconfig(dir);
  });
  after(async () => {
    await standIn?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const check = (name: string, ...extra: string[]): Promise<CliRun> =>
    runCli(['gate', 'check', `shop/${name}`, '--prometheus-url', prometheus.url, '--kubeconfig', kubeconfig, '--interval', INTERVAL, ...extra], dir);

  it('passes a healthy canary: exit 0 and a table of stable, canary, threshold and verdict', async () => {
    const r = await check('good');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^shop\/good: stable stable, canary healthy at 10 % \(Prometheus http:\/\/127\.0\.0\.1:\d+, window 5s\)$/);
    assert.match(lines[2]!, /^GATE\s+STABLE\s+CANARY\s+THRESHOLD\s+VERDICT$/);
    assert.match(lines[3]!, /^error-rate\s+0 %\s+0 %\s+> 1 %\s+pass$/);
    assert.match(lines[4]!, /^p99-latency\s+[\d.]+ ms\s+[\d.]+ ms\s+> 500 ms\s+pass$/);
    assert.match(r.stdout, /Verdict: pass \(2 gates passed\)/);
  });

  it('fails a broken canary with the numbers (exit 1) and leaves its weight without --rollback-on-fail', async () => {
    const r = await check('bad', '--format', 'json');
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as GateReport & { canary: string; canaryWeight: number };
    assert.equal(report.canary, 'shop/bad');
    assert.equal(report.verdict, 'fail');
    assert.equal(report.canaryWeight, 25);
    const errors = gate(report, 'error-rate');
    assert.equal(errors.verdict, 'fail');
    assert.ok(errors.canary.value! > 0.1 && errors.canary.value! < 0.35, `error rate ${errors.canary.value}`);
    assert.equal(errors.stable.value, 0);
    assert.deepEqual(weights('bad'), [75, 25]);
  });

  it('--rollback-on-fail sets the failing canary to 0 % in the VirtualService', async () => {
    const r = await check('bad-rollback', '--rollback-on-fail');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^error-rate\s+0 %\s+[\d.]+ %\s+> 1 %\s+fail$/m);
    assert.match(r.stdout, /Verdict: FAIL/);
    assert.match(r.stdout, /rolled back: canary broken 25 % → 0 %/);
    assert.deepEqual(weights('bad-rollback'), [100, 0]);
    // What a traffic generator following this VirtualService now sends.
    assert.deepEqual(weightsFromVirtualService(standIn.object('VirtualService', 'shop', 'bad-rollback')), { stable: 100, broken: 0 });
  });

  it('a rollback that fails too has its own exit status (3), so a pipeline can page someone', async () => {
    standIn.conflictNextWrites('VirtualService', 'shop', 'bad-stuck', 1000);
    const r = await check('bad-stuck', '--rollback-on-fail');
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /Verdict: FAIL/);
    assert.match(r.stderr, /rollback failed: VirtualService shop\/bad-stuck kept changing under this rollback .*nothing was written/);
    assert.deepEqual(weights('bad-stuck'), [75, 25]);
  });

  it('--rollback-on-fail aborts the Argo Rollout that manages the VirtualService instead of writing its weights', async () => {
    const r = await check('argo-bad', '--rollback-on-fail');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /rolled back: aborted Rollout shop\/checkout-argo/);
    assert.equal((standIn.object('Rollout', 'shop', 'checkout-argo')!.status as { abort?: boolean }).abort, true);
    assert.deepEqual(weights('argo-bad'), [80, 20]);
  });

  it('the automatic rollback of an Argo-managed canary aborts the Rollout and leaves the VirtualService alone', async () => {
    const client = ClusterClient.fromKubeconfig({ kubeconfig });
    const clock = new FakeClock();
    // The monitor the Rollouts view runs, on the real Prometheus: the broken canary fails its gate.
    const monitor = canaryMonitor(client, 'shop/argo-auto', {
      intervalMs: 60_000,
      consecutiveFailures: 2,
      scheduler: clock,
      evaluate: (target) => checkGates(target, defaultGates, prometheus.url, { interval: INTERVAL }),
    });
    const events: string[] = [];
    const rolledBack = new Promise<void>((resolve) =>
      monitor.onEvent((e) => {
        events.push(e.type === 'evaluated' ? `${e.report.verdict}:${e.consecutiveFailures}` : e.type);
        if (e.type === 'evaluated') clock.advance(60_000);
        else resolve();
      }),
    );
    monitor.start();
    clock.advance(0);
    await rolledBack;
    monitor.dispose();
    assert.deepEqual(events, ['fail:1', 'rolled-back']);
    assert.equal((standIn.object('Rollout', 'shop', 'checkout-argo-auto')!.status as { abort?: boolean }).abort, true);
    assert.deepEqual(weights('argo-auto'), [80, 20], 'Argo owns the weights: they are not written by hand');
  });

  it('a canary without traffic is no data: exit 1 with the reason, and no rollback', async () => {
    const r = await check('quiet', '--rollback-on-fail');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^error-rate\s+0 %\s+—\s+> 1 %\s+no-data$/m);
    assert.match(r.stdout, /error-rate: NaN for subset "idle": no requests in the last 5s/);
    assert.match(r.stdout, /Verdict: NO DATA \(not a pass\)/);
    assert.deepEqual(weights('quiet'), [90, 10]);
  });

  it('Prometheus down is no data (exit 1), the cluster unreachable is exit 2, a bad call is exit 2', async () => {
    const closed = await freePort();
    const down = await runCli(['gate', 'check', 'shop/good', '--prometheus-url', `http://127.0.0.1:${closed}`, '--kubeconfig', kubeconfig], dir);
    assert.equal(down.code, 1);
    assert.match(down.stdout, new RegExp(`error-rate: Prometheus at http://127\\.0\\.0\\.1:${closed}/? is unreachable \\(ECONNREFUSED\\)`));

    const missing = await check('nothing-here');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nothing-here/);
    assert.match(missing.stderr, /not found|404/i);

    const noUrl = await runCli(['gate', 'check', 'shop/good', '--kubeconfig', kubeconfig], dir);
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /no Prometheus: give --prometheus-url URL/);

    fs.writeFileSync(path.join(dir, 'bad-gates.yaml'), 'gates:\n  queries:\n    - {name: broken, failAbove: 1, query: "sum(x{v=\\"{{subset}}\\"}"}\n');
    const badConfig = await check('good', '--config', 'bad-gates.yaml');
    assert.equal(badConfig.code, 2);
    assert.match(badConfig.stderr, /bad-gates\.yaml:3: gate "broken": not valid PromQL at line 1, column 22 at the end/);
  });

  it('canary step is refused on a no-data gate and goes ahead on passing gates', async () => {
    const refused = await runCli(['canary', 'step', 'shop/quiet', '--prometheus-url', prometheus.url, '--kubeconfig', kubeconfig], dir);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /step of shop\/quiet refused: gate has no data: .*NaN for subset "idle"/);
    assert.deepEqual(weights('quiet'), [90, 10]);

    const down = await runCli(['canary', 'promote', 'shop/good', '--prometheus-url', `http://127.0.0.1:${await freePort()}`, '--kubeconfig', kubeconfig], dir);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /promote of shop\/good refused: gate has no data: .*unreachable/);
    assert.deepEqual(weights('good'), [90, 10]);

    // The rate window comes from the configuration file the canary command shares.
    fs.writeFileSync(path.join(dir, '.rollout-guard.yaml'), `gates:\n  interval: ${INTERVAL}\n`);
    const stepped = await runCli(['canary', 'step', 'shop/good', '--prometheus-url', prometheus.url, '--kubeconfig', kubeconfig], dir);
    fs.rmSync(path.join(dir, '.rollout-guard.yaml'));
    assert.equal(stepped.code, 0, stepped.stderr);
    assert.deepEqual(weights('good'), [75, 25]);
  });
});

describe('the Prometheus test harness', () => {
  it('says how to install Prometheus when the binary is missing', async () => {
    await assert.rejects(startPrometheus({ targets: {}, binary: '/nonexistent/prometheus' }), {
      message: 'Prometheus is not installed (/nonexistent/prometheus is missing): install it: apt-get install prometheus',
    });
  });
});

describe('gate templates', () => {
  const invalid = (query: string): string => {
    try {
      compileTemplate(query, 'gate "t"');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.message;
    }
    assert.fail(`accepted: ${query}`);
  };

  it('rejects a template that is not PromQL, with the position in the template', () => {
    assert.equal(
      invalid('sum(rate(http_requests_total{version="{{subset}}"}[{{interval}}]) / / 2'),
      'gate "t": not valid PromQL at line 1, column 69 near "/ 2": unexpected "/".',
    );
    assert.equal(
      invalid('sum(rate(http_requests_total{version="{{subset}}"}[{{interval}}])'),
      'gate "t": not valid PromQL at line 1, column 66 at the end: the expression is incomplete.',
    );
    assert.match(invalid('sum(\n  rate(x{version="{{subset}}"}[{{interval}}]) +* 2)'), /not valid PromQL at line 2, column 48 near "\* 2\)": unexpected "\*"/);
  });

  it('rejects unknown and unclosed placeholders and label values outside quotes', () => {
    assert.equal(
      invalid('sum(x{version="{{version}}"})'),
      'gate "t": unknown placeholder {{version}} at line 1, column 16; known: {{namespace}}, {{service}}, {{subset}}, {{interval}}.',
    );
    assert.match(invalid('sum(x{version="{{subset}}", ns="{{namespace"})'), /unclosed placeholder "\{\{" at line 1, column 33/);
    assert.match(invalid('sum(x{version={{subset}}})'), /\{\{subset\}\} at line 1, column 15 must be inside a quoted label value/);
    assert.match(invalid('sum(x{version="{{subset}}", w="{{interval}}"})'), /\{\{interval\}\} at line 1, column 32 is a duration/);
    assert.match(invalid('sum(rate(x[{{interval}}]))'), /never uses \{\{subset\}\}/);
  });

  it('rejects an interval that is not a duration at render time', () => {
    assert.throws(
      () => defaultGates[0]!.template.render({ namespace: 'n', service: 's', subset: 'v', interval: '5 minutes' }),
      /must be a Prometheus duration/,
    );
  });

  it('formats values for people', () => {
    assert.equal(formatGateValue(0.0123, 'ratio'), '1.23 %');
    assert.equal(formatGateValue(0.48, 'seconds'), '480 ms');
    assert.equal(formatGateValue(1.25, 'seconds'), '1.25 s');
    assert.equal(formatGateValue(null, 'ratio'), '—');
    assert.equal(formatGateValue(Infinity, 'seconds'), '+Inf');
  });
});

describe('gate configuration', () => {
  let dir: string;
  before(() => {
    dir = temporaryDirectory('rg-gates-');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads gates: and prometheus: from .rollout-guard.yaml; the Istio preset in seconds', () => {
    fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, '.rollout-guard.yaml'),
      [
        'pgVersion: 16',
        'prometheus:',
        '  url: http://prometheus.monitoring:9090',
        '  timeout: 5s',
        'gates:',
        '  preset: istio',
        '  interval: 2m',
        '  consecutiveFailures: 4',
        '  queries:',
        '    - name: p99-latency',
        '      unit: milliseconds',
        '      failAbove: 300ms',
        '      query: histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{destination_version="{{subset}}"}[{{interval}}])))',
        '    - name: saturation',
        '      failAbove: 0.9',
        '      query: max(container_cpu_usage{namespace="{{namespace}}", pod=~"{{service}}-{{subset}}-.*"})',
      ].join('\n'),
    );
    const settings = loadGateSettings({ cwd: path.join(dir) });
    assert.equal(settings.prometheusUrl, 'http://prometheus.monitoring:9090');
    assert.equal(settings.timeoutMs, 5000);
    assert.equal(settings.interval, '2m');
    assert.equal(settings.evaluateEveryMs, 120_000);
    assert.equal(settings.consecutiveFailures, 4);
    assert.deepEqual(
      settings.gates.map((g) => [g.name, g.unit, g.failAbove]),
      [
        ['error-rate', 'ratio', 0.01],
        ['p99-latency', 'seconds', 0.3],
        ['saturation', 'number', 0.9],
      ],
    );
    assert.match(settings.gates[0]!.template.text, /istio_requests_total\{reporter="destination".*response_code=~"5\.\."/);
  });

  it('keeps the Istio preset threshold of 500 ms as 0.5 s', () => {
    const settings = resolveGateSettings([{ input: { preset: 'istio' }, source: 'test' }]);
    const p99 = settings.gates.find((g) => g.name === 'p99-latency')!;
    assert.equal(p99.failAbove, 0.5);
    assert.equal(p99.scale, 0.001);
  });

  it('names the bad setting', () => {
    const bad = (input: Record<string, unknown>): RegExp | string => {
      try {
        resolveGateSettings([{ input, source: '.rollout-guard.yaml' }]);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    assert.equal(bad({ preset: 'linkerd' }), '.rollout-guard.yaml: gates.preset must be default, istio, none, got "linkerd".');
    assert.equal(bad({ interval: '5 min' }), '.rollout-guard.yaml: gates.interval must be a Prometheus duration such as 30s, 1m or 5m, got "5 min".');
    assert.match(
      String(bad({ queries: [{ name: 'x', query: 'sum(y{v="{{subset}}"})', failAbove: '2%' }] })),
      /gate "x": failAbove "2%" is a percentage but the gate's unit is number/,
    );
    assert.match(String(bad({ queries: [{ name: 'x', query: 'sum(y{v="{{subset}}"})' }] })), /gate "x" needs failAbove/);
    assert.match(
      String(bad({ queries: [{ name: 'x', query: 'sum(y{v="{{subset}}"}', failAbove: 1 }] })),
      /gate "x": not valid PromQL at line 1, column 22 at the end/,
    );
    assert.match(String(bad({ consecutiveFailures: 0 })), /consecutiveFailures must be a whole number ≥ 1/);
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'gates:\n  thresholds: 1\n');
    assert.throws(() => loadGateSettings({ cwd: dir, configFile: 'bad.yaml' }), /^ConfigError: bad\.yaml:2: unknown setting gates\.thresholds/);
  });
});

describe('automatic rollback (fake clock)', () => {
  const report = (verdict: GateReport['verdict'], canaryValue: number | null = verdict === 'fail' ? 0.2 : verdict === 'pass' ? 0 : null): GateReport => ({
    verdict,
    reason: verdict,
    target: target('v2', 'v1'),
    interval: '1m',
    prometheus: 'http://prometheus',
    evaluatedAt: new Date(0).toISOString(),
    gates: [
      {
        gate: 'error-rate',
        unit: 'ratio',
        threshold: 0.01,
        stable: { value: 0, query: 'q' },
        canary: { value: canaryValue, query: 'q' },
        verdict,
        reason: verdict,
      },
    ],
  });

  /** A controller fed a scripted sequence of verdicts; step() runs one evaluation and returns its event. */
  function harness(verdicts: GateReport['verdict'][], options: { weight?: number; consecutiveFailures?: number; rollbackFails?: boolean } = {}) {
    const clock = new FakeClock();
    let weight = options.weight ?? 25;
    const rollbacks: { canary: WatchedCanary; report: GateReport }[] = [];
    let evaluations = 0;
    const controller = new AutoRollback({
      readCanary: async () => ({ ...target('v2', 'v1'), name: 'shop/checkout', canaryWeight: weight }),
      evaluate: async () => report(verdicts[evaluations++] ?? 'pass'),
      rollback: async (canary, r) => {
        if (options.rollbackFails) throw new Error('409 Conflict twice');
        rollbacks.push({ canary, report: r });
        weight = 0;
      },
      intervalMs: 60_000,
      consecutiveFailures: options.consecutiveFailures,
      scheduler: clock,
    });
    const queue: AutoRollbackEvent[] = [];
    let waiting: ((e: AutoRollbackEvent) => void) | undefined;
    controller.onEvent((e) => {
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w(e);
      } else queue.push(e);
    });
    let first = true;
    const step = (): Promise<AutoRollbackEvent> => {
      const next = queue.length ? Promise.resolve(queue.shift()!) : new Promise<AutoRollbackEvent>((resolve) => (waiting = resolve));
      clock.advance(first ? 0 : 60_000);
      first = false;
      return next;
    };
    return { controller, clock, rollbacks, step, evaluations: () => evaluations, setWeight: (w: number) => (weight = w) };
  }

  it('rolls back once after N consecutive failures, with the numbers', async () => {
    const h = harness(['fail', 'fail', 'fail', 'fail', 'fail']);
    h.controller.start();
    const counts = [];
    for (let i = 0; i < 2; i++) {
      const e = await h.step();
      assert.equal(e.type, 'evaluated');
      if (e.type === 'evaluated') counts.push(e.consecutiveFailures);
    }
    assert.deepEqual(counts, [1, 2]);
    assert.equal(h.rollbacks.length, 0);
    const third = await h.step();
    assert.equal(third.type, 'rolled-back');
    assert.ok(third.type === 'rolled-back');
    assert.equal(third.consecutiveFailures, 3);
    assert.equal(third.canary.canaryWeight, 25);
    assert.equal(third.report.gates[0]!.canary.value, 0.2);
    assert.equal(h.rollbacks.length, 1);
    // Rolled back to weight 0: nothing more to guard, no second rollback.
    assert.equal((await h.step()).type, 'idle');
    assert.equal((await h.step()).type, 'idle');
    assert.equal(h.rollbacks.length, 1);
    assert.equal(h.evaluations(), 3);
    h.controller.dispose();
    assert.equal(h.clock.pending, 0);
  });

  it('a pass in between starts the count again; no-data neither passes nor fails', async () => {
    const h = harness(['fail', 'fail', 'pass', 'fail', 'no-data', 'fail', 'no-data', 'fail'], { consecutiveFailures: 3 });
    h.controller.start();
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) {
      const e = await h.step();
      seen.push(e.type === 'evaluated' ? `${e.report.verdict}:${e.consecutiveFailures}` : e.type);
    }
    assert.deepEqual(seen, ['fail:1', 'fail:2', 'pass:0', 'fail:1', 'no-data:1', 'fail:2', 'no-data:2', 'rolled-back']);
    assert.equal(h.rollbacks.length, 1);
    h.controller.dispose();
  });

  it('does not evaluate at weight 0 or 100, and a rollback that fails is tried again', async () => {
    const idle = harness(['fail'], { weight: 100, consecutiveFailures: 1 });
    idle.controller.start();
    assert.equal((await idle.step()).type, 'idle');
    assert.equal(idle.evaluations(), 0);
    idle.controller.dispose();

    const stuck = harness(['fail', 'fail'], { consecutiveFailures: 1, rollbackFails: true });
    stuck.controller.start();
    const first = await stuck.step();
    assert.equal(first.type, 'rollback-failed');
    assert.match(first.type === 'rollback-failed' ? first.error : '', /409 Conflict twice/);
    assert.equal((await stuck.step()).type, 'rollback-failed');
    stuck.controller.dispose();
  });

  it('dispose() stops the evaluations', async () => {
    const h = harness(['pass', 'pass', 'pass']);
    h.controller.start();
    await h.step();
    assert.equal(h.clock.pending, 1);
    h.controller.dispose();
    assert.equal(h.clock.pending, 0);
    h.clock.advance(10 * 60_000);
    assert.equal(h.evaluations(), 1);
  });
});
