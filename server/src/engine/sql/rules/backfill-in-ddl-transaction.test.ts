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

  it('ok: only locks that block neither reads nor writes in the transaction, literal INSERTs, and rows of a table created in it', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_region_idx ON orders (region);',
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

  it("err: after a lock that blocks writes only: a new foreign key (on both tables, a new table's too), a plain CREATE INDEX (hoppscotch)", () => {
    const sql = [
      'CREATE TABLE team_invitations (id bigint PRIMARY KEY, creator_id bigint NOT NULL);',
      'ALTER TABLE team_invitations ADD CONSTRAINT team_invitations_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES users (id) ON DELETE CASCADE;',
      'UPDATE users SET is_admin = false WHERE is_admin IS NULL;',
      'INSERT INTO team_invitations (id, creator_id) SELECT id, id FROM users;',
    ].join('\n');
    const found = expectRanges(RULE, sql, ['3:1-3:13', '4:1-4:29'], { assumeInTransaction: true });
    assert.match(
      found[0]!.message,
      /^This UPDATE on users runs in the transaction that took SHARE ROW EXCLUSIVE on users: writes to users stay blocked until every row is written and the transaction commits\./,
    );
    assert.equal(found[0]!.finding.relatedHere?.[0]?.message, 'SHARE ROW EXCLUSIVE on users taken here');
    const index = "CREATE INDEX orders_region_idx ON orders (region);\nUPDATE orders SET region = 'eu' WHERE region IS NULL;";
    const [indexed] = expectRanges(RULE, index, ['2:1-2:14'], { assumeInTransaction: true });
    assert.match(indexed!.message, /took SHARE on orders: writes to orders stay blocked/);
    const notValid =
      "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nUPDATE orders SET region = 'eu' WHERE region IS NULL;";
    const [fk] = expectRanges(RULE, notValid, ['2:1-2:14'], { assumeInTransaction: true });
    assert.match(fk!.message, /took SHARE ROW EXCLUSIVE on orders: writes to orders stay blocked/);
  });

  it('err: after dropping a foreign key the file added, on the table it references', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'ALTER TABLE invoices ADD CONSTRAINT invoices_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
      'BEGIN;',
      'ALTER TABLE invoices DROP CONSTRAINT invoices_customer_id_fkey;',
      "UPDATE customers SET status = 'active' WHERE status IS NULL;",
      'COMMIT;',
    ].join('\n');
    const [found] = expectRanges(RULE, sql, ['5:1-5:17']);
    assert.match(
      found!.message,
      /^This UPDATE on customers runs in the transaction that took ACCESS EXCLUSIVE on customers: reads and writes of customers stay blocked/,
    );
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
    assert.match(found[2]!.message, /took ACCESS EXCLUSIVE on the table of idx_community_hot: reads and writes of the table of idx_community_hot stay blocked/);
  });

  it("ok: the lock of a dropped table that nothing replaces, or only a temporary table (openmeter's dedupe, synapse's user_share)", () => {
    const dedupe = [
      'BEGIN;',
      'DROP TABLE IF EXISTS _tax_code_dedup_map;',
      'CREATE TEMP TABLE _tax_code_dedup_map AS SELECT id AS loser_id, id AS winner_id FROM tax_codes WHERE deleted_at IS NULL;',
      'UPDATE billing_workflow_configs SET tax_code_id = m.winner_id FROM _tax_code_dedup_map m WHERE billing_workflow_configs.tax_code_id = m.loser_id;',
      'DROP TABLE _tax_code_dedup_map;',
      'COMMIT;',
    ];
    expectRanges(RULE, dedupe.join('\n'), []);
    const userShare = [
      'DROP TABLE IF EXISTS users_who_share_rooms;',
      'CREATE TABLE IF NOT EXISTS users_who_share_public_rooms (user_id TEXT NOT NULL, other_user_id TEXT NOT NULL, room_id TEXT NOT NULL);',
      'UPDATE user_directory_stream_pos SET stream_id = NULL;',
    ];
    expectRanges(RULE, userShare.join('\n'), [], { assumeInTransaction: true });
    // An index of a table the file created: dropping it locks nothing anyone uses.
    const newTable = ['CREATE TABLE order_flags (order_id bigint);', 'CREATE INDEX order_flags_idx ON order_flags (order_id);', 'DROP INDEX order_flags_idx;'];
    expectRanges(RULE, [...newTable, "UPDATE orders SET region = 'eu';"].join('\n'), [], { assumeInTransaction: true });
  });

  it("err: a dropped table's name given to another table (synapse's swap), and a dropped index's table, which stays", () => {
    const swap = [
      'CREATE TABLE new_access_tokens (id BIGINT PRIMARY KEY, token TEXT NOT NULL);',
      'INSERT INTO new_access_tokens SELECT id, token FROM access_tokens;',
      'DROP TABLE access_tokens;',
      'ALTER TABLE new_access_tokens RENAME TO access_tokens;',
      'CREATE TABLE new_users (name TEXT, password_hash TEXT);',
      'INSERT INTO new_users SELECT name, password_hash FROM users;',
    ];
    const found = expectRanges(RULE, swap.join('\n'), ['6:1-6:22'], { assumeInTransaction: true });
    assert.match(
      found[0]!.message,
      /^This INSERT … SELECT on new_users runs in the transaction that took ACCESS EXCLUSIVE on access_tokens: reads and writes of access_tokens stay blocked/,
    );
    const recreated = [
      'BEGIN;',
      'DROP TABLE order_cache;',
      'CREATE TABLE order_cache (order_id bigint, total bigint);',
      'INSERT INTO order_cache SELECT id, total FROM orders;',
      'COMMIT;',
    ];
    expectRanges(RULE, recreated.join('\n'), ['4:1-4:24']);
    const uniqueConstraints = [
      'DROP INDEX IF EXISTS current_state_events_event_id;',
      'CREATE UNIQUE INDEX current_state_events_event_id ON current_state_events(event_id);',
      'DELETE FROM room_memberships WHERE event_id IS NULL;',
    ];
    const [dropIndex] = expectRanges(RULE, uniqueConstraints.join('\n'), ['3:1-3:29'], { assumeInTransaction: true });
    // The file creates the index again under its name, on current_state_events: the table the DROP INDEX locked.
    assert.match(dropIndex!.message, /took ACCESS EXCLUSIVE on current_state_events: reads and writes of current_state_events stay blocked/);
  });

  it('err: inside a DO block after its own ALTER TABLE', () => {
    const sql = "DO $$\nBEGIN\n  ALTER TABLE orders ADD COLUMN region text;\n  UPDATE orders SET region = 'eu';\nEND\n$$;";
    expectRanges(RULE, sql, ['4:3-4:16']);
  });
});
