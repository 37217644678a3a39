import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('require-concurrent-reindex', () => {
  it('ok: CONCURRENTLY in either spelling, REINDEX SYSTEM, and a table or index created in the same file', () => {
    const sql = [
      'REINDEX INDEX CONCURRENTLY orders_status_idx;',
      'REINDEX (CONCURRENTLY, VERBOSE) TABLE orders;',
      'REINDEX SYSTEM;',
      'CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);',
      'CREATE INDEX refunds_order_id_idx ON refunds (order_id);',
      'REINDEX TABLE refunds;',
      'REINDEX INDEX refunds_order_id_idx;',
    ].join('\n');
    expectRanges('require-concurrent-reindex', sql, []);
  });

  it("ok: the indexes behind a new table's PRIMARY KEY, UNIQUE and EXCLUDE constraints, and a schema created in the same file", () => {
    const sql = [
      'CREATE TABLE bookings (id bigint PRIMARY KEY, code text UNIQUE, room int, during tstzrange, UNIQUE (room, code));',
      'ALTER TABLE bookings ADD EXCLUDE USING gist (room WITH =, (during::tstzrange) WITH &&);',
      'ALTER TABLE bookings ADD CONSTRAINT bookings_code_uq UNIQUE (code);',
      'REINDEX INDEX bookings_pkey;',
      'REINDEX INDEX bookings_code_key;',
      'REINDEX INDEX bookings_room_code_key;',
      'REINDEX INDEX bookings_room_during_excl;',
      'REINDEX INDEX bookings_code_uq;',
      'REINDEX TABLE bookings_pkey;',
      'CREATE SCHEMA billing CREATE TABLE invoices (id bigint PRIMARY KEY);',
      'REINDEX SCHEMA billing;',
      'REINDEX INDEX billing.invoices_pkey;',
    ].join('\n');
    expectRanges('require-concurrent-reindex', sql, []);
  });

  it('err: the constraint index of a table the file did not create, and a schema it did not create', () => {
    const sql = ['CREATE TABLE bookings (id bigint PRIMARY KEY);', 'REINDEX INDEX users_pkey;', 'REINDEX SCHEMA billing;', 'REINDEX DATABASE app;'].join('\n');
    expectRanges('require-concurrent-reindex', sql, ['2:1-2:14', '3:1-3:15', '4:1-4:17']);
  });

  it('err: REINDEX INDEX after a corruption fix (the glibc collation case), with the fix adding CONCURRENTLY', () => {
    const sql = '-- glibc 2.28 changed the collation\nREINDEX INDEX public.users_email_key;\n';
    const found = expectRanges('require-concurrent-reindex', sql, ['2:1-2:14']);
    assert.match(found[0]!.message, /^REINDEX takes ACCESS EXCLUSIVE on public\.users_email_key \(the index\) and SHARE on its table/);
    assert.match(found[0]!.message, /since the planner locks every index of a table/);
    assert.equal(applyFix(sql, found[0]!.finding), '-- glibc 2.28 changed the collation\nREINDEX INDEX CONCURRENTLY public.users_email_key;\n');
  });

  it('err: REINDEX TABLE in a transaction gets no fix; before PostgreSQL 12 the advice is a rebuilt copy', () => {
    const inTransaction = expectRanges('require-concurrent-reindex', 'BEGIN;\nREINDEX TABLE orders;\nCOMMIT;', ['2:1-2:14']);
    assert.match(inTransaction[0]!.message, /SHARE on orders, and ACCESS EXCLUSIVE on its indexes one at a time/);
    assert.equal(inTransaction[0]!.finding.fixes, undefined);
    const old = expectRanges('require-concurrent-reindex', 'REINDEX DATABASE app;', ['1:1-1:17'], { pgVersion: 11 });
    assert.match(old[0]!.message, /PostgreSQL 11 has no REINDEX CONCURRENTLY \(12\+\)/);
    assert.equal(old[0]!.finding.fixes, undefined);
  });
});
