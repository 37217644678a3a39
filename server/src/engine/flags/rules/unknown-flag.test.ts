import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultSettings } from '../../types';
import { lintFlagReads } from '../lint';
import { flagFindings, snapshotOf } from './_test-snapshot';

describe('unknown-flag', () => {
  it('ok: a key the service has', () => {
    assert.deepEqual(flagFindings('unknown-flag', "client.getBooleanValue('payment-new-flow', false);", snapshotOf()), []);
  });

  it('err: a typo, on the key literal, with the closest existing keys as fixes', () => {
    const text = "if (unleash.isEnabled('paymnet-new-flow')) pay();";
    const [finding, ...rest] = flagFindings('unknown-flag', text, snapshotOf());
    assert.equal(rest.length, 0);
    assert.equal(text.slice(finding!.start, finding!.end), "'paymnet-new-flow'");
    assert.equal(finding!.severity, 'warning');
    assert.equal(
      finding!.message,
      'Flag "paymnet-new-flow" does not exist in the flag service at http://unleash.test/api: this read always serves the code\'s default. Did you mean "payment-new-flow"?',
    );
    assert.deepEqual(finding!.fixes, [
      { title: 'Change to "payment-new-flow"', edits: [{ start: finding!.start + 1, end: finding!.end - 1, newText: 'payment-new-flow' }], preferred: true },
    ]);
  });

  it('err: a key like no other gets no fix', () => {
    const [finding] = flagFindings('unknown-flag', "ld.variation('zebra', ctx, false)", snapshotOf());
    assert.equal(finding!.fixes?.length, 0);
    assert.doesNotMatch(finding!.message, /Did you mean/);
  });

  it('ok: silenced by // rollout-guard-ignore on the line above; an ignore that silences nothing is reported', () => {
    const text = [
      '// rollout-guard-ignore unknown-flag -- read before the flag is created',
      "unleash.isEnabled('not-yet-created');",
      '// rollout-guard-ignore unknown-flag',
      "unleash.isEnabled('payment-new-flow');",
    ].join('\n');
    const findings = lintFlagReads(text, snapshotOf(), defaultSettings);
    assert.deepEqual(
      findings.map((f) => `${f.rule} ${text.slice(f.start, f.end)}`),
      ['unused-ignore unknown-flag'],
    );
  });
});
