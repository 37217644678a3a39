/**
 * A canary whose new version's code reads an environment variable its workload does not set does
 * not get traffic: `canary set-weight|step --manifests DIR` run missing-env on the code of the
 * `workloads:` entries that are the canary's new version (env from the manifests, envFrom from the
 * cluster's Secrets) and refuse past 0 %; `--override` lets it through and says so.
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

/** reviews-v2 as the change writes it: `env` as given, and everything of the cluster's Secret reviews-env. */
const reviewsV2 = (env: string): string => `apiVersion: apps/v1
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
          envFrom:
            - secretRef: { name: reviews-env }
          env: [${env}]
`;

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
  /** The workspace with reviews-v2 written with `env`; returns the manifests folder. */
  const workspace = (name: string, env: string): string => {
    const root = path.join(dir, name);
    fs.mkdirSync(path.join(root, 'k8s'), { recursive: true });
    fs.mkdirSync(path.join(root, 'src/reviews'), { recursive: true });
    fs.writeFileSync(path.join(root, '.rollout-guard.yaml'), CONFIG);
    fs.writeFileSync(path.join(root, 'k8s/reviews-v2.yaml'), reviewsV2(env));
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
    standIn = await startStandIn({
      namespace: 'shop',
      seed: [bookinfo('bookinfo.yaml'), bookinfo('destination-rule-reviews.yaml'), bookinfo('virtual-service-reviews-80-20.yaml')],
    });
    standIn.seed(
      `apiVersion: v1\nkind: Secret\nmetadata: { name: reviews-env }\ndata: { DATABASE_URL: ${Buffer.from('postgres://user:hunter2@db/reviews').toString('base64')} }\n`,
      'shop',
    );
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
