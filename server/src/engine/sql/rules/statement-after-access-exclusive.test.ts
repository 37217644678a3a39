import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges, expectRangesAfter } from '../../../../../test/helpers/lint';

describe('statement-after-access-exclusive', () => {
  it('ok: more changes to the same table, new tables, statements outside a transaction, and after locks weaker than ACCESS EXCLUSIVE', () => {
    const sql = [
      'BEGIN;',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;',
      'ALTER TABLE public.orders ADD COLUMN carrier text;',
      "SELECT set_config('statement_timeout', '5s', true);",
      'CREATE TABLE shipments (id bigint PRIMARY KEY, order_id bigint);',
      'CREATE INDEX shipments_order_id_idx ON shipments (order_id);',
      'SELECT count(*) FROM shipments;',
      'ALTER TABLE orders ADD CONSTRAINT orders_carrier_check CHECK (carrier <> $$$$) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_carrier_check;',
      'COMMIT;',
      'BEGIN;',
      'ALTER TABLE orders SET (fillfactor = 90);',
      'ALTER INDEX orders_carrier_idx RENAME TO orders_carrier_key;',
      'SELECT relname FROM pg_class WHERE relname = $$orders$$;',
      'ALTER TABLE customers SET (autovacuum_vacuum_scale_factor = 0.01);',
      'COMMIT;',
      'ALTER TABLE customers ADD COLUMN tier text;',
      'ALTER TABLE invoices ADD COLUMN tier text;',
    ].join('\n');
    expectRanges('statement-after-access-exclusive', sql, []);
  });

  it('err: a foreign key added to the locked table or to a new one waits for the live table it references', () => {
    const sql = [
      'BEGIN;',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE campaigns ADD COLUMN archive boolean NOT NULL DEFAULT false;',
      'ALTER TABLE campaigns ADD COLUMN archive_template_id integer REFERENCES templates (id);',
      'COMMIT;',
      'BEGIN;',
      'ALTER TABLE "Webhook" ADD COLUMN "secret" text;',
      'CREATE TABLE "WebhookScheduledTriggers" ("id" bigint PRIMARY KEY, "bookingId" integer);',
      'ALTER TABLE "WebhookScheduledTriggers" ADD CONSTRAINT "WebhookScheduledTriggers_bookingId_fkey" FOREIGN KEY ("bookingId") REFERENCES "Booking" ("id");',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges('statement-after-access-exclusive', sql, ['4:1-4:12', '9:1-9:12']);
    assert.match(
      found[0]!.message,
      /^This statement takes SHARE ROW EXCLUSIVE on templates while an earlier statement of the transaction took ACCESS EXCLUSIVE on campaigns/,
    );
    assert.match(
      found[1]!.message,
      /^This statement takes SHARE ROW EXCLUSIVE on Booking while an earlier statement of the transaction took ACCESS EXCLUSIVE on Webhook/,
    );
    // A key to the locked table itself, or to a new table, waits for nothing more.
    const self = [
      'BEGIN;',
      'ALTER TABLE users ADD COLUMN manager_id bigint REFERENCES users (id);',
      'CREATE TABLE teams (id bigint PRIMARY KEY);',
      'ALTER TABLE users ADD COLUMN team_id bigint REFERENCES teams (id);',
      'COMMIT;',
    ];
    expectRanges('statement-after-access-exclusive', self.join('\n'), []);
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

  it('ok: a live table renamed in the transaction, under its new name: the lock is on the same table', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE river_migration RENAME TO river_migration_old;',
      'CREATE TABLE river_migration (line TEXT NOT NULL, version bigint NOT NULL);',
      'ALTER TABLE river_migration_old ADD COLUMN line TEXT;',
      'DROP TABLE river_migration_old;',
      'COMMIT;',
    ].join('\n');
    expectRanges('statement-after-access-exclusive', sql, []);
  });

  it("ok: DROP INDEX of an index an earlier migration made on the locked table (trigger.dev's JobEventRule)", () => {
    const earlier = [
      'CREATE TABLE "JobEventRule" ("id" TEXT NOT NULL, "jobInstanceId" TEXT NOT NULL, "taskId" TEXT, CONSTRAINT "JobEventRule_pkey" PRIMARY KEY ("id"));',
      'CREATE UNIQUE INDEX "JobEventRule_taskId_key" ON "JobEventRule"("taskId");\nCREATE UNIQUE INDEX "JobEventRule_jobInstanceId_taskId_key" ON "JobEventRule"("jobInstanceId", "taskId");',
    ];
    const sql = [
      '-- DropForeignKey',
      'ALTER TABLE "JobEventRule" DROP CONSTRAINT "JobEventRule_taskId_fkey";',
      'DROP INDEX "JobEventRule_jobInstanceId_taskId_key";',
      'DROP INDEX "JobEventRule_taskId_key";',
      'ALTER TABLE "JobEventRule" DROP COLUMN "taskId";',
    ].join('\n');
    expectRangesAfter('statement-after-access-exclusive', earlier, sql, [], { assumeInTransaction: 'implicit' });
    // Made earlier in the same file, on the table it then locks.
    const sameFile = [
      'BEGIN;',
      'CREATE INDEX orders_region_idx ON orders (region);',
      'ALTER TABLE orders ADD COLUMN note text;',
      'DROP INDEX orders_region_idx;',
      'COMMIT;',
    ];
    expectRanges('statement-after-access-exclusive', sameFile.join('\n'), []);
  });

  it('err: DROP INDEX of an index of another table, or of one no migration shows', () => {
    const earlier = ['CREATE TABLE customers (id bigint PRIMARY KEY, email text);\nCREATE INDEX customers_email_idx ON customers (email);'];
    const sql = ['BEGIN;', 'ALTER TABLE orders ADD COLUMN note text;', 'DROP INDEX customers_email_idx;', 'COMMIT;'].join('\n');
    const found = expectRangesAfter('statement-after-access-exclusive', earlier, sql, ['3:1-3:11'], {});
    // The earlier migration says which table the index is on.
    assert.match(
      found[0]!.message,
      /^This statement takes ACCESS EXCLUSIVE on customers while an earlier statement of the transaction took ACCESS EXCLUSIVE on orders/,
    );
    const [unknown] = expectRangesAfter('statement-after-access-exclusive', [], sql, ['3:1-3:11'], {});
    assert.match(unknown!.message, /^This statement takes ACCESS EXCLUSIVE on the table of customers_email_idx while/);
  });

  it("err: after a dropped table's name is given to a new table (synapse's swap), whose readers wait until COMMIT", () => {
    const sql = [
      'BEGIN;',
      'CREATE TABLE e2e_room_keys_versions_new (user_id TEXT NOT NULL, version BIGINT NOT NULL);',
      'INSERT INTO e2e_room_keys_versions_new SELECT user_id, version FROM e2e_room_keys_versions;',
      'DROP TABLE e2e_room_keys_versions;',
      'ALTER TABLE e2e_room_keys_versions_new RENAME TO e2e_room_keys_versions;',
      'DROP TABLE e2e_room_keys;',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges('statement-after-access-exclusive', sql, ['6:1-6:11']);
    assert.match(
      found[0]!.message,
      /^This statement takes ACCESS EXCLUSIVE on e2e_room_keys while an earlier statement of the transaction took ACCESS EXCLUSIVE on e2e_room_keys_versions/,
    );
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
      /^This statement takes SHARE on post while an earlier statement of the transaction took ACCESS EXCLUSIVE on person, held until COMMIT: every read and write of person stays blocked/,
    );
    assert.match(found[1]!.message, /^This statement takes ACCESS EXCLUSIVE on community while/);
    const taken = found[0]!.finding.relatedHere?.[0];
    assert.equal(sql.slice(taken!.start, taken!.end), 'ALTER TABLE person ADD COLUMN matrix_user_id text');
  });

  it('err: a query or a validation on the locked table (Eugene E4: "select count(*) from authors"); index builds are require-concurrent-index-creation findings', () => {
    const sql = [
      'BEGIN;',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE authors ADD COLUMN email text;',
      'SELECT count(*) FROM authors;',
      'CREATE INDEX authors_email_idx ON authors (email);',
      'ALTER TABLE authors VALIDATE CONSTRAINT authors_name_check;',
      'WITH recent AS (SELECT id FROM books) SELECT * FROM recent;',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges('statement-after-access-exclusive', sql, ['4:1-4:13', '6:1-6:12', '7:1-7:12']);
    assert.match(
      found[0]!.message,
      /^This query reads authors while an earlier statement of the transaction took ACCESS EXCLUSIVE on authors, held until COMMIT: every read and write of authors stays blocked until it finishes/,
    );
    assert.match(
      found[1]!.message,
      /^VALIDATE CONSTRAINT on authors would let reads and writes go on by itself, but an earlier statement of the transaction took ACCESS EXCLUSIVE on authors/,
    );
    assert.match(found[2]!.message, /^This query reads books while/);
  });

  it('err: a materialized view or a table filled from a query of live tables (CREATE … AS SELECT); ok WITH NO DATA or from new tables', () => {
    const sql = [
      'BEGIN;',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN note text;',
      'CREATE MATERIALIZED VIEW order_stats AS SELECT customer_id, count(*) FROM orders GROUP BY customer_id;',
      'CREATE TABLE customer_copy AS SELECT * FROM customers;',
      'CREATE MATERIALIZED VIEW order_ids AS SELECT id FROM orders WITH NO DATA;',
      'CREATE TABLE drafts (id bigint);',
      'CREATE TABLE draft_copy AS SELECT * FROM drafts;',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges('statement-after-access-exclusive', sql, ['4:1-4:20', '5:1-5:13']);
    assert.match(found[0]!.message, /^This query reads orders while an earlier statement of the transaction took ACCESS EXCLUSIVE on orders/);
    assert.match(found[1]!.message, /^This query reads customers while/);
  });

  it('ok: a foreign key dropped and added again under its name (Prisma changing ON DELETE): the drop already locked the table it references', () => {
    const sql = [
      'ALTER TABLE "BookingReference" DROP CONSTRAINT "BookingReference_bookingId_fkey";',
      'ALTER TABLE "BookingReference" ADD CONSTRAINT "BookingReference_bookingId_fkey" FOREIGN KEY ("bookingId") REFERENCES "Booking"("id") ON DELETE CASCADE ON UPDATE CASCADE;',
    ].join('\n');
    expectRanges('statement-after-access-exclusive', sql, [], { assumeInTransaction: 'implicit' });
    // A key of another name waits for a table the drop may not have locked.
    expectRanges(
      'statement-after-access-exclusive',
      sql.replace('ADD CONSTRAINT "BookingReference_bookingId_fkey"', 'ADD CONSTRAINT "BookingReference_booking_fkey"'),
      ['2:1-2:12'],
      {
        assumeInTransaction: 'implicit',
      },
    );
  });

  it("err: a materialized view dropped and built again under its name: its readers wait through the query (mattermost's AttributeView)", () => {
    const sql = [
      'BEGIN;',
      'DROP MATERIALIZED VIEW IF EXISTS attribute_view;',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS attribute_view AS SELECT pv.target_id, count(*) FROM property_values pv GROUP BY pv.target_id;',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges('statement-after-access-exclusive', sql, ['3:1-3:20']);
    assert.match(found[0]!.message, /^This query reads property_values while an earlier statement of the transaction took ACCESS EXCLUSIVE on attribute_view/);
    // A scratch table built again from a query (synapse's _extremities_to_check) is no view the running version reads.
    expectRanges(
      'statement-after-access-exclusive',
      'BEGIN;\nDROP TABLE IF EXISTS _extremities_to_check;\nCREATE TABLE _extremities_to_check AS SELECT event_id FROM event_forward_extremities;\nCOMMIT;',
      [],
    );
    // Dropped for good, or built under another name: its readers fail after COMMIT anyway.
    expectRanges('statement-after-access-exclusive', sql.replace('VIEW IF NOT EXISTS attribute_view AS', 'VIEW attribute_view_v2 AS'), []);
  });

  it("err: Eugene's E4 as written for a tool that runs each file in a transaction: SET LOCAL, no BEGIN", () => {
    const sql = ["SET LOCAL lock_timeout = '2s';", 'ALTER TABLE authors ADD COLUMN email text;', 'SELECT count(*) FROM authors;'].join('\n');
    expectRanges('statement-after-access-exclusive', sql, ['3:1-3:13']);
    // Plain SET: nothing says the file runs in a transaction.
    expectRanges('statement-after-access-exclusive', sql.replace('SET LOCAL', 'SET'), []);
  });

  it('err: a file run in one transaction (assumeInTransaction), and a DO block', () => {
    const sql = 'ALTER TABLE orders RENAME COLUMN note TO remark;\nALTER TABLE customers VALIDATE CONSTRAINT customers_email_check;';
    expectRanges('statement-after-access-exclusive', sql, ['2:1-2:12'], { assumeInTransaction: true });
    const block = 'DO $$\nBEGIN\n  ALTER TABLE orders ADD COLUMN a int;\n  ALTER TABLE customers ADD COLUMN b int;\nEND\n$$;';
    expectRanges('statement-after-access-exclusive', block, ['4:3-4:14']);
  });

  it('ok: ALTER INDEX … RENAME after the lock locks the index alone on PostgreSQL 12+ (cal.com); before 12, its table', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE "VerificationRequest" RENAME TO "VerificationToken";',
      'ALTER INDEX IF EXISTS "VerificationRequest_pkey" RENAME TO "VerificationToken_pkey";',
      'COMMIT;',
    ].join('\n');
    expectRanges('statement-after-access-exclusive', sql, []);
    expectRanges('statement-after-access-exclusive', sql, ['3:1-3:12'], { pgVersion: 11 });
  });
});
