/**
 * Gates fail closed: only a finite decimal number from Prometheus is data. Every other sample
 * value ("", " ", "0x0", "-Inf", "+Inf", "NaN", a JSON number, a malformed answer) is no data,
 * which never passes: `gate check` exits 1, `canary step` and `canary promote` are refused and the
 * weights stay, the automatic rollback keeps counting, auto-progress (which steps only on a
 * pass, through the same gate check) never moves.
 *
 * The Prometheus here is a fault injector: an HTTP server answering the Prometheus query API with
 * the sample value a test chooses, since a real Prometheus never sends these.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterClient, DEFAULT_REQUEST_TIMEOUT_MS, stepCanary } from '../operations/cluster';
import {
  AutoRollback,
  checkGates,
  DEFAULT_PRESET,
  defineGate,
  displayPrometheusUrl,
  parseSampleValue,
  prometheusTokenKey,
  prometheusGateCheck,
  PrometheusClient,
  resolveGateSettings,
  type AutoRollbackEvent,
} from '../operations/gates';
import { FakeClock } from './helpers/fake-clock';
import { startStandIn, type KubernetesStandIn } from '../simulators/k8s-stand-in';
import { runCli } from './helpers/migrations';
import { removeTemporaryDirectory, temporaryDirectory } from '../simulators/temp';

/** The garbage forms of the issue, and more a broken proxy or exporter could send. */
const GARBAGE: unknown[] = ['', ' ', '0x0', '-Inf', '+Inf', 'NaN', 0, 0.001, null, '1e999', '0.001 ', '1_0', 'O.OO1'];
const gates = DEFAULT_PRESET.map((spec) => defineGate(spec));
const target = { namespace: 'shop', service: 'checkout', subsets: { stable: 'v1', canary: 'v2' } };

/** An answer of the Prometheus query API whose one sample is `value`, as JSON text. */
function vectorAnswer(value: unknown): string {
  return JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, value] }] } });
}

/** A fetch that answers every query with `body`, for PrometheusClient. */
const answering = (body: () => string): typeof fetch => (async () => new Response(body(), { status: 200 })) as typeof fetch;

/** A deterministic pseudo-random generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sample values: only finite decimal numbers are data', () => {
  it('reads the numbers the Prometheus API writes', () => {
    assert.equal(parseSampleValue('0.0123'), 0.0123);
    assert.equal(parseSampleValue('1e-3'), 0.001);
    assert.equal(parseSampleValue('0'), 0);
    assert.equal(parseSampleValue('-2.5'), -2.5);
    assert.equal(parseSampleValue('1.5E+06'), 1_500_000);
  });

  it('every other form is no data', () => {
    for (const value of [...GARBAGE, undefined, {}, [], true, '１', '1e', 'e1', '--1', '1.2.3', '\n0', 'Infinity', 'nan', '0b1', '0o7', '.', '+']) {
      assert.equal(parseSampleValue(value), null, `${JSON.stringify(value)} is not data`);
    }
  });

  it('property: a random string is data only if it is a finite decimal number, and then it is exactly that number', () => {
    const next = random(20261204);
    const alphabet = ['0', '1', '9', '.', '-', '+', 'e', 'E', 'x', ' ', '\t', 'I', 'n', 'f', 'N', 'a', '_', ',', '٣', '\u00a0'];
    const decimal = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
    let data = 0;
    for (let i = 0; i < 20_000; i++) {
      const length = Math.floor(next() * 8);
      let text = '';
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(next() * alphabet.length)];
      const value = parseSampleValue(text);
      if (value === null) continue;
      data++;
      assert.ok(decimal.test(text) && Number.isFinite(value) && value === Number(text), `${JSON.stringify(text)} → ${value}`);
    }
    assert.ok(data > 100, `some random strings are numbers (${data})`);
  });

  it('property: a gate evaluated on a random value that is not data never passes', async () => {
    const next = random(42);
    const pieces = ['', ' ', '0', '0.001', 'x', 'Inf', '-', 'NaN', 'e', '9', '.', '\u0000', '"', '1e400'];
    for (let i = 0; i < 500; i++) {
      let text = '';
      for (let j = Math.floor(next() * 4); j > 0; j--) text += pieces[Math.floor(next() * pieces.length)];
      const client = new PrometheusClient('http://prometheus.test', { fetch: answering(() => vectorAnswer(text)) });
      const report = await checkGates(target, gates, client, { interval: '1m' });
      if (parseSampleValue(text) === null) assert.equal(report.verdict, 'no-data', `${JSON.stringify(text)}: ${report.reason}`);
      else assert.notEqual(report.verdict, 'no-data', JSON.stringify(text));
    }
  });

  it('malformed answers are no data with the reason, never a crash', async () => {
    const bodies = [
      { status: 'success', data: { resultType: 'vector', result: null } },
      { status: 'success', data: { resultType: 'vector', result: [null] } },
      { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: null }] } },
      { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: ['now', '0'] }] } },
      { status: 'success', data: { resultType: 'scalar', result: null } },
    ];
    for (const body of bodies) {
      const client = new PrometheusClient('http://prometheus.test', { fetch: answering(() => JSON.stringify(body)) });
      const report = await checkGates(target, gates, client, { interval: '1m' });
      assert.equal(report.verdict, 'no-data', JSON.stringify(body));
      assert.match(report.gates[0]!.canary.reason!, /did not answer like the Prometheus API/);
    }
  });

  it('one garbage series among good ones leaves the gate without data (the worst series decides); 120,000 series are fine', async () => {
    const series = (values: unknown[]): string =>
      JSON.stringify({ status: 'success', data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { pod: `p${i}` }, value: [1, v] })) } });
    const mixed = new PrometheusClient('http://prometheus.test', { fetch: answering(() => series(['0', '', '0'])) });
    const report = await checkGates(target, gates, mixed, { interval: '1m' });
    assert.equal(report.verdict, 'no-data');
    assert.match(report.gates[0]!.canary.reason!, /Prometheus sent "" for subset "v2", not a finite number/);
    const many = new PrometheusClient('http://prometheus.test', {
      fetch: answering(() => series(Array.from({ length: 120_000 }, (_, i) => (i === 7 ? '0.5' : '0')))),
    });
    const big = await checkGates(target, gates, many, { interval: '1m' });
    assert.equal(big.verdict, 'fail');
    assert.equal(big.gates[0]!.canary.value, 0.5);
  });
});

describe('garbage samples never move a canary', () => {
  let standIn: KubernetesStandIn;
  let prometheus: http.Server;
  let prometheusUrl: string;
  let sample: unknown = '';
  let dir: string;
  let kubeconfig: string;

  const vs = (name: string): string =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  hosts: [checkout]\n  http:\n    - route:\n        - {destination: {host: checkout, subset: v1}, weight: 90}\n        - {destination: {host: checkout, subset: v2}, weight: 10}`;
  const weights = (name: string): number[] =>
    (standIn.object('VirtualService', 'shop', name)!.spec as { http: { route: { weight: number }[] }[] }).http[0]!.route.map((r) => r.weight);
  const cli = (...args: string[]): ReturnType<typeof runCli> =>
    runCli([...args, '--kubeconfig', kubeconfig, '--prometheus-url', prometheusUrl], { ROLLOUT_GUARD_PROMETHEUS_URL: '' });

  before(async () => {
    prometheus = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(vectorAnswer(sample)));
    });
    await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
    prometheusUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
    standIn = await startStandIn({
      namespace: 'shop',
      seed: [
        'apiVersion: v1\nkind: Service\nmetadata: {name: checkout, namespace: shop}\nspec: {selector: {app: checkout}, ports: [{port: 80}]}',
        'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: checkout, namespace: shop}\nspec:\n  host: checkout\n  subsets:\n    - {name: v1, labels: {version: v1}}\n    - {name: v2, labels: {version: v2}}',
      ],
    });
    dir = temporaryDirectory('rg-fail-closed-');
    kubeconfig = standIn.writeKubeconfig(dir);
  });

  after(async () => {
    await standIn?.stop();
    await new Promise((resolve) => prometheus?.close(resolve));
    removeTemporaryDirectory(dir);
  });

  for (const [index, value] of ['', ' ', '0x0', '-Inf', 'NaN', '+Inf', 0].entries()) {
    it(`sample ${JSON.stringify(value)}: gate check exits 1 with no data; step and promote are refused and the weights stay 90/10`, async () => {
      sample = value;
      const name = `garbage-${index}`;
      standIn.seed(vs(name), 'shop');
      const check = await cli('gate', 'check', `shop/${name}`, '--format', 'json');
      assert.equal(check.code, 1, check.stderr);
      const report = JSON.parse(check.stdout) as { verdict: string; gates: { verdict: string }[] };
      assert.equal(report.verdict, 'no-data');
      assert.ok(report.gates.every((g) => g.verdict === 'no-data'));
      for (const command of ['step', 'promote']) {
        const r = await cli('canary', command, `shop/${name}`);
        assert.equal(r.code, 1, `${command}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, new RegExp(`${command} of shop/${name} refused: gate has no data`));
        assert.deepEqual(weights(name), [90, 10], command);
      }
    });
  }

  it('auto-progress steps through the same gate check, which refuses on garbage', async () => {
    sample = '-Inf';
    standIn.seed(vs('auto'), 'shop');
    const client = ClusterClient.fromKubeconfig({ kubeconfig });
    const settings = resolveGateSettings([{ input: { prometheusUrl }, source: 'test' }]);
    await assert.rejects(stepCanary(client, 'shop/auto', { gateCheck: prometheusGateCheck(settings) }), /step of shop\/auto refused: gate has no data/);
    assert.deepEqual(weights('auto'), [90, 10]);
  });
});

describe('automatic rollback on garbage samples', () => {
  it('garbage is no data: it neither resets the failure count nor passes, and the rollback still comes', async () => {
    // Evaluations: fail, fail, then garbage forms, then fail: the third failure rolls back.
    const answers: unknown[] = ['0.3', '0.3', '', '0x0', 'NaN', '-Inf', '0.3'];
    let evaluation = 0;
    const canaryFetch = answering(() => vectorAnswer(answers[Math.min(evaluation, answers.length - 1)]));
    const client = new PrometheusClient('http://prometheus.test', { fetch: canaryFetch });
    const clock = new FakeClock();
    const rollbacks: number[] = [];
    const controller = new AutoRollback({
      readCanary: async () => ({ ...target, name: 'shop/checkout', canaryWeight: rollbacks.length ? 0 : 25 }),
      evaluate: async () => {
        const report = await checkGates(target, [gates[0]!], client, { interval: '1m' });
        evaluation++;
        return report;
      },
      rollback: async () => void rollbacks.push(evaluation),
      intervalMs: 60_000,
      consecutiveFailures: 3,
      scheduler: clock,
    });
    const seen: string[] = [];
    const done = new Promise<void>((resolve) =>
      controller.onEvent((e: AutoRollbackEvent) => {
        seen.push(e.type === 'evaluated' ? `${e.report.verdict}:${e.consecutiveFailures}` : e.type);
        if (e.type === 'rolled-back') resolve();
        else clock.advance(60_000);
      }),
    );
    controller.start();
    clock.advance(0);
    await done;
    controller.dispose();
    assert.deepEqual(seen, ['fail:1', 'fail:2', 'no-data:2', 'no-data:2', 'no-data:2', 'no-data:2', 'rolled-back']);
    assert.deepEqual(rollbacks, [7]);
  });
});

describe('Prometheus credentials are never printed', () => {
  const SECRET = 'pa/ss?w#rd@x';
  const urls = [
    `http://admin:${SECRET}@prometheus.example:99999`,
    `http://admin:${encodeURIComponent(SECRET)}@127.0.0.1:9`,
    `http://${SECRET}@prometheus.example:99999/api`,
    'http://admin:hunter2@[bad',
  ];

  it('displayPrometheusUrl hides the user information of valid and invalid URLs', () => {
    assert.equal(displayPrometheusUrl(urls[0]!), 'http://***@prometheus.example:99999');
    assert.equal(displayPrometheusUrl(urls[1]!), 'http://***@127.0.0.1:9');
    assert.equal(displayPrometheusUrl(urls[2]!), 'http://***@prometheus.example:99999/api');
    assert.equal(displayPrometheusUrl('http://prometheus:9090/'), 'http://prometheus:9090');
    for (const url of urls) assert.doesNotMatch(displayPrometheusUrl(url), /pa\/ss|pa%2Fss|hunter2|admin/);
  });

  it('gate check and canary step print none of it, from the option, the environment or .rollout-guard.yaml', async () => {
    const dir = temporaryDirectory('rg-secret-');
    try {
      const standIn = await startStandIn({ namespace: 'shop', seed: [] });
      try {
        const kubeconfig = standIn.writeKubeconfig(dir);
        standIn.seed(
          'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: c, namespace: shop}\nspec:\n  hosts: [c]\n  http:\n    - route:\n        - {destination: {host: c, subset: v1}, weight: 90}\n        - {destination: {host: c, subset: v2}, weight: 10}',
          'shop',
        );
        for (const url of urls) {
          fs.writeFileSync(path.join(dir, '.rollout-guard.yaml'), `prometheus:\n  url: ${JSON.stringify(url)}\n`);
          const runs = [
            runCli(['gate', 'check', 'shop/c', '--kubeconfig', kubeconfig, '--prometheus-url', url], { ROLLOUT_GUARD_PROMETHEUS_URL: '' }),
            runCli(['gate', 'check', 'shop/c', '--kubeconfig', kubeconfig, '--format', 'json'], { ROLLOUT_GUARD_PROMETHEUS_URL: url }),
            runCli(['gate', 'check', 'shop/c', '--kubeconfig', kubeconfig, '--config', path.join(dir, '.rollout-guard.yaml')], {
              ROLLOUT_GUARD_PROMETHEUS_URL: '',
            }),
            runCli(['canary', 'step', 'shop/c', '--kubeconfig', kubeconfig, '--prometheus-url', url], { ROLLOUT_GUARD_PROMETHEUS_URL: '' }),
          ];
          for (const r of await Promise.all(runs)) {
            const output = r.stdout + r.stderr;
            assert.ok(output.length > 0);
            assert.doesNotMatch(output, /pa\/ss|pa%2Fss|hunter2|admin/, output);
          }
        }
      } finally {
        await standIn.stop();
      }
    } finally {
      removeTemporaryDirectory(dir);
    }
  });
});

describe('a Kubernetes API server that never answers', () => {
  it('canary status, step and gate check exit 2 naming the server once the request timeout runs out', async () => {
    const sockets = new Set<Socket>();
    const silent = http.createServer(() => undefined); // accepts, reads, never answers
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const server = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const dir = temporaryDirectory('rg-silent-');
    try {
      const kubeconfig = path.join(dir, 'kubeconfig');
      fs.writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: shop}}]\ncurrent-context: x\n`,
      );
      const env = { ROLLOUT_GUARD_PROMETHEUS_URL: '' };
      const runs = await Promise.all([
        runCli(['canary', 'status', 'shop/checkout', '--kubeconfig', kubeconfig, '--request-timeout', '1s'], env),
        runCli(['canary', 'step', 'shop/checkout', '--kubeconfig', kubeconfig, '--request-timeout', '1s'], env),
        runCli(['gate', 'check', 'shop/checkout', '--kubeconfig', kubeconfig, '--request-timeout', '1s', '--prometheus-url', 'http://127.0.0.1:9'], env),
      ]);
      for (const r of runs) {
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(r.stderr, new RegExp(`the Kubernetes API server ${server.replace(/[.:/]/g, '\\$&')} did not answer in time .*request timeout 1 s`));
      }
      const bad = await runCli(['canary', 'status', 'shop/checkout', '--kubeconfig', kubeconfig, '--request-timeout', 'soon'], env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--request-timeout must be a duration such as 30s/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      removeTemporaryDirectory(dir);
    }
  });

  it('the default request timeout keeps a silent server under a minute', () => {
    assert.ok(DEFAULT_REQUEST_TIMEOUT_MS <= 30_000);
  });
});

describe('the Prometheus token is bound to its server', () => {
  it('is kept per origin: another host, port or scheme gets another key, a path does not', () => {
    const key = prometheusTokenKey('https://prometheus.example:9090/api/prom');
    assert.equal(key, 'rolloutGuard.prometheus.token:https://prometheus.example:9090');
    assert.equal(prometheusTokenKey('https://prometheus.example:9090/other'), key);
    for (const other of [
      'https://evil.example:9090',
      'http://prometheus.example:9090',
      'https://prometheus.example:9091',
      'https://prometheus.example.evil.example:9090',
    ])
      assert.notEqual(prometheusTokenKey(other), key, other);
    assert.equal(prometheusTokenKey('not a url'), undefined);
  });
});
