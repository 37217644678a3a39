/**
 * flagd beyond the JSON file: what a flag evaluates to (flagd's own evaluator,
 * @openfeature/flagd-core) in the hover, YAML definitions and the file's own layout kept on edits,
 * and the OpenFeature Operator's FeatureFlag resource read and written through the Kubernetes API
 * (the stand-in, with its 409 on a stale resourceVersion).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { FlagdCore } from '@openfeature/flagd-core';
import type { Hover } from 'vscode-languageserver-protocol';
import { ClusterClient } from '../operations/cluster';
import { evaluateFlagd, flagProvider, FlagdProvider, loadFlagSettings, readFlagSnapshot } from '../operations/flags';
import { hoverFlag } from '../server/src/engine';
import { startStandIn, type KubernetesStandIn } from '../simulators/k8s-stand-in';
import { TestLspClient } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';
import { cli } from './helpers/cli';

const FLAGS = {
  'payment-new-flow': {
    state: 'ENABLED',
    variants: { on: true, off: false },
    defaultVariant: 'off',
    targeting: {
      fractional: [
        ['on', 25],
        ['off', 75],
      ],
    },
  },
  'dark-mode': { state: 'DISABLED', variants: { yes: true, no: false }, defaultVariant: 'yes' },
  'old-banner': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
  'no-default': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: null },
};

describe('flagd evaluation (@openfeature/flagd-core)', () => {
  it('evaluates each flag with an empty context and reads the fractional split, which flagd buckets that way', async () => {
    const evaluations = await evaluateFlagd({ flags: FLAGS });
    assert.deepEqual(evaluations.get('old-banner'), { reason: 'STATIC', variant: 'on', value: 'true' });
    assert.deepEqual(evaluations.get('dark-mode'), { reason: 'DISABLED' });
    assert.deepEqual(evaluations.get('no-default'), { reason: 'DEFAULT' });
    // Without a targetingKey the fractional rule does not apply: the default variant is served.
    assert.deepEqual(evaluations.get('payment-new-flow'), {
      reason: 'DEFAULT',
      variant: 'off',
      value: 'false',
      split: [
        { variant: 'on', value: 'true', percent: 25 },
        { variant: 'off', value: 'false', percent: 75 },
      ],
    });
    // The split as flagd serves it: over 1,000 targetingKeys about a quarter get the on variant.
    const core = new FlagdCore();
    core.setConfigurations(JSON.stringify({ flags: FLAGS }));
    let on = 0;
    for (let i = 0; i < 1000; i++) if (core.resolveBooleanEvaluation('payment-new-flow', false, { targetingKey: `user-${i}` }).value) on++;
    assert.ok(on > 220 && on < 280, `${on} of 1,000 targetingKeys got the on variant`);
  });

  it('shows it in the hover of a flag read: evaluated where the definitions are read, sent to the language server as data', async () => {
    const dir = temporaryDirectory('rg-flagd-eval-');
    fs.writeFileSync(path.join(dir, 'flags.flagd.json'), JSON.stringify({ flags: FLAGS }));
    const configPath = path.join(dir, '.rollout-guard.yaml');
    fs.writeFileSync(configPath, 'flags:\n  provider: flagd\n  file: flags.flagd.json\n  environment: production\n');
    const text = "const pay = await client.getBooleanValue('payment-new-flow', false);\n";
    fs.writeFileSync(path.join(dir, 'pay.ts'), text);
    // What the VS Code client does: read the definitions, send the snapshot.
    const settings = loadFlagSettings({ cwd: dir });
    const answer = await readFlagSnapshot(flagProvider(settings, undefined), settings);
    assert.ok('snapshot' in answer, JSON.stringify(answer));
    assert.equal(
      hoverFlag(text, text.indexOf('payment'), answer.snapshot)!.contents.split('\n\n')[2],
      'With an empty context it evaluates to `false` (variant off, DEFAULT). Fractional split: on (`true`) for 25 %, off (`false`) for 75 % of targetingKeys.',
    );

    const client = new TestLspClient();
    try {
      await client.initialize(pathToFileURL(dir).href);
      const uri = pathToFileURL(path.join(dir, 'pay.ts')).href;
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
      await client.connection.sendNotification('rolloutGuard/flags', { configPath, snapshot: answer.snapshot });
      const hover = (await client.connection.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: { line: 0, character: text.indexOf('payment') + 2 },
      })) as Hover;
      const value = (hover.contents as { value: string }).value;
      assert.match(value, /^\*\*payment-new-flow\*\* \(openfeature `getBooleanValue`\)\n\n\| environment \| state \|\n\|---\|---\|\n\| production \| 25 % \|/);
      assert.match(
        value,
        /\n\nWith an empty context it evaluates to `false` \(variant off, DEFAULT\)\. Fractional split: on \(`true`\) for 25 %, off \(`false`\) for 75 % of targetingKeys\.\n\n/,
      );
    } finally {
      await client.stop();
    }
  });
});

describe('flagd definition files keep their layout', () => {
  it('edits a YAML definition in place, comments and order kept; a percentage reads back as written', async () => {
    const dir = temporaryDirectory('rg-flagd-yaml-');
    const file = path.join(dir, 'flags.flagd.yaml');
    const yaml = [
      '# reviewed by the payments team',
      'flags:',
      '  payment-new-flow:',
      '    state: ENABLED # kill switch',
      '    variants:',
      '      on: true',
      '      off: false',
      '    defaultVariant: off',
      '',
    ].join('\n');
    fs.writeFileSync(file, yaml);
    const provider = new FlagdProvider({ file, environment: 'production' });
    assert.deepEqual(await provider.status('payment-new-flow', 'production'), {
      key: 'payment-new-flow',
      environment: 'production',
      enabled: true,
      percent: 0,
      stale: false,
    });
    // 29 % and not 28: (29 / 100) * 100 is 28.999… in floating point.
    assert.equal((await provider.setPercent('payment-new-flow', 'production', 29)).percent, 29);
    await provider.setEnabled('payment-new-flow', 'production', false);
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      [
        '# reviewed by the payments team',
        'flags:',
        '  payment-new-flow:',
        '    state: DISABLED # kill switch',
        '    variants:',
        '      on: true',
        '      off: false',
        '    defaultVariant: off',
        '    targeting:',
        '      fractional:',
        '        - [ on, 29 ]',
        '        - [ off, 71 ]',
        '',
      ].join('\n'),
    );
  });

  it('writes a JSON definition back with its own indentation, and an empty targeting counts as none', async () => {
    const dir = temporaryDirectory('rg-flagd-json-');
    const file = path.join(dir, 'flags.flagd.json');
    const flags = { 'payment-new-flow': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: {} } };
    fs.writeFileSync(file, JSON.stringify({ flags }, null, 4));
    await new FlagdProvider({ file, environment: 'production' }).setPercent('payment-new-flow', 'production', 100);
    const expected = { flags: { 'payment-new-flow': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } } };
    assert.equal(fs.readFileSync(file, 'utf8'), JSON.stringify(expected, null, 4));
  });
});

describe('the FeatureFlag resource (core.openfeature.dev/v1beta1) through the Kubernetes API', () => {
  let standIn: KubernetesStandIn;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    standIn = await startStandIn({ openFeatureOperator: true });
    standIn.put(
      {
        apiVersion: 'core.openfeature.dev/v1beta1',
        kind: 'FeatureFlag',
        metadata: { name: 'payment-flags' },
        spec: { flagSpec: { flags: { 'payment-new-flow': FLAGS['payment-new-flow'], 'dark-mode': FLAGS['dark-mode'] } } },
      },
      'shop',
    );
    dir = temporaryDirectory('rg-featureflag-');
    env = { KUBECONFIG: standIn.writeKubeconfig(dir, { context: 'prod' }) };
    fs.writeFileSync(path.join(dir, '.rollout-guard.yaml'), 'flags:\n  provider: flagd\n  featureFlag: shop/payment-flags\n  environment: production\n');
  });
  after(() => standIn.stop());

  const flagSpec = () =>
    (standIn.object('FeatureFlag', 'shop', 'payment-flags')!.spec as { flagSpec: { flags: Record<string, Record<string, unknown>> } }).flagSpec;

  it('lists and reads the flags of spec.flagSpec', async () => {
    const status = await cli(['flag', 'status', 'payment-new-flow', '--format', 'json'], dir, env);
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout), { key: 'payment-new-flow', environment: 'production', enabled: true, percent: 25, stale: false });
    const list = await cli(['flag', 'list'], dir, env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /dark-mode\s+off/);
  });

  it('reads the resource once for a snapshot, evaluated like a file', async () => {
    const before = standIn.requests.length;
    const settings = loadFlagSettings({ cwd: dir });
    const answer = await readFlagSnapshot(flagProvider(settings, undefined, { cluster: async () => ClusterClient.fromKubeconfig({ env }) }), settings);
    assert.ok('snapshot' in answer, JSON.stringify(answer));
    assert.equal(answer.snapshot.service, 'FeatureFlag shop/payment-flags');
    assert.deepEqual(answer.snapshot.flags.find((f) => f.key === 'payment-new-flow')?.evaluation?.split?.[0], { variant: 'on', value: 'true', percent: 25 });
    assert.deepEqual(
      standIn.requests.slice(before).map((r) => `${r.method} ${r.path}`),
      ['GET /apis', 'GET /apis/core.openfeature.dev/v1beta1', 'GET /apis/core.openfeature.dev/v1beta1/namespaces/shop/featureflags/payment-flags'],
    );
  });

  it('check reads the flags of the resource for the flag reads of TS/JS', async () => {
    fs.writeFileSync(path.join(dir, 'pay.ts'), "const on = await client.getBooleanValue('payment-new-flwo', false);\n");
    const run = await cli(['check', 'pay.ts', '--format', 'json'], dir, env);
    assert.equal(run.stderr, '');
    assert.deepEqual(
      (JSON.parse(run.stdout) as { findings: { rule: string; message: string }[] }).findings.map((f) => f.rule),
      ['unknown-flag'],
    );
  });

  it('writes a merge patch of the changed keys carrying the resourceVersion, and computes again after a 409', async () => {
    standIn.conflictNextWrites('FeatureFlag', 'shop', 'payment-flags', 1);
    const before = standIn.requests.length;
    const set = await cli(['flag', 'set', 'payment-new-flow', '--percent', '100'], dir, env);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'payment-new-flow in production: on, 100 % (was on, 25 %)\n');
    assert.deepEqual(flagSpec().flags['payment-new-flow'], { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' });
    assert.deepEqual(flagSpec().flags['dark-mode'], FLAGS['dark-mode'], 'the other flags stay');
    const patches = standIn.requests.slice(before).filter((r) => r.method === 'PATCH');
    assert.deepEqual(
      patches.map((p) => [p.status, p.contentType]),
      [
        [409, 'application/merge-patch+json'],
        [200, 'application/merge-patch+json'],
      ],
    );
    assert.deepEqual((patches[1]!.body as { spec: unknown }).spec, { flagSpec: { flags: { 'payment-new-flow': { defaultVariant: 'on', targeting: null } } } });
    assert.match((patches[1]!.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, /^\d+$/);

    const off = await cli(['flag', 'off', 'payment-new-flow'], dir, env);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(flagSpec().flags['payment-new-flow']!.state, 'DISABLED');
  });

  it('names the resource when it is missing or the CRD is not installed', async () => {
    fs.writeFileSync(path.join(dir, 'missing.yaml'), 'flags:\n  provider: flagd\n  featureFlag: shop/nope\n  environment: production\n');
    const missing = await cli(['flag', 'list', '--config', 'missing.yaml'], dir, env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /the FeatureFlag shop\/nope: .*not found/);
    const bare = await startStandIn();
    try {
      const bareEnv = { KUBECONFIG: bare.writeKubeconfig(dir, { fileName: 'bare' }) };
      const uninstalled = await cli(['flag', 'list'], dir, bareEnv);
      assert.equal(uninstalled.code, 2);
      assert.match(uninstalled.stderr, /does not serve featureflags\.core\.openfeature\.dev \(is its CRD installed\?\)/);
    } finally {
      await bare.stop();
    }
  });
});
