import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'backfill-in-ddl-transaction';

describe(RULE, () => {
  it('ok: the backfill runs after COMMIT, in its own transactions', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'BEGIN;',
      'ALTER TABLE public.orders ADD COLUMN region text;',
      'COMMIT;',
      "UPDATE public.orders SET region = 'eu' WHERE id BETWEEN 1 AND 10000;",
    ].join('\n');
    expectRanges(RULE, sql, []);
  });

  it('ok: only weak locks in the transaction, literal INSERTs, and rows of a table created in it', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
      "UPDATE orders SET region = 'eu' WHERE id BETWEEN 1 AND 10000;",
      'COMMIT;',
      'BEGIN;',
      'ALTER TABLE orders ADD COLUMN region_id bigint;',
      "INSERT INTO regions (code) VALUES ('eu'), ('us');",
      'CREATE TABLE order_flags (order_id bigint PRIMARY KEY, flag text);',
      "UPDATE order_flags SET flag = 'none';",
      'COMMIT;',
    ].join('\n');
    expectRanges(RULE, sql, []);
  });

  it('err: UPDATE, INSERT … SELECT and DELETE after ALTER TABLE in BEGIN … COMMIT', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE public.orders ADD COLUMN region text;',
      "UPDATE public.orders SET region = 'eu' WHERE id BETWEEN 1 AND 10000;",
      'INSERT INTO order_regions (order_id, region)',
      '  SELECT id, region FROM public.orders;',
      'WITH stale AS (SELECT id FROM sessions LIMIT 10) DELETE FROM sessions WHERE id IN (SELECT id FROM stale);',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges(RULE, sql, ['3:1-3:21', '4:1-4:26', '6:50-6:70']);
    assert.match(found[0]!.message, /^This UPDATE on public\.orders runs in the transaction that took ACCESS EXCLUSIVE on public\.orders:/);
    // The ALTER TABLE that took the lock, as a related location.
    const taken = found[0]!.finding.relatedHere?.[0];
    assert.equal(sql.slice(taken!.start, taken!.end), 'ALTER TABLE public.orders ADD COLUMN region text');
    assert.equal(taken!.message, 'ACCESS EXCLUSIVE on public.orders taken here');
    assert.match(found[1]!.message, /^This INSERT … SELECT on order_regions/);
    assert.match(found[2]!.message, /^This DELETE on sessions/);
  });

  it('err: every statement of the file runs in one transaction (assumeInTransaction)', () => {
    const sql = "ALTER TABLE orders ALTER COLUMN region SET DEFAULT 'eu';\nUPDATE orders SET region = 'eu' WHERE region IS NULL;";
    const found = expectRanges(RULE, sql, ['2:1-2:14'], { assumeInTransaction: true });
    assert.match(found[0]!.message, /took ACCESS EXCLUSIVE on orders:/);
    assert.equal(found[0]!.finding.relatedHere?.[0]?.start, 0);
  });

  it("ok: a system catalog's rows (lemmy's UPDATE pg_index after its ALTER TABLE)", () => {
    const sql =
      'ALTER TABLE comment DROP COLUMN path_old;\nUPDATE pg_index SET indisvalid = true WHERE indexrelid = 42;\nUPDATE pg_catalog.pg_class SET relhasindex = true;';
    expectRanges(RULE, sql, [], { assumeInTransaction: true });
  });

  it("err: names the lock on the rows' own table, else a named one, else the dropped index's table", () => {
    const sql = [
      'BEGIN;',
      'DROP INDEX idx_post_aggregates_hot;',
      'ALTER TABLE comment_aggregates ADD COLUMN hot_rank integer NOT NULL DEFAULT 1728;',
      'ALTER TABLE post_aggregates ADD COLUMN hot_rank integer NOT NULL DEFAULT 1728;',
      'UPDATE post_aggregates SET hot_rank = 1 WHERE id > 0;',
      'UPDATE community SET hidden = false WHERE id > 0;',
      'COMMIT;',
      'BEGIN;',
      'DROP INDEX idx_community_hot;',
      'UPDATE community SET hidden = false WHERE id > 0;',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges(RULE, sql, ['5:1-5:23', '6:1-6:17', '10:1-10:17']);
    assert.match(found[0]!.message, /took ACCESS EXCLUSIVE on post_aggregates: reads and writes of post_aggregates stay blocked/);
    assert.match(found[1]!.message, /took ACCESS EXCLUSIVE on comment_aggregates:/);
    assert.match(found[2]!.message, /took ACCESS EXCLUSIVE on the table of an index or table it dropped: reads and writes of that table stay blocked/);
  });

  it('err: inside a DO block after its own ALTER TABLE', () => {
    const sql = "DO $$\nBEGIN\n  ALTER TABLE orders ADD COLUMN region text;\n  UPDATE orders SET region = 'eu';\nEND\n$$;";
    expectRanges(RULE, sql, ['4:3-4:16']);
  });
});
