import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('adding-exclusion-constraint', () => {
  it('ok: EXCLUDE declared with the table, or added to a table created in the same file', () => {
    const sql = [
      'CREATE TABLE reservations (room_id bigint, during tstzrange, EXCLUDE USING gist (room_id WITH =, during WITH &&));',
      'CREATE TABLE bookings (room_id bigint, during tstzrange);',
      'ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);',
    ].join('\n');
    expectRanges('adding-exclusion-constraint', sql, []);
  });

  it('err: no overlapping maintenance windows, added to a live table (strong_migrations: "adding an exclusion constraint")', () => {
    const sql = 'ALTER TABLE maintenance_windows\n  ADD CONSTRAINT maintenance_windows_no_overlap EXCLUDE USING gist (during WITH &&);';
    const found = expectRanges('adding-exclusion-constraint', sql, ['2:3-2:84']);
    assert.match(
      found[0]!.message,
      /^Adding EXCLUDE constraint maintenance_windows_no_overlap: ACCESS EXCLUSIVE on maintenance_windows: blocks reads and writes until the index is built and every row checked/,
    );
  });
});
