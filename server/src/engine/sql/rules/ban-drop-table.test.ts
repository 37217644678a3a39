import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('ban-drop-table', () => {
  it('ok: a table created in the same file, and dropping other kinds of objects', () => {
    const sql = [
      'CREATE TABLE tmp_order_ids (id bigint);',
      'DROP TABLE IF EXISTS tmp_order_ids;',
      'DROP VIEW IF EXISTS legacy_orders_view;',
      'DROP INDEX CONCURRENTLY IF EXISTS orders_legacy_idx;',
    ].join('\n');
    expectRanges('ban-drop-table', sql, []);
  });

  it('err: each table of a DROP TABLE list on its own name, quoted and qualified', () => {
    const sql = 'DROP TABLE IF EXISTS legacy_orders,\n  public."LegacyItems" CASCADE;';
    const found = expectRanges('ban-drop-table', sql, ['1:22-1:35', '2:3-2:23']);
    assert.match(found[0]!.message, /^Dropping table legacy_orders breaks the version still running/);
    assert.match(found[0]!.message, /ACCESS EXCLUSIVE on legacy_orders: blocks reads and writes/);
    assert.match(found[1]!.message, /^Dropping table public\.LegacyItems/);
  });

  it('err: only the existing table of a list that also names a new one', () => {
    const sql = 'CREATE TABLE tmp_order_ids (id bigint);\nDROP TABLE tmp_order_ids, legacy_orders;';
    expectRanges('ban-drop-table', sql, ['2:27-2:40']);
  });
});
