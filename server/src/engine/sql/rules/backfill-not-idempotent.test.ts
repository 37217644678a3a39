import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'backfill-not-idempotent';

describe(RULE, () => {
  it('ok: the WHERE excludes finished rows; an UPDATE that is not a declared backfill', () => {
    const sql = [
      '-- rollout-guard: backfill table=orders key=id batch=1000',
      'UPDATE orders SET new_payment_status = old_payment_status WHERE new_payment_status IS NULL;',
      "UPDATE orders SET status = 'x';",
    ].join('\n');
    expectRanges(RULE, sql, []);
  });

  it('err: a WHERE that matches finished rows again, no WHERE, and the wrong table', () => {
    const sql = [
      '-- rollout-guard: backfill table=orders key=id batch=1000',
      "UPDATE orders SET new_payment_status = old_payment_status WHERE created_at < '2026-01-01';",
      '-- rollout-guard: backfill table=orders key=id batch=500',
      'UPDATE orders SET total_cents = total * 100;',
      '-- rollout-guard: backfill table=invoices key=id',
      'UPDATE orders SET region = country WHERE region IS NULL;',
    ].join('\n');
    const found = expectRanges(RULE, sql, ['2:1-2:14', '4:1-4:14', '6:1-6:14']);
    assert.match(found[0]!.message, /sets new_payment_status but its WHERE does not test them/);
    assert.match(found[1]!.message, /its WHERE is missing/);
    assert.match(found[2]!.message, /declared for table=invoices, but this UPDATE changes orders/);
  });
});
