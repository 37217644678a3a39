import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('require-concurrent-index-creation', () => {
  it('ok: CONCURRENTLY, a table created in the same file, and ON ONLY a partitioned parent', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON public.orders (created_at);',
      'CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);',
      'CREATE INDEX refunds_order_id_idx ON refunds (order_id);',
      'CREATE INDEX measurements_taken_at_idx ON ONLY measurements (taken_at);',
    ].join('\n');
    expectRanges('require-concurrent-index-creation', sql, []);
  });

  it('err: a multi-line CREATE UNIQUE INDEX, with the fix adding CONCURRENTLY', () => {
    const sql = '-- 0042_orders_number.sql\nCREATE UNIQUE INDEX IF NOT EXISTS orders_number_key\n  ON public.orders USING btree (number);\n';
    const found = expectRanges('require-concurrent-index-creation', sql, ['2:1-2:20']);
    assert.match(found[0]!.message, /^SHARE on public\.orders: blocks writes \(INSERT, UPDATE, DELETE\) until the index is built/);
    assert.equal(
      applyFix(sql, found[0]!.finding),
      '-- 0042_orders_number.sql\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_number_key\n  ON public.orders USING btree (number);\n',
    );
  });

  it('err: inside BEGIN … COMMIT the lock lasts until commit, and no fix (CONCURRENTLY would fail there)', () => {
    const sql = "BEGIN;\nCREATE INDEX orders_status_idx ON orders (status) WHERE status <> 'done';\nCOMMIT;";
    const found = expectRanges('require-concurrent-index-creation', sql, ['2:1-2:13']);
    assert.match(found[0]!.message, /SHARE on orders: blocks writes \(INSERT, UPDATE, DELETE\) until the transaction commits/);
    assert.equal(found[0]!.finding.fixes, undefined);
  });

  it('err: after an ALTER TABLE of the same table in the transaction, reads wait too (the lemmy migration shape)', () => {
    const sql =
      'BEGIN;\nALTER TABLE post_aggregates ADD COLUMN hot_rank integer;\nCREATE INDEX idx_post_aggregates_hot ON post_aggregates (hot_rank DESC);\nCOMMIT;';
    const found = expectRanges('require-concurrent-index-creation', sql, ['3:1-3:13']);
    assert.match(
      found[0]!.message,
      /until the transaction commits\. Reads wait too: an earlier statement of the transaction took ACCESS EXCLUSIVE on post_aggregates, held until COMMIT\./,
    );
  });

  it("err: after a rename in the transaction, reads wait too under the table's new name (synapse's user_dir_typos)", () => {
    const sql = [
      'ALTER TABLE users_in_pubic_room RENAME TO users_in_public_rooms;',
      // On id: the trace setup (test/trace-honest.test.ts) makes the renamed table with that column only.
      'CREATE INDEX users_in_public_rooms_id_idx ON users_in_public_rooms (id);',
    ].join('\n');
    const found = expectRanges('require-concurrent-index-creation', sql, ['2:1-2:13'], { assumeInTransaction: true });
    assert.match(
      found[0]!.message,
      /Reads wait too: an earlier statement of the transaction took ACCESS EXCLUSIVE on users_in_public_rooms, held until COMMIT\./,
    );
  });

  it('err: no fix when the file runs in a transaction (assumeInTransaction)', () => {
    const found = expectRanges('require-concurrent-index-creation', 'CREATE INDEX ON orders (status);', ['1:1-1:13'], { assumeInTransaction: true });
    assert.equal(found[0]!.finding.fixes, undefined);
  });
});
