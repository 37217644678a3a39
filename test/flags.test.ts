/**
 * `rollout-guard flag …` against a real Unleash 6.10 (npm unleash-server, installed by
 * `npm run setup`) on the embedded PostgreSQL: flags made through its Admin API, driven through
 * the real CLI, changes read back from Unleash. An unknown flag or environment is exit 2 (like a
 * cluster object that does not exist: the command names something that is not there); exit 1 is
 * kept for changes the service cannot make as asked.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../operations/net';
import { startPostgres, type TestPostgres } from '../simulators/postgres';
import { temporaryDirectory } from '../simulators/temp';
import { startUnleash, type TestUnleash } from '../simulators/unleash';
import { runCli } from './helpers/migrations';

interface StrategyJson {
  id: string;
  name: string;
  parameters: Record<string, string>;
}
interface EnvironmentJson {
  enabled: boolean;
  strategies: StrategyJson[];
}

describe('rollout-guard flag against a real Unleash', () => {
  let postgres: TestPostgres;
  let unleash: TestUnleash;
  let dir: string;
  let config: string;

  const env = (): NodeJS.ProcessEnv => ({ ROLLOUT_GUARD_FLAGS_TOKEN: unleash.adminToken });
  const flag = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(['flag', ...args, '--config', config], { ...env(), ...extra });
  const writeConfig = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const inUnleash = async (key: string, environment = 'production'): Promise<EnvironmentJson> =>
    (await unleash.admin('GET', `projects/default/features/${key}/environments/${environment}`)) as EnvironmentJson;
  const addStrategy = (key: string, body: unknown, environment = 'production') =>
    unleash.admin('POST', `projects/default/features/${key}/environments/${environment}/strategies`, body);

  before(async () => {
    postgres = await startPostgres();
    unleash = await startUnleash(postgres);
    dir = temporaryDirectory('rg-flags-');
    config = writeConfig('.rollout-guard.yaml', `flags:\n  provider: unleash\n  url: ${unleash.apiUrl}\n  environment: production\n`);
    // payment-new-flow: never turned on, no strategy. checkout-v2: on at 25 %. old-banner: on everywhere, stale.
    for (const name of ['payment-new-flow', 'checkout-v2', 'old-banner', 'beta-users', 'ramp-me'])
      await unleash.admin('POST', 'projects/default/features', { name });
    await addStrategy('checkout-v2', { name: 'flexibleRollout', parameters: { rollout: '25', stickiness: 'default', groupId: 'checkout-v2' } });
    await unleash.admin('POST', 'projects/default/features/checkout-v2/environments/production/on');
    for (const environment of ['production', 'development']) await unleash.admin('POST', `projects/default/features/old-banner/environments/${environment}/on`);
    await unleash.admin('PATCH', 'projects/default/features/old-banner', [{ op: 'replace', path: '/stale', value: true }]);
    await addStrategy('beta-users', { name: 'userWithId', parameters: { userIds: 'ann,bob' } });
  });
  after(async () => {
    await unleash?.stop();
    await postgres?.stop();
  });

  it('list: every flag of the project in the environment, sorted; text and json', async () => {
    const json = await flag(['list', '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), {
      environment: 'production',
      flags: [
        { key: 'beta-users', environment: 'production', enabled: false, percent: 0, stale: false },
        { key: 'checkout-v2', environment: 'production', enabled: true, percent: 25, stale: false },
        { key: 'old-banner', environment: 'production', enabled: true, percent: 100, stale: true },
        { key: 'payment-new-flow', environment: 'production', enabled: false, percent: 100, stale: false },
        { key: 'ramp-me', environment: 'production', enabled: false, percent: 100, stale: false },
      ],
    });
    const text = await flag(['list', '--environment', 'development']);
    assert.equal(text.code, 0, text.stderr);
    assert.deepEqual(text.stdout.split('\n').slice(0, 5), [
      `5 flags in project default, development (${unleash.apiUrl})`,
      '',
      'FLAG              STATE  PERCENT  STALE',
      'beta-users        off    100 %',
      'checkout-v2       off    100 %',
    ]);
    assert.match(text.stdout, /\nold-banner +on +100 % +stale\n/);
  });

  it('status --format json prints exactly key, environment, enabled, percent, stale', async () => {
    const r = await flag(['status', 'checkout-v2', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '{"key":"checkout-v2","environment":"production","enabled":true,"percent":25,"stale":false}\n');
    const text = await flag(['status', 'old-banner', '--environment', 'development']);
    assert.equal(text.stdout, 'old-banner in development: on, 100 %, marked stale\n');
  });

  it('off and on: the kill switch, reflected in Unleash, the percentage kept', async () => {
    const off = await flag(['off', 'checkout-v2']);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout, 'checkout-v2 in production: off, 25 % (was on, 25 %)\n');
    assert.equal((await inUnleash('checkout-v2')).enabled, false);
    const on = await flag(['on', 'checkout-v2', '--format', 'json']);
    assert.equal(on.code, 0, on.stderr);
    assert.deepEqual(JSON.parse(on.stdout), { key: 'checkout-v2', environment: 'production', enabled: true, percent: 25, stale: false });
    const state = await inUnleash('checkout-v2');
    assert.equal(state.enabled, true);
    assert.deepEqual(
      state.strategies.map((s) => [s.name, s.parameters.rollout]),
      [['flexibleRollout', '25']],
    );
    // Another environment is left alone.
    assert.equal((await inUnleash('checkout-v2', 'development')).enabled, false);
  });

  it('set --percent changes the flexibleRollout strategy in Unleash, and on or off stays', async () => {
    const r = await flag(['set', 'checkout-v2', '--percent', '50']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'checkout-v2 in production: on, 50 % (was on, 25 %)\n');
    const state = await inUnleash('checkout-v2');
    assert.equal(state.enabled, true);
    assert.equal(state.strategies.length, 1);
    assert.deepEqual(state.strategies[0]!.parameters, { rollout: '50', stickiness: 'default', groupId: 'checkout-v2' });
  });

  it('set --percent on a flag without strategies adds a flexibleRollout; turning it on keeps it', async () => {
    const r = await flag(['set', 'ramp-me', '--percent', '10', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { key: 'ramp-me', environment: 'production', enabled: false, percent: 10, stale: false });
    assert.equal((await flag(['on', 'ramp-me'])).stdout, 'ramp-me in production: on, 10 % (was off, 10 %)\n');
    const state = await inUnleash('ramp-me');
    assert.deepEqual(
      state.strategies.map((s) => [s.name, s.parameters.rollout]),
      [['flexibleRollout', '10']],
    );
  });

  it('set --percent is refused (exit 1, nothing written) when other strategies would serve users anyway', async () => {
    const r = await flag(['set', 'beta-users', '--percent', '50']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /flag "beta-users" has no flexibleRollout strategy in production but other strategies \(userWithId\)/);
    assert.deepEqual(
      (await inUnleash('beta-users')).strategies.map((s) => s.name),
      ['userWithId'],
    );
  });

  it('an unknown flag or environment is exit 2, named', async () => {
    const unknown = await flag(['status', 'payment-new-flw']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, `rollout-guard: the flag service at ${unleash.apiUrl}: There's no feature named "payment-new-flw" in project "default".\n`);
    const noEnvironment = await flag(['on', 'payment-new-flow', '--environment', 'staging']);
    assert.equal(noEnvironment.code, 2);
    assert.match(
      noEnvironment.stderr,
      /has no environment "staging" for flag "payment-new-flow" in project "default" \(its environments: development, production\)/,
    );
  });

  it('a wrong or missing token is exit 2, and the token is never printed', async () => {
    const wrong = '*:*.not-the-token-0123456789';
    for (const args of [['list'], ['status', 'checkout-v2'], ['off', 'checkout-v2', '--format', 'json']]) {
      const r = await flag(args, { ROLLOUT_GUARD_FLAGS_TOKEN: wrong });
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr, `rollout-guard: the flag service at ${unleash.apiUrl} rejected the token (HTTP 401); check ROLLOUT_GUARD_FLAGS_TOKEN\n`);
      assert.ok(!`${r.stdout}${r.stderr}`.includes('not-the-token'));
    }
    assert.equal((await inUnleash('checkout-v2')).enabled, true);
    const missing = await flag(['list'], { ROLLOUT_GUARD_FLAGS_TOKEN: '' });
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'rollout-guard: no token for the flag service: set ROLLOUT_GUARD_FLAGS_TOKEN to an Unleash admin API token\n');
  });

  it('an unreachable service is exit 2, naming its URL', async () => {
    const port = await freePort();
    const file = writeConfig('unreachable.yaml', `flags:\n  url: http://127.0.0.1:${port}/api\n  environment: production\n`);
    const r = await runCli(['flag', 'status', 'checkout-v2', '--config', file], env());
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `rollout-guard: the flag service at http://127.0.0.1:${port}/api is unreachable (ECONNREFUSED)\n`);
  });

  it('a URL with a password is refused at its line, without showing it: the token is the one credential', async () => {
    const file = writeConfig('credentials.yaml', `flags:\n  environment: production\n  url: http://deploy:s3cret@127.0.0.1:4242/api\n`);
    const r = await runCli(['flag', 'list', '--config', file], env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /credentials\.yaml:3: flags\.url must not hold a user name or password: the token comes from ROLLOUT_GUARD_FLAGS_TOKEN\.\n$/);
    assert.ok(!r.stderr.includes('s3cret'));
  });

  it('configuration and usage errors are exit 2 with their place', async () => {
    const unknownProvider = writeConfig('unknown-provider.yaml', 'flags:\n  provider: split\n  url: http://127.0.0.1:1/api\n');
    const provider = await runCli(['flag', 'list', '--config', unknownProvider], env());
    assert.equal(provider.code, 2);
    assert.equal(
      provider.stderr,
      `rollout-guard: ${path.relative(path.resolve(__dirname, '../..'), unknownProvider)}:2: flags.provider must be unleash, launchdarkly, flagd, got "split".\n`,
    );
    const flagdWithUrl = writeConfig('flagd-url.yaml', 'flags:\n  provider: flagd\n  url: http://127.0.0.1:1/api\n');
    assert.match(
      (await runCli(['flag', 'list', '--config', flagdWithUrl], env())).stderr,
      /flagd-url\.yaml:1: flags\.file or flags\.featureFlag is missing: the flagd flag-definition file/,
    );
    const bothPlaces = writeConfig('flagd-both.yaml', 'flags:\n  provider: flagd\n  file: flags.json\n  featureFlag: shop/flags\n');
    assert.match(
      (await runCli(['flag', 'list', '--config', bothPlaces], env())).stderr,
      /flagd-both\.yaml:4: flags\.file and flags\.featureFlag are two places/,
    );
    const badReference = writeConfig('flagd-reference.yaml', 'flags:\n  provider: flagd\n  featureFlag: payment-flags\n');
    assert.match(
      (await runCli(['flag', 'list', '--config', badReference], env())).stderr,
      /flagd-reference\.yaml:3: flags\.featureFlag must be namespace\/name of a FeatureFlag, got "payment-flags"/,
    );
    const none = writeConfig('none.yaml', 'pgVersion: 16\n');
    assert.match((await runCli(['flag', 'list', '--config', none], env())).stderr, /no flag service configured: add a flags: section to .*none\.yaml/);
    const noEnvironment = writeConfig('no-environment.yaml', `flags:\n  url: ${unleash.apiUrl}\n`);
    assert.match((await runCli(['flag', 'list', '--config', noEnvironment], env())).stderr, /which environment\? give --environment <name>/);
    for (const [args, message] of [
      [['set', 'checkout-v2'], 'flag set needs --percent <n>'],
      [['set', 'checkout-v2', '--percent', '101'], '--percent must be a whole number from 0 to 100, got "101"'],
      [['on'], 'which flag? give its key: flag on <key>'],
      [['status', 'a', '--percent', '5'], '--percent goes with flag set'],
    ] as const) {
      const r = await flag([...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.ok(r.stderr.startsWith(`rollout-guard flag: ${message}\n\nUsage:`), r.stderr);
    }
    assert.equal((await inUnleash('checkout-v2')).strategies[0]!.parameters.rollout, '50');
  });
});
