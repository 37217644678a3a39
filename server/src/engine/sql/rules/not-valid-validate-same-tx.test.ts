import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('not-valid-validate-same-tx', () => {
  it('ok: NOT VALID, COMMIT, then VALIDATE; and a VALIDATE without a transaction', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
      'COMMIT;',
      'BEGIN;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;',
      'COMMIT;',
      'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total_cents >= 0) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
    ].join('\n');
    expectRanges('not-valid-validate-same-tx', sql, []);
  });

  it('err: VALIDATE in the same transaction as the NOT VALID add, pointing at the add', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges('not-valid-validate-same-tx', sql, ['3:20-3:63']);
    assert.match(found[0]!.message, /added it NOT VALID, so the lock taken there on orders is still held while every row is checked/);
    const added = found[0]!.finding.relatedHere?.[0];
    assert.match(sql.slice(added!.start, added!.end), /^ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey .* NOT VALID$/);
  });

  it('err: a file run in one transaction (assumeInTransaction: Rails, Django, Flyway)', () => {
    const sql = [
      'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total_cents >= 0) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
    ].join('\n');
    expectRanges('not-valid-validate-same-tx', sql, ['2:20-2:61'], { assumeInTransaction: true });
  });
});
