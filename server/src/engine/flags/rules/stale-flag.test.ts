import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flagFindings, snapshotOf } from './_test-snapshot';

describe('stale-flag', () => {
  it('ok: a flag ramping, one off in one environment, one fully on for less than staleAfterDays', () => {
    const text = "c.getBooleanValue('checkout-v2', false); c.getBooleanValue('payment-new-flow', false); c.getBooleanValue('fresh-on', false);";
    assert.deepEqual(flagFindings('stale-flag', text, snapshotOf()), []);
  });

  it('err: marked stale in the service', () => {
    const text = "unleash.isEnabled('old-banner')";
    const [finding] = flagFindings('stale-flag', text, snapshotOf());
    assert.equal(text.slice(finding!.start, finding!.end), "'old-banner'");
    assert.equal(finding!.severity, 'info');
    assert.equal(
      finding!.message,
      'Flag "old-banner" is stale: it is marked stale in the flag service. Remove the branch it no longer chooses, then the flag.',
    );
  });

  it('err: fully on in every environment for longer than staleAfterDays (and off alike)', () => {
    const snapshot = snapshotOf({ staleAfterDays: 10 });
    const findings = flagFindings('stale-flag', "c.getBooleanValue('fresh-on', false); c.getBooleanValue('long-off', true);", snapshot);
    assert.deepEqual(
      findings.map((f) => f.message),
      [
        'Flag "fresh-on" is stale: it has been fully on in every environment (production, development) for 12 days, longer than flags.staleAfterDays (10). Remove the branch it no longer chooses, then the flag.',
        'Flag "long-off" is stale: it has been fully off in every environment (production, development) for 90 days, longer than flags.staleAfterDays (10). Remove the branch it no longer chooses, then the flag.',
      ],
    );
  });
});
