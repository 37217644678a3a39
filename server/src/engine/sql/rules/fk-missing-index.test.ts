import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges, expectRangesAfter } from '../../../../../test/helpers/lint';

const RULE = 'fk-missing-index';

describe(RULE, () => {
  it('ok: an index later in the file, a primary key or unique constraint that leads with the columns', () => {
    // kratos-style: the table, then its indexes
    const sql = [
      'CREATE TABLE identity_credentials (',
      '  id uuid PRIMARY KEY,',
      '  identity_id uuid NOT NULL REFERENCES identities (id) ON DELETE CASCADE,',
      '  nid uuid REFERENCES networks (id),',
      '  type_id uuid NOT NULL,',
      '  CONSTRAINT credentials_type_fk FOREIGN KEY (type_id) REFERENCES identity_credential_types (id),',
      '  UNIQUE (type_id, identity_id)',
      ');',
      'CREATE INDEX identity_credentials_nid_idx ON identity_credentials (nid, id);',
      'CREATE INDEX identity_credentials_identity_id_idx ON identity_credentials (identity_id);',
    ].join('\n');
    expectRanges(RULE, sql, []);
  });

  it("ok: a partial index WHERE the column IS NOT NULL serves the key's lookups (synapse's sliding_sync_connection_lazy_members)", () => {
    const sql = [
      'CREATE TABLE lazy_members (connection_key bigint NOT NULL, connection_position bigint REFERENCES connection_positions (id) ON DELETE CASCADE);',
      'CREATE INDEX lazy_members_pos_idx ON lazy_members (connection_position) WHERE connection_position IS NOT NULL;',
    ].join('\n');
    expectRanges(RULE, sql, []);
    // Another predicate leaves out rows the key's lookups need.
    expectRanges(RULE, sql.replace('WHERE connection_position IS NOT NULL', 'WHERE connection_key > 0'), ['1:87-1:118']);
  });

  it("ok: a primary key or unique index on some of the key's columns finds its one row (ente's trash)", () => {
    const sql = [
      'CREATE TABLE trash (',
      '  file_id bigint NOT NULL,',
      '  collection_id bigint NOT NULL,',
      '  PRIMARY KEY (file_id),',
      '  CONSTRAINT fk_trash_keys_collection_files FOREIGN KEY (file_id, collection_id) REFERENCES collection_files (file_id, collection_id)',
      ');',
    ].join('\n');
    expectRanges(RULE, sql, []);
    // A plain index on one of them may still hold many rows per value.
    expectRanges(RULE, sql.replace('  PRIMARY KEY (file_id),\n', '').replace(');', ');\nCREATE INDEX trash_file_id_idx ON trash (file_id);'), ['4:3-4:109']);
    // An earlier migration's unique index serves too.
    expectRangesAfter(
      RULE,
      ['CREATE TABLE trash (file_id bigint, collection_id bigint);', 'CREATE UNIQUE INDEX trash_file_idx ON trash (file_id);'],
      'ALTER TABLE trash ADD COLUMN IF NOT EXISTS collection_id bigint REFERENCES collection_files (id);\nALTER TABLE trash ADD FOREIGN KEY (file_id, collection_id) REFERENCES collection_files (file_id, collection_id) NOT VALID;',
      ['1:65-1:92'],
    );
  });

  it('ok: a foreign key on an existing column of a live table (its index may predate this file)', () => {
    expectRanges(RULE, 'ALTER TABLE sessions ADD CONSTRAINT sessions_identity_fk FOREIGN KEY (identity_id) REFERENCES identities (id) NOT VALID;', []);
  });

  it('err: a foreign key added by ADD CONSTRAINT on a column this file added to a live table (Prisma), in the same statement or later', () => {
    const sql = [
      'ALTER TABLE "Booking" ADD COLUMN "eventTypeId" INTEGER;',
      'ALTER TABLE "Booking" ADD CONSTRAINT "Booking_eventTypeId_fkey" FOREIGN KEY ("eventTypeId") REFERENCES "EventType"("id") NOT VALID;',
      'ALTER TABLE invoices ADD COLUMN wallet_id uuid, ADD CONSTRAINT fk_invoices_wallet FOREIGN KEY (wallet_id) REFERENCES wallets (id) NOT VALID;',
      'ALTER TABLE invoices ADD CONSTRAINT fk_invoices_customer FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
    ].join('\n');
    const found = expectRanges(RULE, sql, ['2:27-2:115', '3:53-3:125']);
    assert.match(found[0]!.message, /Add CREATE INDEX CONCURRENTLY "Booking_eventTypeId_idx" ON "Booking" \("eventTypeId"\);$/);
  });

  it('err: a new table whose foreign key column has no index, with a fix that adds one', () => {
    const sql = 'CREATE TABLE refunds (\n  id bigint PRIMARY KEY,\n  order_id bigint NOT NULL REFERENCES public.orders (id),\n  amount numeric\n);\n';
    const found = expectRanges(RULE, sql, ['3:28-3:52']);
    assert.equal(found[0]!.finding.severity, 'hint');
    assert.match(found[0]!.message, /^No index on refunds \(order_id\) in this file: every DELETE of a public\.orders row/);
    assert.equal(
      applyFix(sql, found[0]!.finding),
      'CREATE TABLE refunds (\n  id bigint PRIMARY KEY,\n  order_id bigint NOT NULL REFERENCES public.orders (id),\n  amount numeric\n);\nCREATE INDEX refunds_order_id_idx ON refunds (order_id);\n',
    );
  });

  it('err: a composite key whose index leads with another column, and a column added to a live table', () => {
    const sql = [
      'CREATE TABLE line_items (order_id bigint, product_id bigint, CONSTRAINT line_items_product_fk FOREIGN KEY (product_id) REFERENCES products);',
      'CREATE INDEX line_items_order_product_idx ON line_items (order_id, product_id);',
      'ALTER TABLE sessions ADD COLUMN device_id uuid REFERENCES devices (id);',
    ].join('\n');
    const found = expectRanges(RULE, sql, ['1:62-1:139', '3:48-3:66']);
    assert.match(found[1]!.message, /Add CREATE INDEX CONCURRENTLY sessions_device_id_idx ON sessions \(device_id\);$/);
    assert.deepEqual(found[1]!.finding.fixes, undefined);
  });

  // supabase/auth-style: an earlier migration made the table and its index; a later one restates it idempotently.
  const EARLIER = ['CREATE TABLE sessions (id uuid PRIMARY KEY, user_id uuid);', 'CREATE INDEX sessions_user_id_idx ON sessions (user_id);'];
  const RESTATED = [
    'CREATE TABLE IF NOT EXISTS sessions (id uuid PRIMARY KEY, user_id uuid REFERENCES users (id));',
    'ALTER TABLE sessions ADD COLUMN IF NOT EXISTS user_id uuid REFERENCES users (id);',
  ].join('\n');

  it('ok: an earlier file of the folder created the index', () => {
    expectRangesAfter(RULE, EARLIER, RESTATED, []);
    expectRangesAfter(RULE, [EARLIER.join('\n')], RESTATED, []);
  });

  it('err: the index was dropped again in between, or the table created anew', () => {
    expectRangesAfter(RULE, [...EARLIER, 'DROP INDEX CONCURRENTLY IF EXISTS public.sessions_user_id_idx;'], RESTATED, ['1:72-1:88', '2:60-2:76']);
    expectRangesAfter(RULE, [...EARLIER, 'ALTER TABLE sessions DROP COLUMN user_id;'], RESTATED, ['1:72-1:88', '2:60-2:76']);
    expectRangesAfter(RULE, EARLIER, 'DROP TABLE sessions;\nCREATE TABLE sessions (id uuid PRIMARY KEY, user_id uuid REFERENCES users (id));', ['2:58-2:74']);
    // An index on other leading columns does not serve the key.
    expectRangesAfter(RULE, ['CREATE TABLE sessions (id uuid PRIMARY KEY, user_id uuid);', 'CREATE INDEX ON sessions (id, user_id);'], RESTATED, [
      '1:72-1:88',
      '2:60-2:76',
    ]);
  });
});
