/**
 * What the LaunchDarkly provider reports agrees with what LaunchDarkly's SDK serves. The REST side
 * is the stand-in (simulators/launchdarkly.ts, following the documented REST API v2: no
 * LaunchDarkly server runs outside their cloud); the evaluation side is the real
 * `@launchdarkly/node-server-sdk`, fed the flag as the stand-in holds it through its TestData
 * source, evaluating 1,000 contexts. So "on, 25 %" must be the true variation for about a quarter of
 * the users, "off" the off variation for all of them, and the off value flag-default-mismatch
 * compares against the one the SDK serves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { init, integrations, type LDClient } from '@launchdarkly/node-server-sdk';
import { LaunchDarklyProvider, readFlagSnapshot } from '../operations/flags';
import { startLaunchDarklyStandIn, type LaunchDarklyStandIn, type StandInFlag } from '../simulators/launchdarkly';

const CONTEXTS = 1000;

describe('LaunchDarkly: the provider (REST stand-in) against the SDK evaluation (real @launchdarkly/node-server-sdk, TestData)', () => {
  let ld: LaunchDarklyStandIn;
  let provider: LaunchDarklyProvider;
  const testData = new integrations.TestData();
  let client: LDClient;

  before(async () => {
    ld = await startLaunchDarklyStandIn();
    provider = new LaunchDarklyProvider({ url: ld.url, token: ld.token, project: 'default' });
    ld.addFlag('payment-new-flow');
    ld.addFlag('checkout-theme', { variations: ['classic', 'new'] });
    client = init('sdk-key-for-test-data', { updateProcessor: testData.getFactory(), sendEvents: false, diagnosticOptOut: true });
    await client.waitForInitialization({ timeout: 10 });
  });
  after(async () => {
    client?.close();
    await ld?.stop();
  });

  /** The flag in `environment` as the SDK's flag data (the server-side flag model LaunchDarkly streams). */
  async function served(key: string, environment: string, fallback: unknown): Promise<Map<unknown, number>> {
    const flag: StandInFlag = ld.flag(key)!;
    const config = flag.environments[environment]!;
    await testData.usePreconfiguredFlag({
      key,
      version: flag._version,
      on: config.on,
      variations: flag.variations.map((v) => v.value),
      offVariation: config.offVariation,
      fallthrough: config.fallthrough,
      targets: [],
      rules: [],
      prerequisites: [],
      salt: `salt-${key}`,
    });
    const counts = new Map<unknown, number>();
    for (let i = 0; i < CONTEXTS; i++) {
      const value: unknown = await client.variation(key, { kind: 'user', key: `user-${i}` }, fallback);
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    return counts;
  }

  it('off serves the off variation to everyone, and it is the off value the snapshot gives flag-default-mismatch', async () => {
    assert.deepEqual(await provider.status('payment-new-flow', 'production'), {
      key: 'payment-new-flow',
      environment: 'production',
      enabled: false,
      percent: 100,
      stale: false,
    });
    assert.deepEqual(await served('payment-new-flow', 'production', 'fallback'), new Map([[false, CONTEXTS]]));
    const answer = await readFlagSnapshot(provider, { environment: 'production' });
    assert.ok('snapshot' in answer);
    assert.equal(answer.snapshot.flags.find((f) => f.key === 'payment-new-flow')?.offValue, false);
    assert.equal(answer.snapshot.flags.find((f) => f.key === 'checkout-theme')?.offValue, 'new');
    assert.deepEqual(await served('checkout-theme', 'production', 'fallback'), new Map([['new', CONTEXTS]]));
  });

  it('on at 25 % serves the true variation to about a quarter of 1,000 contexts; 100 % to all, 0 % to none', async () => {
    await provider.setEnabled('payment-new-flow', 'production', true);
    const ramped = await provider.setPercent('payment-new-flow', 'production', 25);
    assert.deepEqual([ramped.enabled, ramped.percent], [true, 25]);
    const quarter = await served('payment-new-flow', 'production', 'fallback');
    assert.equal((quarter.get(true) ?? 0) + (quarter.get(false) ?? 0), CONTEXTS);
    assert.ok(quarter.get(true)! > 220 && quarter.get(true)! < 280, `${quarter.get(true)} of ${CONTEXTS} contexts got true at 25 %`);

    assert.equal((await provider.setPercent('payment-new-flow', 'production', 100)).percent, 100);
    assert.deepEqual(await served('payment-new-flow', 'production', 'fallback'), new Map([[true, CONTEXTS]]));
    assert.equal((await provider.setPercent('payment-new-flow', 'production', 0)).percent, 0);
    assert.deepEqual(await served('payment-new-flow', 'production', 'fallback'), new Map([[false, CONTEXTS]]));
  });

  it('turned off again, a flag with a rollout serves its off variation, whatever the rollout says', async () => {
    await provider.setPercent('payment-new-flow', 'production', 60);
    const off = await provider.setEnabled('payment-new-flow', 'production', false);
    assert.deepEqual([off.enabled, off.percent], [false, 60]);
    assert.deepEqual(await served('payment-new-flow', 'production', 'fallback'), new Map([[false, CONTEXTS]]));
  });
});
