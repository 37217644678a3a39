import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('renaming-table', () => {
  it('ok: a table created in the same file, and renaming a column or an index', () => {
    const sql = [
      'CREATE TABLE refunds_new (id bigint PRIMARY KEY);',
      'ALTER TABLE refunds_new RENAME TO refunds;',
      'ALTER INDEX orders_idx RENAME TO orders_created_at_idx;',
    ].join('\n');
    expectRanges('renaming-table', sql, []);
  });

  it('err: renaming an existing table, schema-qualified', () => {
    const sql = 'ALTER TABLE public.orders\n  RENAME TO purchase_orders;';
    const found = expectRanges('renaming-table', sql, ['2:3-2:28']);
    assert.match(found[0]!.message, /^Renaming table public\.orders to purchase_orders breaks the version still running/);
    assert.match(found[0]!.message, /ACCESS EXCLUSIVE on public\.orders: blocks reads and writes/);
    assert.match(found[0]!.message, /a view named purchase_orders over public\.orders/);
  });
});
