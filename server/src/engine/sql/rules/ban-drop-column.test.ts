import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('ban-drop-column', () => {
  it('ok: dropping a column of a table created in the same file', () => {
    expectRanges('ban-drop-column', 'CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;', []);
  });

  it('err: each DROP COLUMN of a multi-action ALTER TABLE on its own range', () => {
    const sql = 'ALTER TABLE orders\n  DROP COLUMN a,\n  DROP COLUMN IF EXISTS b;';
    const found = expectRanges('ban-drop-column', sql, ['2:3-2:16', '3:3-3:26']);
    assert.match(found[0]!.message, /ACCESS EXCLUSIVE on orders: blocks reads and writes/);
  });
});
