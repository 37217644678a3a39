import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flagFindings, snapshotOf } from './_test-snapshot';

describe('flag-default-mismatch', () => {
  it('ok: the default is the off value, is not a constant, is of another type, or the service does not say', () => {
    const text = [
      "c.getBooleanValue('payment-new-flow', false);",
      "c.getBooleanValue('payment-new-flow', isProd());",
      "c.getStringValue('payment-new-flow', 'on');",
      "unleash.isEnabled('payment-new-flow');",
      "c.getBooleanValue('no-off-value', true);",
    ].join('\n');
    assert.deepEqual(flagFindings('flag-default-mismatch', text, snapshotOf()), []);
  });

  it('err: true in code where the flag serves false when off', () => {
    const text = "ld.boolVariation('payment-new-flow', context, true)";
    const [finding] = flagFindings('flag-default-mismatch', text, snapshotOf());
    assert.equal(text.slice(finding!.start, finding!.end), "'payment-new-flow'");
    assert.equal(finding!.severity, 'hint');
    assert.equal(
      finding!.message,
      'The default true in code differs from what flag "payment-new-flow" serves when off (false): when the flag service cannot be reached, this read takes the path the flag\'s off state does not.',
    );
  });
});
