import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('adding-required-field', () => {
  it('ok: NOT NULL columns that fill themselves, nullable columns, and new tables', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'ALTER TABLE public.orders',
      "  ADD COLUMN status text NOT NULL DEFAULT 'pending',",
      '  ADD COLUMN note text,',
      '  ADD COLUMN row_no bigint GENERATED ALWAYS AS IDENTITY NOT NULL;',
      'CREATE TABLE refunds (id bigint PRIMARY KEY);',
      'ALTER TABLE refunds ADD COLUMN order_id bigint NOT NULL;',
    ].join('\n');
    expectRanges('adding-required-field', sql, []);
  });

  it('err: NOT NULL without DEFAULT, and an inline PRIMARY KEY (implicitly NOT NULL)', () => {
    const sql = 'ALTER TABLE public.orders\n  ADD COLUMN customer_id bigint NOT NULL,\n  ADD COLUMN legacy_id bigint PRIMARY KEY;';
    const found = expectRanges('adding-required-field', sql, ['2:3-2:41', '3:3-3:42']);
    assert.match(found[0]!.message, /^Adding NOT NULL column public\.orders\.customer_id without a DEFAULT fails if public\.orders has rows/);
    assert.match(found[0]!.message, /running version's INSERTs, which do not set it, fail/);
  });

  it('err: DEFAULT NULL does not fill existing rows', () => {
    expectRanges('adding-required-field', 'ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT NULL;', ['1:20-1:64']);
  });

  it('err: inside a DO block', () => {
    const sql = 'DO $$\nBEGIN\n  ALTER TABLE orders ADD COLUMN region text NOT NULL;\nEXCEPTION WHEN duplicate_column THEN NULL;\nEND $$;';
    expectRanges('adding-required-field', sql, ['3:22-3:53']);
  });
});
