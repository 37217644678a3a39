import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('adding-foreign-key-constraint', () => {
  it('ok: NOT VALID, then VALIDATE in its own transaction', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'ALTER TABLE public.orders',
      '  ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers (id) NOT VALID;',
      'ALTER TABLE public.orders VALIDATE CONSTRAINT orders_customer_id_fkey;',
    ].join('\n');
    expectRanges('adding-foreign-key-constraint', sql, []);
  });

  it('ok: a table created in the same file, and an inline REFERENCES on a new column without DEFAULT (PostgreSQL checks no row)', () => {
    const sql = [
      'CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);',
      'ALTER TABLE refunds ADD CONSTRAINT refunds_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);',
      'ALTER TABLE orders ADD COLUMN refund_id bigint REFERENCES refunds (id);',
    ].join('\n');
    expectRanges('adding-foreign-key-constraint', sql, []);
  });

  it('ok: CREATE TABLE … AS … WITH NO DATA is empty; a filled new table with a key to another new table locks no live table', () => {
    const sql = [
      'CREATE TABLE comment_actions AS SELECT person_id, comment_id FROM comment_like WITH NO DATA;',
      'ALTER TABLE comment_actions ADD CONSTRAINT comment_actions_person_id_fkey FOREIGN KEY (person_id) REFERENCES person;',
      'CREATE TABLE post_actions AS SELECT person_id, post_id, liked FROM post_like;',
      'ALTER TABLE post_actions ADD FOREIGN KEY (person_id, post_id) REFERENCES comment_actions (person_id, comment_id);',
    ].join('\n');
    expectRanges('adding-foreign-key-constraint', sql, []);
  });

  it('err: a table created from a query holds its rows: the FOREIGN KEY checks them all (lemmy smoosh-tables-together)', () => {
    const sql = [
      'CREATE TABLE comment_actions AS',
      'SELECT person_id, comment_id, published AS liked FROM comment_like;',
      'ALTER TABLE comment_actions',
      '    ADD CONSTRAINT comment_actions_person_id_fkey FOREIGN KEY (person_id) REFERENCES person ON UPDATE CASCADE ON DELETE CASCADE;',
    ].join('\n');
    const found = expectRanges('adding-foreign-key-constraint', sql, ['4:5-4:128']);
    assert.match(found[0]!.message, /SHARE ROW EXCLUSIVE on comment_actions and person: blocks writes to both while every row of comment_actions is checked/);
  });

  it('err: SELECT … INTO, and a new table filled by INSERT … SELECT, hold rows too', () => {
    const selectInto = 'SELECT person_id, post_id INTO post_actions FROM post_like;\nALTER TABLE post_actions ADD FOREIGN KEY (post_id) REFERENCES post;';
    expectRanges('adding-foreign-key-constraint', selectInto, ['2:26-2:67']);
    const filled = [
      'CREATE TABLE post_actions (person_id int, post_id int);',
      'INSERT INTO post_actions SELECT person_id, post_id FROM post_like;',
      'ALTER TABLE post_actions ADD FOREIGN KEY (post_id) REFERENCES post;',
    ].join('\n');
    expectRanges('adding-foreign-key-constraint', filled, ['3:26-3:67']);
    expectRanges(
      'adding-foreign-key-constraint',
      `${selectInto.split('\n')[0]}\nALTER TABLE post_actions RENAME TO post_votes;\nALTER TABLE post_votes ADD FOREIGN KEY (post_id) REFERENCES post;`,
      ['3:24-3:65'],
    );
    // A few listed rows leave it new.
    expectRanges('adding-foreign-key-constraint', filled.replace(/SELECT person_id, post_id FROM post_like/, 'VALUES (1, 2)'), []);
  });

  it('err: a self-referencing foreign key names its one table once (hoppscotch TeamCollection.parentID)', () => {
    const sql = 'ALTER TABLE "TeamCollection" ADD CONSTRAINT "TeamCollection_parentID_fkey" FOREIGN KEY ("parentID") REFERENCES "TeamCollection"("id");';
    const found = expectRanges('adding-foreign-key-constraint', sql, ['1:30-1:134']);
    assert.match(found[0]!.message, /SHARE ROW EXCLUSIVE on TeamCollection: blocks writes to it while every row of TeamCollection is checked\. /);
  });

  it('err: names both locked tables; the fix adds NOT VALID and a VALIDATE after it', () => {
    const sql = 'ALTER TABLE orders\n  ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);\n';
    const found = expectRanges('adding-foreign-key-constraint', sql, ['2:3-2:93']);
    assert.match(
      found[0]!.message,
      /^Adding FOREIGN KEY orders_customer_id_fkey: SHARE ROW EXCLUSIVE on orders and customers: blocks writes to both while every row of orders is checked/,
    );
    assert.equal(
      applyFix(sql, found[0]!.finding),
      'ALTER TABLE orders\n  ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;\n',
    );
  });

  it('err: an unnamed multi-column key (lemmy-style) gets the name PostgreSQL would choose; in a transaction the VALIDATE is left for later', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD FOREIGN KEY (customer_id, region) REFERENCES customers (id, region) ON UPDATE CASCADE;\nCOMMIT;';
    const found = expectRanges('adding-foreign-key-constraint', sql, ['2:20-2:109']);
    assert.match(
      applyFix(sql, found[0]!.finding),
      /ON UPDATE CASCADE NOT VALID;\n-- After COMMIT, in a separate transaction: ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_region_fkey;\nCOMMIT;$/,
    );
  });

  it('err: an inline REFERENCES with a DEFAULT is checked on every row', () => {
    const sql = 'ALTER TABLE orders\n  ADD COLUMN region_id bigint DEFAULT 1 REFERENCES regions (id);';
    const found = expectRanges('adding-foreign-key-constraint', sql, ['2:3-2:64']);
    assert.match(found[0]!.message, /^Adding column orders\.region_id with an inline REFERENCES regions: every existing row is checked/);
  });

  it('err: after an ACCESS EXCLUSIVE lock on the table in the same transaction, reads wait too (documenso)', () => {
    const sql = [
      'ALTER TABLE "Team" DROP CONSTRAINT "Team_ownerUserId_fkey";',
      'ALTER TABLE "Team" ADD CONSTRAINT "Team_ownerUserId_fkey" FOREIGN KEY ("ownerUserId") REFERENCES "User"("id") ON DELETE CASCADE;',
    ].join('\n');
    const [found] = expectRanges('adding-foreign-key-constraint', sql, ['2:20-2:128'], { assumeInTransaction: true });
    assert.match(
      found!.message,
      /while every row of Team is checked\. Reads wait too: an earlier statement of the transaction took ACCESS EXCLUSIVE on Team, held until COMMIT\./,
    );
    const [alone] = expectRanges('adding-foreign-key-constraint', sql.split('\n')[1]!, ['1:20-1:128']);
    assert.doesNotMatch(alone!.message, /Reads wait too/);
  });
});
