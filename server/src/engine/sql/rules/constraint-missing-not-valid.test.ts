import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('constraint-missing-not-valid', () => {
  it('ok: NOT VALID, then VALIDATE in its own transaction', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'ALTER TABLE public.orders',
      '  ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers (id) NOT VALID;',
      'ALTER TABLE public.orders ADD CONSTRAINT orders_total_positive CHECK (total_cents >= 0) NOT VALID;',
      'BEGIN;',
      'ALTER TABLE public.orders VALIDATE CONSTRAINT orders_customer_id_fkey;',
      'COMMIT;',
      'ALTER TABLE public.orders VALIDATE CONSTRAINT orders_total_positive;',
    ].join('\n');
    expectRanges('constraint-missing-not-valid', sql, []);
  });

  it('ok: constraints on a table created in the same file, and an inline REFERENCES on a new column without DEFAULT', () => {
    const sql = [
      'CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint, amount_cents bigint);',
      'ALTER TABLE refunds ADD CONSTRAINT refunds_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);',
      'ALTER TABLE refunds ADD CHECK (amount_cents > 0);',
      // PostgreSQL does not check the rows: the new column is NULL everywhere.
      'ALTER TABLE orders ADD COLUMN refund_id bigint REFERENCES refunds (id);',
    ].join('\n');
    expectRanges('constraint-missing-not-valid', sql, []);
  });

  it('ok: CREATE TABLE … AS … WITH NO DATA is empty; a filled new table locks no live table with a CHECK or a key to another new table', () => {
    const sql = [
      'CREATE TABLE comment_actions AS SELECT person_id, comment_id FROM comment_like WITH NO DATA;',
      'ALTER TABLE comment_actions ADD CONSTRAINT comment_actions_person_id_fkey FOREIGN KEY (person_id) REFERENCES person;',
      'CREATE TABLE post_actions AS SELECT person_id, post_id, liked FROM post_like;',
      'ALTER TABLE post_actions ADD CONSTRAINT post_actions_check_liked CHECK (liked IS NOT NULL);',
      'ALTER TABLE post_actions ADD FOREIGN KEY (person_id, post_id) REFERENCES comment_actions (person_id, comment_id);',
    ].join('\n');
    expectRanges('constraint-missing-not-valid', sql, []);
  });

  it('err: a table created from a query holds its rows: the FOREIGN KEY checks them all (lemmy smoosh-tables-together)', () => {
    const sql = [
      'CREATE TABLE comment_actions AS',
      'SELECT person_id, comment_id, published AS liked FROM comment_like;',
      'ALTER TABLE comment_actions',
      '    ADD CONSTRAINT comment_actions_person_id_fkey FOREIGN KEY (person_id) REFERENCES person ON UPDATE CASCADE ON DELETE CASCADE;',
    ].join('\n');
    const found = expectRanges('constraint-missing-not-valid', sql, ['4:5-4:128']);
    assert.match(found[0]!.message, /SHARE ROW EXCLUSIVE on comment_actions and person: blocks writes while every row is checked/);
  });

  it('err: SELECT … INTO, and a new table filled by INSERT … SELECT, hold rows too', () => {
    const selectInto = 'SELECT person_id, post_id INTO post_actions FROM post_like;\nALTER TABLE post_actions ADD FOREIGN KEY (post_id) REFERENCES post;';
    expectRanges('constraint-missing-not-valid', selectInto, ['2:26-2:67']);
    const filled = [
      'CREATE TABLE post_actions (person_id int, post_id int);',
      'INSERT INTO post_actions SELECT person_id, post_id FROM post_like;',
      'ALTER TABLE post_actions ADD FOREIGN KEY (post_id) REFERENCES post;',
    ].join('\n');
    expectRanges('constraint-missing-not-valid', filled, ['3:26-3:67']);
    expectRanges(
      'constraint-missing-not-valid',
      `${selectInto.split('\n')[0]}\nALTER TABLE post_actions RENAME TO post_votes;\nALTER TABLE post_votes ADD FOREIGN KEY (post_id) REFERENCES post;`,
      ['3:24-3:65'],
    );
    // A few listed rows leave it new.
    expectRanges('constraint-missing-not-valid', filled.replace(/SELECT person_id, post_id FROM post_like/, 'VALUES (1, 2)'), []);
  });

  it('err: FOREIGN KEY names both locked tables; the fix adds NOT VALID and a VALIDATE after it', () => {
    const sql = 'ALTER TABLE orders\n  ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);\n';
    const found = expectRanges('constraint-missing-not-valid', sql, ['2:3-2:93']);
    assert.match(
      found[0]!.message,
      /^Adding FOREIGN KEY constraint orders_customer_id_fkey: SHARE ROW EXCLUSIVE on orders and customers: blocks writes while every row is checked/,
    );
    assert.equal(
      applyFix(sql, found[0]!.finding),
      'ALTER TABLE orders\n  ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;\n',
    );
  });

  it('err: unnamed CHECK and FOREIGN KEY get the names PostgreSQL would choose in the fix', () => {
    const sql =
      'ALTER TABLE public."Orders" ADD CHECK (total_cents >= 0);\nALTER TABLE orders ADD FOREIGN KEY (customer_id, region) REFERENCES customers (id, region);';
    const found = expectRanges('constraint-missing-not-valid', sql, ['1:29-1:57', '2:20-2:91']);
    assert.match(found[0]!.message, /^Adding CHECK constraint: ACCESS EXCLUSIVE on public\.Orders: blocks reads and writes while every row is checked/);
    assert.equal(
      applyFix(sql, found[0]!.finding),
      'ALTER TABLE public."Orders" ADD CHECK (total_cents >= 0) NOT VALID;\nALTER TABLE public."Orders" VALIDATE CONSTRAINT "Orders_total_cents_check";\n' +
        'ALTER TABLE orders ADD FOREIGN KEY (customer_id, region) REFERENCES customers (id, region);',
    );
    assert.match(applyFix(sql, found[1]!.finding), /VALIDATE CONSTRAINT orders_customer_id_region_fkey;$/);
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

  it('err: VALIDATE in the same transaction as the NOT VALID add', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges('constraint-missing-not-valid', sql, ['3:20-3:63']);
    assert.match(found[0]!.message, /added it NOT VALID, so the lock taken there on orders is still held while every row is checked/);
    const added = found[0]!.finding.relatedHere?.[0];
    assert.match(sql.slice(added!.start, added!.end), /^ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey .* NOT VALID$/);
  });

  it('err: inline CHECK on a new column, and inline REFERENCES with a DEFAULT, scan every row', () => {
    const sql =
      'ALTER TABLE orders\n  ADD COLUMN discount_cents bigint CHECK (discount_cents >= 0),\n  ADD COLUMN region_id bigint DEFAULT 1 REFERENCES regions (id);';
    const found = expectRanges('constraint-missing-not-valid', sql, ['2:3-2:63', '3:3-3:64']);
    assert.match(
      found[0]!.message,
      /^Adding column orders\.discount_cents with an inline CHECK: every existing row is checked while ADD COLUMN holds ACCESS EXCLUSIVE on orders/,
    );
    assert.match(found[1]!.message, /with an inline REFERENCES regions/);
  });
});
