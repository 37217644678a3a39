import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('refresh-materialized-view-blocking', () => {
  it('ok: CONCURRENTLY, and the first refresh of a view created in the same file', () => {
    const sql = [
      'REFRESH MATERIALIZED VIEW CONCURRENTLY public.daily_sales;',
      'CREATE MATERIALIZED VIEW order_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id WITH NO DATA;',
      'CREATE UNIQUE INDEX order_totals_customer_id_key ON order_totals (customer_id);',
      'REFRESH MATERIALIZED VIEW order_totals;',
    ].join('\n');
    expectRanges('refresh-materialized-view-blocking', sql, []);
  });

  it('err: a refresh after changing what the view reads, with the fix adding CONCURRENTLY', () => {
    const sql = 'REFRESH MATERIALIZED VIEW public.daily_sales;';
    const found = expectRanges('refresh-materialized-view-blocking', sql, ['1:1-1:26']);
    assert.match(found[0]!.message, /^REFRESH MATERIALIZED VIEW takes ACCESS EXCLUSIVE on public\.daily_sales: every read of it waits/);
    assert.equal(found[0]!.finding.fixes?.[0]?.title, 'Add CONCURRENTLY (needs a unique index on the view)');
    assert.equal(applyFix(sql, found[0]!.finding), 'REFRESH MATERIALIZED VIEW CONCURRENTLY public.daily_sales;');
  });

  it('err: inside a DO block, with no fix', () => {
    const found = expectRanges('refresh-materialized-view-blocking', 'DO $$\nBEGIN\n  REFRESH MATERIALIZED VIEW daily_sales;\nEND\n$$;', ['3:3-3:28']);
    assert.equal(found[0]!.finding.fixes, undefined);
  });

  it('err: WITH NO DATA empties the view, with no fix', () => {
    const found = expectRanges('refresh-materialized-view-blocking', 'REFRESH MATERIALIZED VIEW daily_sales WITH NO DATA;', ['1:1-1:26']);
    assert.match(found[0]!.message, /leaves it unpopulated: every read of it fails/);
    assert.equal(found[0]!.finding.fixes, undefined);
  });
});
