/**
 * A canary whose new version needs a Secret key the cluster lacks, or whose code reads an
 * environment variable its workload does not set (missing-env on the `workloads:` sources, envFrom
 * from the cluster's Secrets), does not get traffic: `canary set-weight|step --manifests DIR`
 * refuse past 0 % (through changeCanary), `--override` lets it through and says so; rollback is
 * never refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStandIn, type KubernetesStandIn } from '../simulators/k8s-stand-in';
import { temporaryDirectory } from '../simulators/temp';
import { runCli } from './helpers/migrations';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const bookinfo = (file: string): string => fs.readFileSync(path.join(corpus, 'istio-bookinfo', file), 'utf8');

/** reviews-v2 as the change writes it, its container's environment as given (YAML lines at the container's indent). */
const reviewsV2 = (...environment: string[]): string => `apiVersion: apps/v1
kind: Deployment
metadata: { name: reviews-v2, namespace: shop, labels: { app: reviews, version: v2 } }
spec:
  selector: { matchLabels: { app: reviews, version: v2 } }
  template:
    metadata: { labels: { app: reviews, version: v2 } }
    spec:
      containers:
        - name: reviews
          image: docker.io/istio/examples-bookinfo-reviews-v2:1.20.3
${environment.map((line) => `          ${line}\n`).join('')}`;

/** A Secret of namespace shop with `data` (values base64-encoded here). */
const secret = (name: string, data: Record<string, string>): string =>
  `apiVersion: v1\nkind: Secret\nmetadata: { name: ${name} }\ndata: { ${Object.entries(data)
    .map(([key, value]) => `${key}: ${Buffer.from(value).toString('base64')}`)
    .join(', ')} }\n`;

/** The API stand-in with bookinfo's reviews canary (80/20) in shop, and `secrets`. */
async function shopWithReviewsCanary(...secrets: string[]): Promise<KubernetesStandIn> {
  const standIn = await startStandIn({
    namespace: 'shop',
    seed: [bookinfo('bookinfo.yaml'), bookinfo('destination-rule-reviews.yaml'), bookinfo('virtual-service-reviews-80-20.yaml')],
  });
  for (const s of secrets) standIn.seed(s, 'shop');
  return standIn;
}

describe('canary moves refused while the new version fails the cluster configuration check', () => {
  let standIn: KubernetesStandIn;
  let dir: string;
  let kubeconfig: string;
  const manifests = (key: string): string => {
    const folder = path.join(dir, `k8s-${key}`);
    fs.mkdirSync(folder, { recursive: true });
    // Reads key `key` of Secret reviews-secrets (the cluster's has `stripe-key`).
    fs.writeFileSync(
      path.join(folder, 'reviews-v2.yaml'),
      reviewsV2('env:', '  - name: STRIPE', `    valueFrom: { secretKeyRef: { name: reviews-secrets, key: ${key} } }`),
    );
    return folder;
  };
  const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(['canary', ...args, '--kubeconfig', kubeconfig], { ROLLOUT_GUARD_PROMETHEUS_URL: '' });

  before(async () => {
    dir = temporaryDirectory('rg-canary-config-');
    standIn = await shopWithReviewsCanary(secret('reviews-secrets', { 'stripe-key': 'sk_live_secret' }));
    kubeconfig = standIn.writeKubeconfig(dir);
  });
  after(async () => {
    await standIn.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('set-weight past 0 % is refused, naming the workload and the missing key; nothing is written', async () => {
    const before = standIn.events.length;
    const run = await cli('set-weight', '30', 'shop/reviews', '--manifests', manifests('stripe'));
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /set-weight of shop\/reviews refused: its new version fails the configuration check: Deployment reviews-v2 \(.*reviews-v2\.yaml:14\): .*has no key `stripe` \(it has: stripe-key\)/,
    );
    assert.match(run.stderr, /--override reviews/);
    assert.ok(!run.stderr.includes('sk_live_secret') && !run.stdout.includes('sk_live_secret'));
    assert.equal(standIn.events.length, before);
    const step = await cli('step', 'shop/reviews', '--manifests', manifests('stripe'));
    assert.equal(step.code, 1);
    assert.match(step.stderr, /step of shop\/reviews refused: its new version fails the configuration check/);
  });

  it('with the key the cluster has, set-weight goes ahead; rollback is never refused', async () => {
    const run = await cli('set-weight', '30', 'shop/reviews', '--manifests', manifests('stripe-key'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /canary 20 % → 30 %/);
    const rollback = await cli('rollback', 'shop/reviews', '--manifests', manifests('stripe'));
    assert.equal(rollback.code, 0, rollback.stderr);
  });

  it('--override moves it anyway and records what it overrode', async () => {
    const run = await cli('set-weight', '10', 'shop/reviews', '--manifests', manifests('stripe'), '--override', 'reviews');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /canary 0 % → 10 %/);
    assert.match(run.stderr, /override: moved although Deployment reviews-v2 \(.*reviews-v2\.yaml:14\) fails dangling-config-reference/);
  });
});

const CONFIG = `workloads:
  - kind: Deployment
    namespace: shop
    name: reviews-v2
    source: src/reviews
`;

/** The new version's code: PAYMENTS_URL with no fallback, DATABASE_URL from the cluster's Secret, LOG_LEVEL with one. */
const PAY = `import { requireEnv } from './env';

export const paymentsUrl = requireEnv('PAYMENTS_URL');
export const databaseUrl = process.env.DATABASE_URL;
export const logLevel = process.env.LOG_LEVEL ?? 'info';
`;
const ENV_HELPER = `export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(name + ' is not set');
  return value;
}
`;

describe('canary moves refused while the new version reads environment variables its workload does not set', () => {
  let standIn: KubernetesStandIn;
  let dir: string;
  let kubeconfig: string;
  /** The workspace with reviews-v2 getting Secret reviews-env (envFrom) and `env`, and its code; returns its folder. */
  const workspace = (name: string, env: string): string => {
    const root = path.join(dir, name);
    fs.mkdirSync(path.join(root, 'k8s'), { recursive: true });
    fs.mkdirSync(path.join(root, 'src/reviews'), { recursive: true });
    fs.writeFileSync(path.join(root, '.rollout-guard.yaml'), CONFIG);
    fs.writeFileSync(path.join(root, 'k8s/reviews-v2.yaml'), reviewsV2('envFrom:', '  - secretRef: { name: reviews-env }', `env: [${env}]`));
    fs.writeFileSync(path.join(root, 'src/reviews/pay.ts'), PAY);
    fs.writeFileSync(path.join(root, 'src/reviews/env.ts'), ENV_HELPER);
    return root;
  };
  const cli = (root: string, ...args: string[]): ReturnType<typeof runCli> =>
    runCli(['canary', ...args, '--kubeconfig', kubeconfig, '--manifests', path.join(root, 'k8s'), '--config', path.join(root, '.rollout-guard.yaml')], {
      ROLLOUT_GUARD_PROMETHEUS_URL: '',
    });

  before(async () => {
    dir = temporaryDirectory('rg-canary-env-');
    standIn = await shopWithReviewsCanary(secret('reviews-env', { DATABASE_URL: 'postgres://user:hunter2@db/reviews' }));
    kubeconfig = standIn.writeKubeconfig(dir);
  });
  after(async () => {
    await standIn.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('set-weight and step past 0 % are refused, naming the variable and the code line; nothing is written', async () => {
    const root = workspace('unset', '');
    const before = standIn.events.length;
    const run = await cli(root, 'set-weight', '30', 'shop/reviews');
    assert.equal(run.code, 1, run.stderr);
    // Only PAYMENTS_URL: DATABASE_URL comes from the cluster's Secret (envFrom), LOG_LEVEL has a fallback.
    assert.match(
      run.stderr,
      /set-weight of shop\/reviews refused: its new version fails the configuration check: Deployment reviews-v2 needs PAYMENTS_URL, not set \(src\/reviews\/pay\.ts:3\)\. To go ahead anyway, confirm with --override reviews/,
    );
    assert.ok(!run.stderr.includes('hunter2') && !run.stdout.includes('hunter2'));
    assert.equal(standIn.events.length, before);
    const step = await cli(root, 'step', 'shop/reviews');
    assert.equal(step.code, 1);
    assert.match(step.stderr, /step of shop\/reviews refused: .*needs PAYMENTS_URL, not set/);
  });

  it('once the workload sets it, set-weight goes ahead', async () => {
    const run = await cli(workspace('set', '{ name: PAYMENTS_URL, value: "http://payments" }'), 'set-weight', '30', 'shop/reviews');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /canary 20 % → 30 %/);
  });

  it('--override moves it anyway and records what it overrode', async () => {
    const run = await cli(workspace('override', ''), 'set-weight', '40', 'shop/reviews', '--override', 'reviews');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /canary 30 % → 40 %/);
    assert.match(
      run.stderr,
      /override: moved although Deployment reviews-v2 \(src\/reviews\/pay\.ts:3\) fails missing-env: requireEnv\(…\) reads PAYMENTS_URL/,
    );
  });
});
