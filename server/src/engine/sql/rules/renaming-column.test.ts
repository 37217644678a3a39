import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('renaming-column', () => {
  it('ok: a table created in the same file, and renames of other things', () => {
    const sql = [
      'CREATE TABLE refunds (id bigint PRIMARY KEY, amt bigint);',
      'ALTER TABLE refunds RENAME COLUMN amt TO amount_cents;',
      'ALTER TABLE orders RENAME CONSTRAINT orders_check TO orders_total_check;',
      'ALTER INDEX orders_idx RENAME TO orders_created_at_idx;',
    ].join('\n');
    expectRanges('renaming-column', sql, []);
  });

  it('ok: a column the same file added (ente 90: id_text renamed to the id it replaces); err: one added IF NOT EXISTS may be live', () => {
    const sql = ['ALTER TABLE entity_data ADD COLUMN id_text text;', 'ALTER TABLE entity_data RENAME COLUMN id_text TO id;'].join('\n');
    expectRanges('renaming-column', sql, []);
    expectRanges('renaming-column', sql.replace('ADD COLUMN', 'ADD COLUMN IF NOT EXISTS').replace('TO id;', 'TO id_str;'), ['2:25-2:56']);
  });

  it('err: RENAME COLUMN and RENAME without COLUMN, from RENAME to the end', () => {
    const sql = 'ALTER TABLE orders RENAME COLUMN total TO total_cents;\nALTER TABLE IF EXISTS public.orders\n  RENAME note TO customer_note;';
    const found = expectRanges('renaming-column', sql, ['1:20-1:54', '3:3-3:31']);
    assert.match(found[0]!.message, /^Renaming orders\.total to total_cents breaks the version still running/);
    assert.match(found[0]!.message, /ACCESS EXCLUSIVE on orders: blocks reads and writes/);
    assert.match(found[1]!.message, /^Renaming public\.orders\.note to customer_note/);
  });
});
