import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('ban-truncate-cascade', () => {
  it('ok: TRUNCATE naming its tables, with or without RESTRICT', () => {
    expectRanges('ban-truncate-cascade', 'TRUNCATE TABLE staging_orders, staging_items;\nTRUNCATE staging_events RESTRICT;', []);
  });

  it('err: CASCADE, on the keyword', () => {
    const sql = 'TRUNCATE TABLE public.staging_orders, staging_items\n  RESTART IDENTITY CASCADE;';
    const found = expectRanges('ban-truncate-cascade', sql, ['2:20-2:27']);
    assert.match(found[0]!.message, /^TRUNCATE public\.staging_orders, staging_items CASCADE also empties every table with a foreign key to it/);
  });
});
