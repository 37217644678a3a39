import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('changing-trigger', () => {
  it('ok: triggers on a table created in the same file, INSTEAD OF triggers on views, and trigger functions alone', () => {
    const sql = [
      'CREATE TABLE audit_log (id bigint PRIMARY KEY, row_data jsonb);',
      'CREATE OR REPLACE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;',
      'CREATE TRIGGER audit_log_touch BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit();',
      'ALTER TABLE audit_log DISABLE TRIGGER audit_log_touch;',
      'DROP TRIGGER IF EXISTS audit_log_touch ON audit_log;',
      'CREATE TRIGGER order_view_insert INSTEAD OF INSERT ON order_view FOR EACH ROW EXECUTE FUNCTION audit();',
    ].join('\n');
    expectRanges('changing-trigger', sql, []);
  });

  it("ok: dropping and re-creating triggers on a view, a foreign table and a schema's tables created in the same file", () => {
    const sql = [
      'CREATE VIEW order_totals AS SELECT order_id, sum(amount) AS total FROM order_lines GROUP BY order_id;',
      'CREATE TRIGGER order_totals_insert INSTEAD OF INSERT ON order_totals FOR EACH ROW EXECUTE FUNCTION order_totals_insert();',
      'DROP TRIGGER order_totals_insert ON order_totals;',
      'CREATE FOREIGN TABLE remote_orders (id bigint) SERVER warehouse;',
      'CREATE TRIGGER remote_orders_touch BEFORE INSERT ON remote_orders FOR EACH ROW EXECUTE FUNCTION touch();',
      'CREATE SCHEMA ledger CREATE TABLE entries (id bigint PRIMARY KEY);',
      'CREATE TRIGGER entries_touch AFTER INSERT ON ledger.entries FOR EACH ROW EXECUTE FUNCTION touch();',
      'DROP TRIGGER entries_touch ON ledger.entries;',
    ].join('\n');
    expectRanges('changing-trigger', sql, []);
  });

  it('err: CREATE OR REPLACE VIEW keeps the view the running version reads: dropping its trigger is a change', () => {
    const sql = ['CREATE OR REPLACE VIEW order_totals AS SELECT 1 AS total;', 'DROP TRIGGER order_totals_insert ON order_totals;'].join('\n');
    expectRanges('changing-trigger', sql, ['2:1-2:13']);
  });

  it('err: CREATE OR REPLACE TRIGGER on a live table (the lemmy / supabase pattern)', () => {
    const sql =
      'CREATE OR REPLACE TRIGGER person_aggregates_post_count\n  AFTER INSERT OR DELETE ON post\n  FOR EACH ROW EXECUTE FUNCTION person_aggregates_post_count();';
    const found = expectRanges('changing-trigger', sql, ['1:1-1:26']);
    assert.match(found[0]!.message, /^SHARE ROW EXCLUSIVE on post: blocks writes \(INSERT, UPDATE, DELETE\) briefly/);
    assert.match(found[0]!.message, /From then on person_aggregates_post_count runs inside every write the running version makes to post/);
  });

  it('err: DROP TRIGGER takes ACCESS EXCLUSIVE on its table and stops what it did', () => {
    const found = expectRanges('changing-trigger', 'DROP TRIGGER IF EXISTS orders_sync_total ON public.orders;', ['1:1-1:13']);
    assert.match(found[0]!.message, /^ACCESS EXCLUSIVE on public\.orders: blocks reads and writes briefly/);
    assert.match(found[0]!.message, /Drop it in the contract phase/);
  });

  it('err: DISABLE TRIGGER ALL also stops foreign key checks; ENABLE names the write path change', () => {
    const sql = 'ALTER TABLE orders DISABLE TRIGGER ALL;\nALTER TABLE orders ENABLE TRIGGER orders_audit;';
    const found = expectRanges('changing-trigger', sql, ['1:20-1:39', '2:20-2:47']);
    assert.match(found[0]!.message, /DISABLE TRIGGER ALL also stops enforcing foreign keys/);
    assert.match(found[1]!.message, /From then on the trigger runs inside every write/);
  });
});
