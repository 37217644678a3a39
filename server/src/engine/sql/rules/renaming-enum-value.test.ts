import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'renaming-enum-value';

describe(RULE, () => {
  it('ok: adding a value', () => {
    expectRanges(RULE, "ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'paid';", []);
  });

  it('err: RENAME VALUE, from RENAME to the end', () => {
    const found = expectRanges(RULE, "ALTER TYPE public.order_status\n  RENAME VALUE 'canceled' TO 'cancelled';", ['2:3-2:41']);
    assert.match(found[0]!.message, /^Renaming the value 'canceled' of public\.order_status to 'cancelled' breaks the version still running/);
  });

  it('err: an error in every phase before contract', () => {
    const found = expectRanges(RULE, "-- rollout-guard: phase expand\nALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';", ['2:17-2:48']);
    assert.equal(found[0]!.finding.severity, 'error');
  });
});
