import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges, expectRangesAfter } from '../../../../../test/helpers/lint';

const RULE = 'require-statement-timeout';

describe(RULE, () => {
  it('ok: SET statement_timeout first (plain, SET LOCAL, set_config), catalog-only changes, new tables', () => {
    const rewrite = 'ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);';
    expectRanges(RULE, `SET statement_timeout = '5s';\n${rewrite}`, []);
    expectRanges(RULE, `BEGIN;\nSET LOCAL statement_timeout = '5s';\n${rewrite}\nCOMMIT;`, []);
    expectRanges(RULE, `SELECT set_config('statement_timeout', '5s', false);\n${rewrite}`, []);
    // Only a catalog change (brief), or concurrent: require-lock-timeout's concern, not this one.
    expectRanges(RULE, 'ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);', []);
    expectRanges(RULE, 'CREATE TABLE refunds (id bigint);\nCREATE INDEX refunds_id_idx ON refunds (id);', []);
  });

  it('ok: SET NOT NULL proven by a validated CHECK (PostgreSQL 12+ skips the scan), REFRESH … CONCURRENTLY, work on tables this file created', () => {
    const notNull = [
      "SET lock_timeout = '2s';",
      'ALTER TABLE fees ADD CONSTRAINT fees_currency_not_null CHECK (amount_currency IS NOT NULL) NOT VALID;',
      'ALTER TABLE fees VALIDATE CONSTRAINT fees_currency_not_null;',
      'ALTER TABLE fees ALTER COLUMN amount_currency SET NOT NULL;',
    ].join('\n');
    expectRanges(RULE, notNull, []);
    expectRanges(RULE, notNull, ['4:1-4:12'], { pgVersion: 11 });
    expectRanges(RULE, 'REFRESH MATERIALIZED VIEW CONCURRENTLY mat_list_subscriber_stats;', []);
    // Empty or filled, nobody uses a new table yet: its own index and key build block no one, nor does a key that checks no row (NOT VALID, a new column).
    const filled = [
      'CREATE TABLE subscriber_archive AS SELECT id, email FROM subscribers;',
      'ALTER TABLE subscriber_archive ADD PRIMARY KEY (id);',
      'CREATE INDEX subscriber_archive_email_idx ON subscriber_archive (email);',
      'ALTER TABLE subscriber_archive ADD CONSTRAINT subscriber_archive_fkey FOREIGN KEY (id) REFERENCES subscribers (id) NOT VALID;',
      'ALTER TABLE subscriber_archive ADD COLUMN list_id bigint REFERENCES lists (id);',
      'CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);',
      'ALTER TABLE refunds ADD FOREIGN KEY (order_id) REFERENCES orders (id);',
    ].join('\n');
    expectRanges(RULE, filled, []);
  });

  it('err: a foreign key on a table this file filled from a query is checked row by row while the live referenced table is locked', () => {
    for (const create of [
      'CREATE TABLE subscriber_archive AS SELECT id, email FROM subscribers;',
      'CREATE TABLE subscriber_archive (id bigint, email text);\nINSERT INTO subscriber_archive SELECT id, email FROM subscribers;',
    ]) {
      const sql = `${create}\nALTER TABLE subscriber_archive ADD CONSTRAINT subscriber_archive_fkey FOREIGN KEY (id) REFERENCES subscribers (id);`;
      const line = sql.split('\n').length;
      const found = expectRanges(RULE, sql, [`${line}:1-${line}:12`]);
      assert.match(found[0]!.message, /holds SHARE ROW EXCLUSIVE on subscribers for as long as its work takes \(blocks writes \(INSERT, UPDATE, DELETE\)\)/);
    }
  });

  it("ok: a CONCURRENTLY index in a transaction does no work: PostgreSQL refuses it (mattermost's nontransactional file of several statements)", () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE posts ADD COLUMN IF NOT EXISTS haslink boolean;',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_posts_has_link ON posts (haslink);',
      'COMMIT;',
    ].join('\n');
    expectRanges(RULE, sql, []);
    // A plain CREATE INDEX runs, and holds SHARE (writes wait) for as long as the build takes.
    expectRanges(RULE, sql.replace('BEGIN;', '').replace('COMMIT;', '').replace(' CONCURRENTLY', ''), ['3:1-3:13']);
  });

  it('err: reported once, on the first statement that holds a lock while it works, with a fix', () => {
    const sql =
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\nCREATE INDEX orders_note_idx ON orders (note);\n";
    const found = expectRanges(RULE, sql, ['3:1-3:12']);
    assert.match(
      found[0]!.message,
      /^No statement_timeout is set, and this statement holds ACCESS EXCLUSIVE on orders for as long as its work takes \(blocks reads and writes\)/,
    );
    assert.equal(
      applyFix(sql, found[0]!.finding),
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;\nSET statement_timeout = '5s';\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\nCREATE INDEX orders_note_idx ON orders (note);\n",
    );
  });

  it('err: a column added with a CHECK is checked against every row (coder 000416); a UNIQUE one builds its index', () => {
    const sql =
      "SET lock_timeout = '2s';\nALTER TABLE provisioner_jobs ADD COLUMN logs_length integer NOT NULL DEFAULT 0 CONSTRAINT max_logs CHECK (logs_length <= 1048576);";
    const found = expectRanges(RULE, sql, ['2:1-2:12']);
    assert.match(found[0]!.message, /holds ACCESS EXCLUSIVE on provisioner_jobs for as long as its work takes/);
    expectRanges(RULE, "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN handle text UNIQUE;", ['2:1-2:12']);
    expectRanges(RULE, "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN handle text;", []);
  });

  it('err: VALIDATE CONSTRAINT in the transaction that added the constraint scans while the added lock is held (ente, supabase/storage)', () => {
    const sql = [
      'BEGIN;',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE storage.buckets ADD CONSTRAINT buckets_name_length CHECK (char_length(name) <= 100) NOT VALID;',
      'ALTER TABLE storage.buckets VALIDATE CONSTRAINT buckets_name_length;',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges(RULE, sql, ['4:1-4:12']);
    assert.match(
      found[0]!.message,
      /^No statement_timeout is set, and an earlier statement of the transaction took ACCESS EXCLUSIVE on storage\.buckets, held until COMMIT, and this statement works for as long as it takes \(blocks reads and writes meanwhile\)/,
    );
    // A foreign key's SHARE ROW EXCLUSIVE blocks writes meanwhile.
    const fk = sql
      .replace('CHECK (char_length(name) <= 100)', 'FOREIGN KEY (owner_id) REFERENCES users (id)')
      .replaceAll('buckets_name_length', 'buckets_owner_fk');
    assert.match(expectRanges(RULE, fk, ['4:1-4:12'])[0]!.message, /took SHARE ROW EXCLUSIVE on storage\.buckets/);
    // Committed first, VALIDATE lets traffic go on.
    expectRanges(RULE, sql.replace('BEGIN;\n', '').replace('SET LOCAL', 'SET').replace('\nCOMMIT;', ''), []);
  });

  it('err: SET LOCAL ends at COMMIT; 0 and RESET turn it off', () => {
    expectRanges(RULE, "BEGIN;\nSET LOCAL statement_timeout = '5s';\nCOMMIT;\nCREATE INDEX orders_note_idx ON orders (note);", ['4:1-4:13']);
    expectRanges(RULE, "SET statement_timeout = '5s';\nRESET ALL;\nCREATE INDEX orders_note_idx ON orders (note);", ['3:1-3:13']);
    expectRanges(RULE, 'SET statement_timeout = 0;\nCREATE INDEX orders_note_idx ON orders (note);', ['2:1-2:13']);
  });

  it('ok: a type change an earlier migration makes rewrite-free, and a SET NOT NULL its validated CHECK proves (PostgreSQL 12+)', () => {
    const earlier = ['CREATE TABLE variable (path text PRIMARY KEY, value varchar(10000));'];
    expectRangesAfter(RULE, earlier, 'ALTER TABLE variable ALTER COLUMN value TYPE varchar(15000);', []);
    expectRangesAfter(RULE, earlier, 'ALTER TABLE variable ALTER COLUMN value TYPE text, ALTER COLUMN value DROP NOT NULL;', []);
    const checked = ['CREATE TABLE variable (path text PRIMARY KEY, value text, CONSTRAINT value_nn CHECK (value IS NOT NULL));'];
    expectRangesAfter(RULE, checked, 'ALTER TABLE variable ALTER COLUMN value SET NOT NULL;', []);
  });

  it('err: once per file, the first statement that the earlier migrations leave long (what they make brief gives way to the next)', () => {
    const earlier = ['CREATE TABLE variable (path text PRIMARY KEY, value varchar(10000), size int);'];
    const widen = 'ALTER TABLE variable ALTER COLUMN value TYPE varchar(15000);';
    const rewrite = 'ALTER TABLE variable ALTER COLUMN size TYPE bigint;';
    expectRangesAfter(RULE, earlier, `${widen}\n${rewrite}`, ['2:1-2:12']);
    // Without the earlier migration the first one is reported, and only it.
    expectRangesAfter(RULE, [], `${widen}\n${rewrite}`, ['1:1-1:12']);
    expectRanges(RULE, `${widen}\n${rewrite}`, ['1:1-1:12']);
    // Narrowing rewrites: the earlier type makes it no briefer.
    expectRangesAfter(RULE, earlier, 'ALTER TABLE variable ALTER COLUMN value TYPE varchar(100);', ['1:1-1:12']);
  });
});
