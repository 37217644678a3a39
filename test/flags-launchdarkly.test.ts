/**
 * The LaunchDarkly provider and `rollout-guard flag` with `provider: launchdarkly`, against the
 * stand-in in simulators/launchdarkly.ts: no LaunchDarkly server runs outside their cloud, so the
 * stand-in follows LaunchDarkly's documented REST API v2 (flag list pages, per-environment
 * targeting, semantic patch with turnFlagOn / turnFlagOff / updateFallthroughVariationOrRollout,
 * {code, message} errors) and refuses anything else, so a request Rollout Guard shaped wrongly fails
 * here as it would there.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FlagServiceError, LaunchDarklyProvider } from '../operations/flags';
import { startLaunchDarklyStandIn, type LaunchDarklyStandIn } from '../simulators/launchdarkly';
import { temporaryDirectory } from '../simulators/temp';
import { cli } from './helpers/cli';

describe('LaunchDarkly (REST API v2 stand-in)', () => {
  let ld: LaunchDarklyStandIn;
  let dir: string;
  const provider = (token = ld.token) => new LaunchDarklyProvider({ url: ld.url, token, project: 'default' });
  const flag = (args: string[], token = ld.token) => cli(['flag', ...args], dir, { ROLLOUT_GUARD_FLAGS_TOKEN: token });

  before(async () => {
    ld = await startLaunchDarklyStandIn();
    dir = temporaryDirectory('rg-ld-');
    fs.writeFileSync(path.join(dir, '.rollout-guard.yaml'), `flags:\n  provider: launchdarkly\n  url: ${ld.url}\n  environment: production\n`);
    ld.addFlag('payment-new-flow');
    ld.addFlag('old-banner', { deprecated: true });
    ld.addFlag('theme', { variations: ['light', 'dark', 'auto'] });
  });
  after(() => ld?.stop());

  it('status: off until turned on; on serves the true variation to everyone; a deprecated flag is stale', async () => {
    assert.deepEqual(await provider().status('payment-new-flow', 'production'), {
      key: 'payment-new-flow',
      environment: 'production',
      enabled: false,
      percent: 100,
      stale: false,
    });
    assert.equal((await provider().status('old-banner', 'test')).stale, true);
  });

  it('flag on, set --percent and off through semantic patches; the percentage is the default rule rollout', async () => {
    const on = await flag(['on', 'payment-new-flow', '--format', 'json']);
    assert.equal(on.code, 0, on.stderr);
    assert.deepEqual(JSON.parse(on.stdout), { key: 'payment-new-flow', environment: 'production', enabled: true, percent: 100, stale: false });

    const set = await flag(['set', 'payment-new-flow', '--percent', '30']);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'payment-new-flow in production: on, 30 % (was on, 100 %)\n');
    const stored = ld.flag('payment-new-flow')!;
    const [yes, no] = stored.variations;
    assert.deepEqual(stored.environments.production!.fallthrough, {
      rollout: {
        variations: [
          { variation: 0, weight: 30_000 },
          { variation: 1, weight: 70_000 },
        ],
      },
    });
    assert.equal(stored.environments.test!.on, false, 'other environments untouched');

    assert.equal((await flag(['set', 'payment-new-flow', '--percent', '100'])).code, 0);
    assert.deepEqual(stored.environments.production!.fallthrough, { variation: 0 });
    const off = await flag(['off', 'payment-new-flow']);
    assert.equal(off.stdout, 'payment-new-flow in production: off, 100 % (was on, 100 %)\n');
    assert.equal(stored.environments.production!.on, false);

    const patches = ld.requests.filter((r) => r.method === 'PATCH');
    assert.ok(patches.length === 4 && patches.every((r) => r.contentType === 'application/json; domain-model=launchdarkly.semanticpatch'));
    assert.ok(yes!.value === true && no!.value === false);
  });

  it('list pages through every flag (the API gives at most 100 a page)', async () => {
    for (let i = 0; i < 120; i++) ld.addFlag(`bulk-${String(i).padStart(3, '0')}`);
    const list = await flag(['list', '--format', 'json']);
    assert.equal(list.code, 0, list.stderr);
    const flags = (JSON.parse(list.stdout) as { flags: { key: string }[] }).flags;
    assert.equal(flags.length, 123);
    assert.ok(ld.requests.some((r) => /offset=100/.test(r.path)));
  });

  it('refusals and errors: a flag of three variations, unknown flag and environment, wrong token, rate limit', async () => {
    const three = await flag(['set', 'theme', '--percent', '50']);
    assert.equal(three.code, 1);
    assert.match(three.stderr, /flag "theme" has 3 variations: a percentage splits a flag of two variations/);
    const unknown = await flag(['status', 'nope']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, `rollout-guard: the flag service at ${ld.url}/api/v2 has no flag "nope" in project "default"\n`);
    const environment = await flag(['status', 'payment-new-flow', '--environment', 'staging']);
    assert.equal(environment.code, 2);
    assert.match(environment.stderr, /has no environment "staging" for flag "payment-new-flow" in project "default" \(its environments: production, test\)/);
    const wrong = await flag(['status', 'payment-new-flow'], 'api-wrong-token-value');
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stderr, `rollout-guard: the flag service at ${ld.url}/api/v2 rejected the token (HTTP 401); check ROLLOUT_GUARD_FLAGS_TOKEN\n`);
    assert.ok(!wrong.stderr.includes('api-wrong-token-value'));
    ld.failNext(429);
    await assert.rejects(provider().status('payment-new-flow', 'production'), (error: FlagServiceError) => {
      assert.equal(error.kind, 'server');
      assert.equal(error.message, `the flag service at ${ld.url}/api/v2 failed (HTTP 429: Rate limited); try again later`);
      return true;
    });
  });
});
