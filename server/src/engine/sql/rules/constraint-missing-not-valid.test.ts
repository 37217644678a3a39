import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('constraint-missing-not-valid', () => {
  it('ok: NOT VALID, then VALIDATE in its own transaction', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'ALTER TABLE public.orders ADD CONSTRAINT orders_total_positive CHECK (total_cents >= 0) NOT VALID;',
      'BEGIN;',
      'ALTER TABLE public.orders VALIDATE CONSTRAINT orders_total_positive;',
      'COMMIT;',
    ].join('\n');
    expectRanges('constraint-missing-not-valid', sql, []);
  });

  it('ok: a CHECK on a table created in the same file', () => {
    const sql = 'CREATE TABLE refunds (id bigint PRIMARY KEY, amount_cents bigint);\nALTER TABLE refunds ADD CHECK (amount_cents > 0);';
    expectRanges('constraint-missing-not-valid', sql, []);
  });

  it('ok: foreign keys and VALIDATE in the adding transaction belong to their own rules', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);',
      'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total_cents >= 0) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
      'COMMIT;',
    ].join('\n');
    expectRanges('constraint-missing-not-valid', sql, []);
  });

  it('err: an unnamed CHECK gets the name PostgreSQL would choose in the fix', () => {
    const sql = 'ALTER TABLE public."Orders" ADD CHECK (total_cents >= 0);';
    const found = expectRanges('constraint-missing-not-valid', sql, ['1:29-1:57']);
    assert.match(found[0]!.message, /^Adding CHECK constraint: ACCESS EXCLUSIVE on public\.Orders: blocks reads and writes while every row is checked/);
    assert.equal(
      applyFix(sql, found[0]!.finding),
      'ALTER TABLE public."Orders" ADD CHECK (total_cents >= 0) NOT VALID;\nALTER TABLE public."Orders" VALIDATE CONSTRAINT "Orders_total_cents_check";',
    );
  });

  it('err: inside BEGIN … COMMIT the fix does not validate in the same transaction', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total_cents >= 0);\nCOMMIT;';
    const found = expectRanges('constraint-missing-not-valid', sql, ['2:20-2:81']);
    assert.equal(
      applyFix(sql, found[0]!.finding),
      'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total_cents >= 0) NOT VALID;\n' +
        '-- After COMMIT, in a separate transaction: ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;',
    );
  });

  it('err: an inline CHECK on a new column scans every row', () => {
    const sql = 'ALTER TABLE orders\n  ADD COLUMN discount_cents bigint CHECK (discount_cents >= 0);';
    const found = expectRanges('constraint-missing-not-valid', sql, ['2:3-2:63']);
    assert.match(
      found[0]!.message,
      /^Adding column orders\.discount_cents with an inline CHECK: every existing row is checked while ADD COLUMN holds ACCESS EXCLUSIVE on orders/,
    );
  });
});
