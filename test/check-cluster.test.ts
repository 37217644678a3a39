/**
 * `rollout-guard check --cluster`: references resolved in the workspace, then in the live namespace
 * (the Kubernetes API stand-in), with access reviews, one list per kind and namespace, Secret
 * values never printed, an unreachable cluster exit 2, and `--dry-run-server`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from './helpers/cli';
import { startStandIn, type KubernetesStandIn } from '../simulators/k8s-stand-in';
import { temporaryDirectory } from '../simulators/temp';
import type { LocatedFinding } from '../cli/src/format';

const SECRET_VALUE = 'sk_live_DO_NOT_PRINT_4242';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

const CLUSTER = `
apiVersion: v1
kind: Secret
metadata: { name: checkout-secrets, namespace: shop }
data: { stripe-key: ${b64(SECRET_VALUE)} }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: cluster-config, namespace: shop }
data: { LOG_LEVEL: info }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: checkout, namespace: shop }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: cache, namespace: shop }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
---
apiVersion: v1
kind: Secret
metadata: { name: registry, namespace: shop }
data: { .dockerconfigjson: ${b64('{"auths":{}}')} }
---
apiVersion: v1
kind: Secret
metadata: { name: shop-tls, namespace: istio-system }
data: { tls.crt: ${b64('cert')}, tls.key: ${b64(SECRET_VALUE)} }
`;

/** A Deployment in shop whose every reference kind resolves somewhere, or is wrong on purpose (`bad`). */
function deployment(bad: { key?: string; secret?: string; account?: string; claim?: string; pull?: string } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: checkout, namespace: shop }
spec:
  selector: { matchLabels: { app: checkout } }
  template:
    metadata: { labels: { app: checkout } }
    spec:
      serviceAccountName: ${bad.account ?? 'checkout'}
      imagePullSecrets: [{ name: ${bad.pull ?? 'registry'} }]
      containers:
        - name: app
          image: shop/checkout:2.0
          env:
            - name: STRIPE
              valueFrom: { secretKeyRef: { name: checkout-secrets, key: ${bad.key ?? 'stripe-key'} } }
            - name: LEVEL
              valueFrom: { configMapKeyRef: { name: cluster-config, key: LOG_LEVEL } }
            - name: FROM_REPO
              valueFrom: { configMapKeyRef: { name: repo-config, key: MODE } }
            - name: MAYBE
              valueFrom: { secretKeyRef: { name: nowhere, key: x, optional: true } }
          envFrom:
            - secretRef: { name: ${bad.secret ?? 'checkout-secrets'} }
              prefix: PAY_
      volumes:
        - name: cache
          persistentVolumeClaim: { claimName: ${bad.claim ?? 'cache'} }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: repo-config, namespace: shop }
data: { MODE: live }
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: shop, namespace: shop }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 443, name: https, protocol: HTTPS }
      hosts: ['shop.example.com']
      tls: { mode: SIMPLE, credentialName: shop-tls }
`;
}

type Run = Awaited<ReturnType<typeof cli>>;

/** The CLI in this process, without the machine's kubeconfig, in plain text. */
const cliIsolated = (args: string[], cwd: string): Promise<Run> => cli(args, cwd, { ...process.env, KUBECONFIG: '', NO_COLOR: '1' });

describe('check --cluster', () => {
  let standIn: KubernetesStandIn;
  let dir: string;
  let kubeconfig: string;
  const check = async (manifest: string, ...more: string[]): Promise<Run & { findings: LocatedFinding[] }> => {
    const k8s = path.join(dir, `k8s-${Math.random().toString(36).slice(2)}`);
    fs.mkdirSync(k8s);
    fs.writeFileSync(path.join(k8s, 'checkout.yaml'), manifest);
    const run = await cliIsolated(['check', k8s, '--format', 'json', ...more], dir);
    // Every output of every run: never a Secret value, in clear or base64.
    for (const text of [run.stdout, run.stderr]) {
      assert.ok(!text.includes(SECRET_VALUE), 'a Secret value was printed');
      assert.ok(!text.includes(b64(SECRET_VALUE)), 'a Secret value was printed (base64)');
    }
    const findings = run.stdout ? (JSON.parse(run.stdout) as { findings: LocatedFinding[] }).findings : [];
    return { ...run, findings };
  };
  const dangling = (findings: LocatedFinding[]): LocatedFinding[] => findings.filter((f) => f.rule === 'dangling-config-reference');

  before(async () => {
    dir = temporaryDirectory('rg-check-cluster-');
    standIn = await startStandIn({
      seed: [CLUSTER],
      users: {
        admin: { name: 'admin', rules: [{ verbs: '*', resources: '*' }] },
        // May read everything in shop but Secrets.
        noSecrets: { name: 'no-secrets', rules: [{ verbs: '*', resources: ['configmaps', 'serviceaccounts', 'persistentvolumeclaims'] }] },
      },
    });
    kubeconfig = standIn.writeKubeconfig(dir, { token: 'admin', context: 'prod-eu' });
    standIn.writeKubeconfig(dir, { token: 'noSecrets', context: 'reader', fileName: 'reader' });
  });
  after(async () => {
    await standIn.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every reference kind present in the workspace or the cluster: no finding; one SSAR and one list per kind and namespace', async () => {
    standIn.requests.length = 0;
    const run = await check(deployment(), '--cluster', '--kubeconfig', kubeconfig);
    assert.deepEqual(dangling(run.findings), []);
    assert.equal(run.stderr, '');
    const reviews = standIn.requests.filter((r) => r.path.endsWith('/selfsubjectaccessreviews'));
    const lists = standIn.requests.filter((r) => r.method === 'GET' && /\/namespaces\/[^/]+\/[a-z]+$/.test(r.path));
    // Secrets (shop, istio-system), ConfigMaps, ServiceAccounts, PVCs (shop): repo-config is in the workspace.
    assert.deepEqual(lists.map((r) => r.path).sort(), [
      '/api/v1/namespaces/istio-system/secrets',
      '/api/v1/namespaces/shop/configmaps',
      '/api/v1/namespaces/shop/persistentvolumeclaims',
      '/api/v1/namespaces/shop/secrets',
      '/api/v1/namespaces/shop/serviceaccounts',
    ]);
    assert.equal(reviews.length, lists.length);
  });

  it('a key missing from a cluster Secret: found with --cluster (saying where it looked), silent without', async () => {
    const manifest = deployment({ key: 'stripe' });
    const without = await check(manifest);
    // Without a cluster, only the ConfigMap kept in the cluster is missing: the repository keeps no Secrets.
    assert.deepEqual(
      dangling(without.findings).map((f) => f.message.split(',')[0]),
      ['Deployment checkout uses ConfigMap cluster-config'],
    );
    const run = await check(manifest, '--cluster', '--kubeconfig', kubeconfig);
    assert.equal(run.code, 1);
    const [finding, ...rest] = dangling(run.findings);
    assert.equal(rest.length, 0);
    assert.equal(finding!.line, 16);
    assert.equal(finding!.column, 73);
    assert.match(finding!.message, /not in the workspace, and Secret checkout-secrets in cluster prod-eu\/shop has no key `stripe` \(it has: stripe-key\)/);
  });

  it('a missing Secret (envFrom), ServiceAccount, PVC and pull secret: one finding each on the name', async () => {
    const run = await check(deployment({ secret: 'gone', account: 'robot', claim: 'data', pull: 'private-registry' }), '--cluster', '--kubeconfig', kubeconfig);
    const found = dangling(run.findings).map((f) => `${f.line}:${f.column} ${/uses (\w+ [\w-]+)/.exec(f.message)?.[1]}`);
    assert.deepEqual(found, ['9:27 ServiceAccount robot', '10:34 Secret private-registry', '24:34 Secret gone', '28:47 PersistentVolumeClaim data']);
    assert.match(dangling(run.findings)[2]!.message, /not in the workspace, nor in cluster prod-eu\/shop/);
  });

  it('an Ingress TLS secret and a Gateway credential missing everywhere: found, naming the namespaces looked in', async () => {
    const manifest = `${deployment()}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: shop, namespace: shop }
spec:
  tls: [{ hosts: [shop.example.com], secretName: shop-ingress-tls }]
  rules: []
`.replace('credentialName: shop-tls', 'credentialName: gone-tls');
    const found = dangling((await check(manifest, '--cluster', '--kubeconfig', kubeconfig)).findings).map((f) => f.message.split(':').slice(0, 2).join(':'));
    assert.deepEqual(found, [
      'Gateway shop uses Secret gone-tls: not in the workspace, nor in cluster prod-eu/shop or cluster prod-eu/istio-system',
      'Ingress shop uses Secret shop-ingress-tls: not in the workspace, nor in cluster prod-eu/shop',
    ]);
  });

  it('Secrets the change itself produces (ExternalSecret, SealedSecret, kustomize secretGenerator) count as present (the keys of a generated Secret are checked in the workspace)', async () => {
    const k8s = path.join(dir, 'produced');
    fs.mkdirSync(k8s, { recursive: true });
    const workload = (secret: string, key: string): string => deployment({ secret, key }).replace('name: checkout-secrets, key', `name: ${secret}, key`);
    fs.writeFileSync(
      path.join(k8s, 'external.yaml'),
      `${workload('from-vault', 'token')}---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: { name: from-vault, namespace: shop }
spec: { target: { name: from-vault } }
`,
    );
    fs.mkdirSync(path.join(k8s, 'sealed'));
    fs.writeFileSync(
      path.join(k8s, 'sealed', 'sealed.yaml'),
      `${workload('sealed', 'token').replace('name: checkout,', 'name: checkout-sealed,')}---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: { name: sealed, namespace: shop }
spec: { encryptedData: { token: AgBy3i4OJSWK+PiTySYZZA== } }
`,
    );
    fs.mkdirSync(path.join(k8s, 'generated'));
    fs.writeFileSync(
      path.join(k8s, 'generated', 'deployment.yaml'),
      workload('generated', 'nokey').replace('name: checkout,', 'name: checkout-generated,').split('---')[0]!,
    );
    fs.writeFileSync(
      path.join(k8s, 'generated', 'kustomization.yaml'),
      'resources: [deployment.yaml]\nsecretGenerator:\n  - name: generated\n    namespace: shop\n    literals: [token=abc]\n',
    );
    const run = await cliIsolated(['check', k8s, '--format', 'json', '--cluster', '--kubeconfig', kubeconfig], dir);
    const findings = dangling((JSON.parse(run.stdout) as { findings: LocatedFinding[] }).findings);
    const produced = findings.filter((f) => /from-vault|sealed|generated/.test(f.message));
    assert.equal(produced.length, 1, JSON.stringify(produced));
    // The generator's Secret is read for its keys, and named as its generator names it (without the hash suffix).
    assert.match(produced[0]!.message, /^Deployment checkout-generated reads key `nokey` of Secret generated, which has no such key \(it has: token\)/);
  });

  it('optional references are never reported, even when absent everywhere', async () => {
    const run = await check(deployment(), '--cluster', '--kubeconfig', kubeconfig);
    assert.ok(!run.stdout.includes('nowhere'));
  });

  it('Secrets the user may not list: one info finding for the namespace, never "missing"', async () => {
    const reader = path.join(dir, 'reader');
    const run = await check(deployment({ key: 'stripe', secret: 'gone' }), '--cluster', '--kubeconfig', reader);
    const found = dangling(run.findings);
    const notices = found.filter((f) => f.severity === 'info');
    assert.equal(found.length - notices.length, 0, JSON.stringify(found));
    assert.deepEqual(
      notices.map((f) => f.message.split(':')[0]),
      ['cannot check Secrets in shop (cluster reader/shop)', 'cannot check Secrets in istio-system (cluster reader/istio-system)'],
    );
  });

  it('an unreachable cluster: exit 2 naming the server and the cause', async () => {
    const gone = await startStandIn();
    const goneConfig = gone.writeKubeconfig(dir, { fileName: 'gone' });
    const url = gone.url;
    await gone.stop();
    const run = await check(deployment(), '--cluster', '--kubeconfig', goneConfig);
    assert.equal(run.code, 2);
    assert.ok(run.stderr.includes(url), run.stderr);
    assert.match(run.stderr, /ECONNREFUSED/);
    assert.equal(run.stdout, '');
  });

  it('cluster options without --cluster are a usage error', async () => {
    const run = await cliIsolated(['check', '.', '--kubeconfig', kubeconfig], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--kubeconfig is for --cluster/);
  });

  it('2,000 workloads in one namespace: still one list per kind, in a few seconds', async () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      deployment().split('---')[0]!.replace('name: checkout, namespace', `name: checkout-${i}, namespace`),
    ).join('---\n');
    standIn.requests.length = 0;
    const started = Date.now();
    const run = await check(many, '--cluster', '--kubeconfig', kubeconfig);
    const seconds = (Date.now() - started) / 1000;
    assert.deepEqual(dangling(run.findings).length, 2000, 'repo-config is not in this workspace: one finding per Deployment');
    assert.equal(standIn.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/secrets')).length, 1);
    assert.ok(seconds < 20, `took ${seconds} s`);
  });

  it('missing-env: envFrom of a Secret only the cluster holds provides its keys (with the prefix); one it lacks is found only with --cluster', async () => {
    standIn.seed(`apiVersion: v1\nkind: Secret\nmetadata: { name: api-secrets, namespace: shop }\ndata: { TOKEN: ${b64(SECRET_VALUE)} }\n`);
    const project = path.join(dir, 'env-project');
    fs.mkdirSync(path.join(project, 'src'), { recursive: true });
    fs.mkdirSync(path.join(project, 'k8s'), { recursive: true });
    fs.mkdirSync(path.join(project, '.git'), { recursive: true });
    fs.writeFileSync(path.join(project, '.rollout-guard.yaml'), 'workloads:\n  - { kind: Deployment, namespace: shop, name: api, source: src }\n');
    fs.writeFileSync(
      path.join(project, 'k8s/api.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api, namespace: shop }\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: shop/api:1.0\n          envFrom: [{ secretRef: { name: api-secrets }, prefix: PAY_ }]\n',
    );
    fs.writeFileSync(path.join(project, 'src/main.ts'), 'const token = process.env.PAY_TOKEN;\nconst other = process.env.PAY_OTHER;\n');
    const envFindings = (run: Run): string[] =>
      (JSON.parse(run.stdout) as { findings: LocatedFinding[] }).findings.filter((f) => f.rule === 'missing-env').map((f) => `${f.file}:${f.line}`);
    // Without a cluster the Secret's keys are unknown: nothing is missing.
    assert.deepEqual(envFindings(await cliIsolated(['check', '.', '--format', 'json'], project)), []);
    const run = await cliIsolated(['check', '.', '--format', 'json', '--cluster', '--kubeconfig', kubeconfig], project);
    assert.deepEqual(envFindings(run), ['src/main.ts:2']);
    assert.ok(!run.stdout.includes(SECRET_VALUE) && !run.stdout.includes(b64(SECRET_VALUE)));
  });

  it('--dry-run-server: what the API server refuses becomes a finding on the object; nothing is written', async () => {
    standIn.seed(deployment().split('---')[0]!);
    const before = standIn.events.length;
    const changedSelector = deployment()
      .replace('matchLabels: { app: checkout }', 'matchLabels: { app: checkout-v2 }')
      .replace('labels: { app: checkout }', 'labels: { app: checkout-v2 }');
    const run = await check(changedSelector, '--cluster', '--kubeconfig', kubeconfig, '--dry-run-server');
    const refused = run.findings.filter((f) => f.rule === 'server-dry-run');
    assert.equal(refused.length, 1, JSON.stringify(run.findings));
    assert.equal(refused[0]!.line, 3);
    assert.match(refused[0]!.message, /Deployment checkout: .*422.*spec\.selector: .*field is immutable/);
    assert.equal(standIn.events.length, before, 'a dry run stored something');
    assert.ok(
      standIn.requests.some(
        (r) => r.method === 'PATCH' && r.query.dryRun === 'All' && r.query.fieldManager === 'rollout-guard' && r.contentType === 'application/apply-patch+yaml',
      ),
    );
  });

  it('--dry-run-server: admission and quota refusals are findings too', async () => {
    const strict = await startStandIn({
      seed: [CLUSTER],
      admission: (o) => (o.kind === 'Gateway' ? 'Gateways need the platform team label' : undefined),
      quotas: [{ namespace: 'shop', kind: 'ConfigMap', max: 1 }],
    });
    try {
      const config = strict.writeKubeconfig(dir, { fileName: 'strict', context: 'strict' });
      const run = await check(deployment(), '--cluster', '--kubeconfig', config, '--dry-run-server');
      const refused = run.findings.filter((f) => f.rule === 'server-dry-run').map((f) => f.message.replace(/^The API server \(strict\) would refuse /, ''));
      assert.equal(refused.length, 2, JSON.stringify(refused));
      assert.match(
        refused[0]!,
        /^ConfigMap repo-config: .*exceeded quota: stand-in-quota, requested: count\/configmaps=1, used: count\/configmaps=1, limited: count\/configmaps=1/,
      );
      assert.match(refused[1]!, /^Gateway shop: .*admission webhook "policy\.stand-in\.local" denied the request: Gateways need the platform team label/);
    } finally {
      await strict.stop();
    }
  });

  it('--dry-run-server without permission to patch: one info note per kind and namespace, no errors', async () => {
    const reader = path.join(dir, 'reader');
    const two = `${deployment()}---\n${deployment().split('---')[0]!.replace('name: checkout,', 'name: checkout-2,')}`;
    const run = await check(two, '--cluster', '--kubeconfig', reader, '--dry-run-server');
    const dry = run.findings.filter((f) => f.rule === 'server-dry-run');
    assert.deepEqual(
      dry.map((f) => `${f.severity} ${f.message.split(':')[0]}`),
      ['info cannot dry-run Deployment objects in shop on reader', 'info cannot dry-run Gateway objects in shop on reader'],
    );
  });

  it('a server without access reviews or PVCs: the lists decide (a 403 or 404 is "cannot check", a key still missing)', async () => {
    const minimal = await startStandIn({
      seed: [CLUSTER.replace(/---\napiVersion: v1\nkind: PersistentVolumeClaim[^]*?(?=---)/, '')],
      accessReviews: false,
      omitKinds: ['PersistentVolumeClaim'],
      users: { t: { name: 'no-secrets', rules: [{ verbs: '*', resources: ['configmaps', 'serviceaccounts', 'persistentvolumeclaims'] }] } },
    });
    try {
      const config = minimal.writeKubeconfig(dir, { token: 't', context: 'minimal', fileName: 'minimal' });
      const manifest = deployment().replace('key: LOG_LEVEL', 'key: LEVEL');
      const run = await check(manifest, '--cluster', '--kubeconfig', config);
      assert.equal(run.code, 1, run.stderr);
      assert.deepEqual(
        dangling(run.findings).map((f) => `${f.severity} ${f.message.split(':')[0]}`),
        [
          'info cannot check Secrets in shop (cluster minimal/shop)',
          'error Deployment checkout reads key `LEVEL` of ConfigMap cluster-config',
          'info cannot check PersistentVolumeClaims in shop (cluster minimal/shop)',
          'info cannot check Secrets in istio-system (cluster minimal/istio-system)',
        ],
      );
      assert.match(
        run.findings.find((f) => f.message.includes('PersistentVolumeClaims'))!.message,
        /this API server does not serve persistentvolumeclaims \(404\)/,
      );
      assert.ok(minimal.requests.some((r) => r.path.endsWith('/selfsubjectaccessreviews') && r.status === 404));
    } finally {
      await minimal.stop();
    }
  });
});
