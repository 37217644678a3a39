/**
 * A canary whose new version needs a Secret key the cluster lacks does not get traffic:
 * `canary set-weight|step --manifests DIR` refuse past 0 % (through changeCanary), `--override`
 * lets it through and says so; rollback is never refused.
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

/** reviews-v2 as the change writes it: it reads key `stripe` of Secret reviews-secrets (the cluster's has `stripe-key`). */
const reviewsV2 = (key: string): string => `apiVersion: apps/v1
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
          env:
            - name: STRIPE
              valueFrom: { secretKeyRef: { name: reviews-secrets, key: ${key} } }
`;

describe('canary moves refused while the new version fails the cluster configuration check', () => {
  let standIn: KubernetesStandIn;
  let dir: string;
  let kubeconfig: string;
  const manifests = (key: string): string => {
    const folder = path.join(dir, `k8s-${key}`);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'reviews-v2.yaml'), reviewsV2(key));
    return folder;
  };
  const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(['canary', ...args, '--kubeconfig', kubeconfig], { ROLLOUT_GUARD_PROMETHEUS_URL: '' });

  before(async () => {
    dir = temporaryDirectory('rg-canary-config-');
    standIn = await startStandIn({
      namespace: 'shop',
      seed: [bookinfo('bookinfo.yaml'), bookinfo('destination-rule-reviews.yaml'), bookinfo('virtual-service-reviews-80-20.yaml')],
    });
    standIn.seed(
      `apiVersion: v1\nkind: Secret\nmetadata: { name: reviews-secrets }\ndata: { stripe-key: ${Buffer.from('sk_live_secret').toString('base64')} }\n`,
      'shop',
    );
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
