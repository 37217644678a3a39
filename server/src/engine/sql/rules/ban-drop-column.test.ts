import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('ban-drop-column', () => {
  it('ok: dropping a scratch column the file added earlier, in a DO block too (mattermost 000051)', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE channels ADD COLUMN lastrootat bigint;',
      "UPDATE channels SET lastrootat = 1 WHERE id = 'a';",
      'ALTER TABLE channels DROP COLUMN lastrootat;',
      'COMMIT;',
    ].join('\n');
    expectRanges('ban-drop-column', sql, []);
    expectRanges('ban-drop-column', `DO $$ BEGIN\n${sql.split('\n').slice(1, 4).join('\n')}\nEND $$;`, []);
    // IF NOT EXISTS may have found the column there, in use: still reported.
    expectRanges('ban-drop-column', 'ALTER TABLE channels ADD COLUMN IF NOT EXISTS lastrootat bigint;\nALTER TABLE channels DROP COLUMN lastrootat;', [
      '2:22-2:44',
    ]);
  });

  it('ok: dropping a column of a table created in the same file', () => {
    expectRanges('ban-drop-column', 'CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;', []);
  });

  it('err: each DROP COLUMN of a multi-action ALTER TABLE on its own range', () => {
    const sql = 'ALTER TABLE orders\n  DROP COLUMN a,\n  DROP COLUMN IF EXISTS b;';
    const found = expectRanges('ban-drop-column', sql, ['2:3-2:16', '3:3-3:26']);
    assert.match(found[0]!.message, /ACCESS EXCLUSIVE on orders: blocks reads and writes/);
  });
});
