import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintCodeFile, type LocatedCodeFinding } from '../../../../../test/helpers/code';
import { loadParser, type WorkloadMapping } from '../../index';

const CHECKOUT: WorkloadMapping = { kind: 'Deployment', namespace: 'shop', name: 'checkout-v2', source: ['src/checkout'] };

const deployment = (...containerLines: string[]): string =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: { name: checkout-v2, namespace: shop }',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: app',
    '          image: shop/checkout:2',
    ...containerLines.map((line) => `          ${line}`),
  ].join('\n');

const configMap = (name: string, ...keys: string[]): string =>
  ['apiVersion: v1', 'kind: ConfigMap', `metadata: { name: ${name}, namespace: shop }`, 'data:', ...keys.map((k) => `  ${k}: x`)].join('\n');

/** missing-env and unknown-workload findings of `file`. */
const check = (files: Record<string, string>, file: string, workloads: WorkloadMapping[] = [CHECKOUT]): LocatedCodeFinding[] =>
  lintCodeFile(files, file, workloads).filter((f) => f.rule === 'missing-env' || f.rule === 'unknown-workload');

const ats = (found: { at: string }[]): string[] => found.map((f) => f.at);

describe('missing-env', () => {
  it('ok: every read is set by env or by an envFrom ConfigMap key (with its prefix), has a fallback, or is filled in at build time', () => {
    const files = {
      '/repo/k8s/deploy.yaml': deployment(
        'env:',
        '  - { name: PAYMENTS_URL, value: http://payments }',
        'envFrom:',
        '  - configMapRef: { name: checkout-config }',
        '  - prefix: STRIPE_',
        '    secretRef: { name: stripe }',
      ),
      '/repo/k8s/config.yaml': configMap('checkout-config', 'LOG_LEVEL'),
      '/repo/k8s/secret.yaml': ['apiVersion: v1', 'kind: Secret', 'metadata: { name: stripe, namespace: shop }', 'stringData:', '  KEY: x'].join('\n'),
      '/repo/src/checkout/server.ts': [
        'const payments = process.env.PAYMENTS_URL;',
        "const level = process.env['LOG_LEVEL'];",
        'const { STRIPE_KEY } = process.env;',
        "const port = process.env.PORT ?? '8080';",
        'const api = process.env.NEXT_PUBLIC_API_URL; // filled in at build time',
      ].join('\n'),
    };
    assert.deepEqual(ats(check(files, '/repo/src/checkout/server.ts')), []);
  });

  it('err: a read with no fallback that the workload does not set, on the name, related to its env list', () => {
    const files = {
      '/repo/k8s/deploy.yaml': deployment('env:', '  - { name: PAYMENTS_URL, value: http://payments }'),
      '/repo/src/checkout/server.ts': "const payments = process.env.PAYMENTS_URL;\nconst key = process.env['STRIPE_KEY'];\n",
    };
    const found = check(files, '/repo/src/checkout/server.ts');
    assert.deepEqual(ats(found), ['2:25-2:37 error']);
    assert.equal(
      found[0]!.finding.message,
      "STRIPE_KEY is read here with no fallback, and Deployment shop/checkout-v2 does not set STRIPE_KEY (its containers get PAYMENTS_URL): the new pods start without it and fail where the code needs it. Set it in the workload's env (or a ConfigMap/Secret of its envFrom), or give the read a fallback (?? '…').",
    );
    assert.deepEqual(found[0]!.finding.related, [
      {
        file: '/repo/k8s/deploy.yaml',
        start: { line: 9, character: 10 },
        end: { line: 9, character: 13 },
        message: 'Deployment checkout-v2: the environment its containers get',
      },
    ]);
  });

  it('a read checked before use, or inside an if on a variable the workload does not set, is a hint; a read after an alternative only when both are unset', () => {
    const files = {
      '/repo/k8s/deploy.yaml': deployment('env:', '  - { name: PAYMENTS_URL, value: http://payments }'),
      '/repo/src/checkout/server.ts': [
        'if (process.env.SENTRY_DSN) initSentry();',
        'const a = process.env.PAYMENTS_URL || process.env.LEGACY_URL;',
        'const b = process.env.ORDERS_URL || process.env.LEGACY_ORDERS_URL;',
        'if (process.env.ENABLE_TRACING) {',
        '  const collector = process.env.COLLECTOR_ADDR;',
        '}',
      ].join('\n'),
    };
    const found = check(files, '/repo/src/checkout/server.ts');
    assert.deepEqual(ats(found), ['1:17-1:27 hint', '3:49-3:66 error', '4:17-4:31 hint', '5:33-5:47 hint']);
    assert.match(
      found[3]!.finding.message,
      /The code reads it only when ENABLE_TRACING is set, which the workload does not set either: needed once it does\.$/,
    );
    assert.match(
      found[1]!.finding.message,
      /^LEGACY_ORDERS_URL is read here with no fallback, and Deployment shop\/checkout-v2 sets none of ORDERS_URL, LEGACY_ORDERS_URL /,
    );
  });

  it('an envFrom source the workspace does not hold, or whose keys it cannot know, is unknown: no finding', () => {
    const files = {
      '/repo/k8s/deploy.yaml': deployment('envFrom:', '  - secretRef: { name: from-vault }'),
      '/repo/src/checkout/server.ts': 'const key = process.env.STRIPE_KEY;',
    };
    assert.deepEqual(ats(check(files, '/repo/src/checkout/server.ts')), []);
  });

  it('helper calls with a constant, the helper imported from the sources; not a helper outside them, not a variable argument', () => {
    const files = {
      '/repo/k8s/deploy.yaml': deployment('env:', '  - { name: PAYMENTS_URL, value: http://payments }'),
      '/repo/src/checkout/env.ts':
        'export function requireEnv(name: string): string {\n  const v = process.env[name];\n  if (!v) throw new Error(name);\n  return v;\n}',
      '/repo/lib/env.ts': 'export const need = (name) => process.env[name];',
      '/repo/src/checkout/server.ts': [
        "import { requireEnv } from './env';",
        "import { need } from '../../lib/env';",
        "requireEnv('PAYMENTS_URL');",
        "requireEnv('ORDERS_URL');",
        'requireEnv(name);',
        "need('INVENTORY_URL');",
      ].join('\n'),
    };
    const found = check(files, '/repo/src/checkout/server.ts');
    assert.deepEqual(ats(found), ['4:12-4:24 error']);
    assert.match(found[0]!.finding.message, /^requireEnv\(…\) reads ORDERS_URL with no fallback/);
  });

  it('generated ConfigMaps of the deploy unit count, with their literals; a copy in each overlay is checked', () => {
    const files = {
      '/repo/deploy/base/kustomization.yaml': 'resources: [deploy.yaml]\nconfigMapGenerator:\n  - name: checkout-config\n    literals: [LOG_LEVEL=info]\n',
      '/repo/deploy/base/deploy.yaml': deployment('envFrom:', '  - configMapRef: { name: checkout-config }'),
      '/repo/deploy/prod/kustomization.yaml':
        'resources: [../base]\nconfigMapGenerator:\n  - name: checkout-config\n    behavior: merge\n    literals: [PAYMENTS_URL=http://payments]\n',
      '/repo/deploy/dev/kustomization.yaml': 'resources: [../base]\n',
      '/repo/src/checkout/server.ts': 'const level = process.env.LOG_LEVEL;\nconst payments = process.env.PAYMENTS_URL;',
    };
    const found = check(files, '/repo/src/checkout/server.ts');
    assert.deepEqual(ats(found), ['2:30-2:42 error']);
    assert.match(found[0]!.finding.message, /Deployment shop\/checkout-v2 in dev does not set PAYMENTS_URL .*Other copies of the workload set it\.$/);
  });

  it('an Argo Rollout with a workloadRef runs the referenced Deployment pod template', () => {
    const files = {
      '/repo/k8s/deploy.yaml': deployment('env: [{ name: PAYMENTS_URL, value: x }]'),
      '/repo/k8s/rollout.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Rollout',
        'metadata: { name: checkout, namespace: shop }',
        'spec:',
        '  workloadRef: { apiVersion: apps/v1, kind: Deployment, name: checkout-v2 }',
      ].join('\n'),
      '/repo/src/checkout/main.ts': 'const a = process.env.PAYMENTS_URL;\nconst b = process.env.STRIPE_KEY;',
    };
    const found = check(files, '/repo/src/checkout/main.ts', [{ kind: 'Rollout', namespace: 'shop', name: 'checkout', source: ['src/checkout'] }]);
    assert.deepEqual(ats(found), ['2:23-2:33 error']);
    assert.match(found[0]!.finding.message, /and Rollout shop\/checkout does not set STRIPE_KEY \(its containers get PAYMENTS_URL\)/);
    assert.equal(found[0]!.finding.related?.[0]?.file, '/repo/k8s/deploy.yaml');
  });

  it('// rollout-guard-ignore missing-env silences the next line; one that silences nothing is reported, once', async () => {
    await loadParser(); // the file's SQL is checked too: its side does not report the code rule's ignore
    const files = {
      '/repo/k8s/deploy.yaml': deployment('env: []'),
      '/repo/src/checkout/main.ts': [
        '// rollout-guard-ignore missing-env -- set by the platform at admission',
        'const a = process.env.INJECTED;',
        'const b = process.env.STRIPE_KEY;',
        '/* rollout-guard-ignore missing-env */',
        "await db.query('ALTER TABLE orders RENAME TO purchases');",
      ].join('\n'),
    };
    const found = lintCodeFile(files, '/repo/src/checkout/main.ts', [CHECKOUT]).filter((f) => f.rule !== 'renaming-table');
    assert.deepEqual(
      found.map((f) => `${f.rule} ${f.at}`),
      ['missing-env 3:23-3:33 error', 'unused-ignore 4:25-4:36 info', 'require-lock-timeout 5:17-5:28 warning'],
    );
  });

  it('code outside the sources, tests and build configuration are not checked', () => {
    const read = 'const key = process.env.STRIPE_KEY;';
    const files = {
      '/repo/k8s/deploy.yaml': deployment('env: []'),
      '/repo/src/other/server.ts': read,
      '/repo/src/checkout/server.test.ts': read,
      '/repo/src/checkout/__tests__/server.ts': read,
      '/repo/src/checkout/vite.config.ts': read,
      '/repo/src/checkout/main.ts': read,
    };
    for (const file of [
      '/repo/src/other/server.ts',
      '/repo/src/checkout/server.test.ts',
      '/repo/src/checkout/__tests__/server.ts',
      '/repo/src/checkout/vite.config.ts',
    ])
      assert.deepEqual(ats(check(files, file)), [], file);
    assert.deepEqual(ats(check(files, '/repo/src/checkout/main.ts')), ['1:25-1:35 error']);
    assert.deepEqual(ats(check(files, '/repo/src/checkout/main.ts', [{ ...CHECKOUT, source: ['src/*/main.ts'] }])), ['1:25-1:35 error']);
  });

  it('a workload the workspace does not hold: nothing on the code, a warning on its name in the configuration file', () => {
    const files = {
      '/repo/k8s/deploy.yaml': deployment('env: []'),
      '/repo/src/checkout/main.ts': 'const key = process.env.STRIPE_KEY;',
      '/repo/.rollout-guard.yaml': 'workloads:\n  - { kind: Deployment, namespace: shop, name: checkout-v3, source: src/checkout }\n',
    };
    const missing = [{ ...CHECKOUT, name: 'checkout-v3' }];
    assert.deepEqual(ats(check(files, '/repo/src/checkout/main.ts', missing)), []);
    const found = check(files, '/repo/.rollout-guard.yaml', missing);
    assert.deepEqual(ats(found), ['2:42-2:46 warning']);
    assert.match(found[0]!.finding.message, /^Deployment shop\/checkout-v3 is not among the workspace's manifests/);
  });
});
