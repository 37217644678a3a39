import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('prefer-repack', () => {
  it('ok: plain VACUUM and ANALYZE, and VACUUM FULL / CLUSTER on a table filled earlier in the same file', () => {
    const sql = [
      'VACUUM (ANALYZE) orders;',
      'VACUUM orders;',
      'ANALYZE orders;',
      'CREATE TABLE orders_staging (id bigint PRIMARY KEY, created_at timestamptz);',
      'CREATE INDEX orders_staging_created_at_idx ON orders_staging (created_at);',
      'CLUSTER orders_staging USING orders_staging_created_at_idx;',
      'VACUUM FULL orders_staging;',
    ].join('\n');
    expectRanges('prefer-repack', sql, []);
  });

  it('err: VACUUM FULL after a big delete, in both spellings, and with no table at all', () => {
    const sql = 'VACUUM FULL public.events;\nVACUUM (FULL, ANALYZE) events, orders;\nVACUUM FULL;';
    const found = expectRanges('prefer-repack', sql, ['1:1-1:12', '2:1-2:13', '3:1-3:12']);
    assert.match(
      found[0]!.message,
      /^VACUUM FULL rewrites public\.events under ACCESS EXCLUSIVE: reads and writes are blocked until the table is rewritten\. Use pg_repack/,
    );
    assert.match(found[1]!.message, /rewrites events, orders/);
    assert.match(found[2]!.message, /rewrites every table of the database/);
  });

  it('err: CLUSTER on a live table, and CLUSTER of every clustered table', () => {
    const found = expectRanges('prefer-repack', 'CLUSTER orders USING orders_created_at_idx;\nCLUSTER;', ['1:1-1:15', '2:1-2:8']);
    assert.match(found[0]!.message, /^CLUSTER rewrites orders under ACCESS EXCLUSIVE.*pg_repack --order-by/);
    assert.match(found[1]!.message, /rewrites every clustered table/);
  });
});
