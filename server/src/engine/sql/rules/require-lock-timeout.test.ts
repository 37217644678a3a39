import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'require-lock-timeout';

describe(RULE, () => {
  it('ok: SET lock_timeout first, in its usual spellings', () => {
    const statements =
      'ALTER TABLE public.orders ADD COLUMN region text;\nCREATE INDEX CONCURRENTLY orders_region_idx ON orders (region);\nDROP INDEX orders_old_idx;';
    for (const set of [
      "SET lock_timeout = '2s';",
      'SET lock_timeout TO 5000;',
      "SET SESSION lock_timeout = '3s';",
      "SELECT set_config('lock_timeout', '2s', false);",
    ]) {
      expectRanges(RULE, `-- 0042_add_region.sql\n${set}\n${statements}`, []);
    }
  });

  it('ok: SET LOCAL inside the transaction that takes the lock', () => {
    expectRanges(RULE, "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN region text;\nCOMMIT;", []);
  });

  it('ok: statements on tables and indexes the file created, and weak locks', () => {
    const sql = [
      'CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);',
      'CREATE INDEX refunds_order_id_idx ON refunds (order_id);',
      'ALTER TABLE refunds ADD COLUMN reason text;',
      'DROP INDEX refunds_order_id_idx;',
      'DROP TABLE refunds;',
      'CREATE INDEX CONCURRENTLY orders_region_idx ON orders (region);',
      "UPDATE orders SET region = 'eu' WHERE id BETWEEN 1 AND 1000;",
    ].join('\n');
    expectRanges(RULE, sql, []);
  });

  it('err: reported once, on the first locking statement, with a fix that sets it there', () => {
    const sql =
      "-- 0042_add_region.sql\nCREATE TABLE refunds (id bigint);\nALTER TABLE orders\n  ADD COLUMN region text;\nALTER TABLE orders ALTER COLUMN region SET DEFAULT 'eu';\n";
    const found = expectRanges(RULE, sql, ['3:1-3:12']);
    assert.match(found[0]!.message, /^ACCESS EXCLUSIVE on orders with no lock_timeout set: /);
    assert.match(found[0]!.message, /this statement waits for it, and every query on orders queues behind it meanwhile \(blocks reads and writes\)/);
    assert.equal(
      applyFix(sql, found[0]!.finding),
      "-- 0042_add_region.sql\nCREATE TABLE refunds (id bigint);\nSET lock_timeout = '2s';\nALTER TABLE orders\n  ADD COLUMN region text;\nALTER TABLE orders ALTER COLUMN region SET DEFAULT 'eu';\n",
    );
  });

  it('err: a plain CREATE INDEX (SHARE) without a timeout', () => {
    const found = expectRanges(RULE, 'CREATE INDEX orders_region_idx ON orders (region);', ['1:1-1:13']);
    assert.match(found[0]!.message, /^SHARE on orders with no lock_timeout set: .*\(blocks writes \(INSERT, UPDATE, DELETE\)\)/);
  });

  it('err: ALTER TABLE … SET SCHEMA takes ACCESS EXCLUSIVE like a rename', () => {
    const found = expectRanges(RULE, 'ALTER TABLE public.sessions SET SCHEMA auth;', ['1:1-1:12']);
    assert.match(found[0]!.message, /^ACCESS EXCLUSIVE on public\.sessions with no lock_timeout set/);
  });

  it('err: SET LOCAL ends at COMMIT; RESET and 0 turn the timeout off', () => {
    const local = "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;\nCOMMIT;\nALTER TABLE orders ADD COLUMN b text;";
    expectRanges(RULE, local, ['5:1-5:12']);
    expectRanges(RULE, "SET lock_timeout = '2s';\nRESET lock_timeout;\nALTER TABLE orders ADD COLUMN b text;", ['3:1-3:12']);
    expectRanges(RULE, 'SET lock_timeout = 0;\nALTER TABLE orders ADD COLUMN b text;', ['2:1-2:12']);
  });

  it('err: a new table whose foreign keys reference live tables locks them (lemmy create_post, kratos sessions)', () => {
    const columns = [
      'CREATE TABLE post (',
      '    id serial PRIMARY KEY,',
      '    creator_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,',
      '    community_id int REFERENCES community ON UPDATE CASCADE ON DELETE CASCADE NOT NULL',
      ');',
    ].join('\n');
    const found = expectRanges(RULE, columns, ['1:1-1:13']);
    assert.match(found[0]!.message, /^SHARE ROW EXCLUSIVE on user_ and community with no lock_timeout set: /);
    const tableConstraint =
      'CREATE TABLE "sessions" (\n"id" UUID NOT NULL,\n"identity_id" UUID NOT NULL,\nFOREIGN KEY ("identity_id") REFERENCES "identities" ("id") ON DELETE cascade\n);';
    expectRanges(RULE, tableConstraint, ['1:1-1:13']);
    // ALTER TABLE on a table the file created still locks the live table its new key references.
    expectRanges(RULE, 'CREATE TABLE refunds (id bigint PRIMARY KEY);\nALTER TABLE refunds ADD COLUMN order_id bigint REFERENCES orders (id);', ['2:1-2:12']);
  });

  it('ok: foreign keys between tables the file created', () => {
    const sql = [
      'CREATE TABLE person (id serial PRIMARY KEY);',
      'CREATE TABLE post (id serial PRIMARY KEY, creator_id int REFERENCES person ON DELETE CASCADE NOT NULL);',
      'CREATE TABLE post_like (post_id int, person_id int, FOREIGN KEY (post_id) REFERENCES post);',
      'ALTER TABLE post_like ADD FOREIGN KEY (person_id) REFERENCES person;',
      'DROP TRIGGER IF EXISTS post_touch ON post;',
    ].join('\n');
    expectRanges(RULE, sql, []);
  });

  it('err: DROP TRIGGER takes ACCESS EXCLUSIVE on its table, like CREATE TRIGGER', () => {
    const found = expectRanges(RULE, 'DROP TRIGGER IF EXISTS post_aggregates_post ON public.post;', ['1:1-1:13']);
    assert.match(found[0]!.message, /^ACCESS EXCLUSIVE on public\.post with no lock_timeout set: /);
  });

  it('err: dropping a key with CASCADE locks the tables whose foreign keys reference it; a CHECK with CASCADE only its own', () => {
    let found = expectRanges(RULE, 'ALTER TABLE parent DROP CONSTRAINT parent_pkey CASCADE;', ['1:1-1:12']);
    assert.match(found[0]!.message, /^ACCESS EXCLUSIVE on parent and the tables with foreign keys to parent with no lock_timeout set: /);
    found = expectRanges(RULE, 'ALTER TABLE parent DROP CONSTRAINT parent_total_check CASCADE;', ['1:1-1:12']);
    assert.match(found[0]!.message, /^ACCESS EXCLUSIVE on parent with no lock_timeout set: /);
  });

  it('ok: triggers, indexes and rebuilds on a view and on schema elements created in the same file', () => {
    const sql = [
      'CREATE VIEW order_totals AS SELECT 1 AS total;',
      'DROP TRIGGER IF EXISTS order_totals_insert ON order_totals;',
      'CREATE SCHEMA ledger CREATE TABLE entries (id bigint PRIMARY KEY, account text);',
      'CREATE INDEX entries_account_idx ON ledger.entries (account);',
      'REINDEX INDEX ledger.entries_pkey;',
    ].join('\n');
    expectRanges(RULE, sql, []);
  });

  it('ok: REFRESH MATERIALIZED VIEW CONCURRENTLY: its EXCLUSIVE lock keeps no reader waiting (a view takes no writes)', () => {
    expectRanges(RULE, 'REFRESH MATERIALIZED VIEW CONCURRENTLY mat_list_subscriber_stats;', []);
  });

  it('err: LOCK TABLE on a view created in the same file locks the live tables it reads', () => {
    const found = expectRanges(RULE, 'CREATE VIEW open_orders AS SELECT * FROM orders;\nLOCK TABLE open_orders IN EXCLUSIVE MODE;', ['2:1-2:11']);
    assert.match(found[0]!.message, /^EXCLUSIVE on open_orders with no lock_timeout set/);
  });

  it('err: each kind of statement that takes SHARE or stronger, with the lock it takes', () => {
    const cases: [string, string, string][] = [
      ['CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();', '1:1-1:15', 'SHARE ROW EXCLUSIVE on orders'],
      ['TRUNCATE orders;', '1:1-1:16', 'ACCESS EXCLUSIVE on orders'],
      ['REFRESH MATERIALIZED VIEW order_totals;', '1:1-1:21', 'ACCESS EXCLUSIVE on order_totals'],
      ['CLUSTER orders USING orders_pkey;', '1:1-1:15', 'ACCESS EXCLUSIVE on orders'],
      ['REINDEX TABLE orders;', '1:1-1:14', 'SHARE on orders'],
      ['VACUUM FULL orders;', '1:1-1:12', 'ACCESS EXCLUSIVE on orders'],
      ['LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE;', '1:1-1:11', 'SHARE ROW EXCLUSIVE on orders'],
    ];
    for (const [sql, range, lock] of cases) {
      const found = expectRanges(RULE, sql, [range]);
      assert.ok(found[0]!.message.startsWith(`${lock} with no lock_timeout set`), found[0]!.message);
    }
  });

  it('err: inside a DO block, without a fix (the SET goes before the block)', () => {
    const sql = 'DO $$\nBEGIN\n  ALTER TABLE orders ADD COLUMN region text;\nEND\n$$;';
    const found = expectRanges(RULE, sql, ['3:3-3:14']);
    assert.equal(found[0]!.finding.fixes, undefined);
  });

  it('ok: a DO block that sets the timeout covers the statements after it', () => {
    const sql = "DO $$\nBEGIN\n  SET lock_timeout = '2s';\n  ALTER TABLE orders ADD COLUMN a text;\nEND\n$$;\nALTER TABLE orders ADD COLUMN b text;";
    expectRanges(RULE, sql, []);
  });
});
