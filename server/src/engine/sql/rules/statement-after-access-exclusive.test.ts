import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('statement-after-access-exclusive', () => {
  it('ok: more changes to the same table, new tables, statements outside a transaction, and after locks weaker than ACCESS EXCLUSIVE', () => {
    const sql = [
      'BEGIN;',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;',
      'ALTER TABLE public.orders ADD COLUMN carrier text;',
      'CREATE INDEX orders_carrier_idx ON orders (carrier);',
      'CREATE TABLE shipments (id bigint PRIMARY KEY, order_id bigint);',
      'CREATE INDEX shipments_order_id_idx ON shipments (order_id);',
      'COMMIT;',
      'BEGIN;',
      'ALTER TABLE orders SET (fillfactor = 90);',
      'ALTER INDEX orders_carrier_idx RENAME TO orders_carrier_key;',
      'ALTER TABLE customers SET (autovacuum_vacuum_scale_factor = 0.01);',
      'COMMIT;',
      'ALTER TABLE customers ADD COLUMN tier text;',
      'ALTER TABLE invoices ADD COLUMN tier text;',
    ].join('\n');
    expectRanges('statement-after-access-exclusive', sql, []);
  });

  it('ok: after dropping a table (its readers fail after COMMIT anyway), and backfills (backfill-in-ddl-transaction)', () => {
    const sql = [
      'BEGIN;',
      'DROP TABLE legacy_sessions;',
      'ALTER TABLE users ADD COLUMN last_seen timestamptz;',
      'COMMIT;',
      'BEGIN;',
      'ALTER TABLE users ADD COLUMN plan text;',
      "UPDATE accounts SET plan = 'free';",
      'COMMIT;',
    ].join('\n');
    expectRanges('statement-after-access-exclusive', sql, []);
  });

  it('err: one transaction changing several live tables (the diesel / lemmy migration shape), reported once per chain', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE person ADD COLUMN matrix_user_id text;',
      'CREATE INDEX idx_post_published ON post (published);',
      'ALTER TABLE community ADD COLUMN hidden boolean DEFAULT false NOT NULL;',
      'ALTER TABLE site ADD COLUMN legal_information text;',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges('statement-after-access-exclusive', sql, ['3:1-3:13', '4:1-4:12']);
    assert.match(
      found[0]!.message,
      /^This statement takes SHARE on post while the transaction still holds ACCESS EXCLUSIVE on person: every read and write of person stays blocked/,
    );
    assert.match(found[1]!.message, /^This statement takes ACCESS EXCLUSIVE on community while/);
    const taken = found[0]!.finding.relatedHere?.[0];
    assert.equal(sql.slice(taken!.start, taken!.end), 'ALTER TABLE person ADD COLUMN matrix_user_id text');
  });

  it('err: a file run in one transaction (assumeInTransaction), and a DO block', () => {
    const sql = 'ALTER TABLE orders RENAME COLUMN note TO remark;\nALTER TABLE customers VALIDATE CONSTRAINT customers_email_check;';
    expectRanges('statement-after-access-exclusive', sql, ['2:1-2:12'], { assumeInTransaction: true });
    const block = 'DO $$\nBEGIN\n  ALTER TABLE orders ADD COLUMN a int;\n  ALTER TABLE customers ADD COLUMN b int;\nEND\n$$;';
    expectRanges('statement-after-access-exclusive', block, ['4:3-4:14']);
  });
});
