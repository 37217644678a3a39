import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('disallowed-unique-constraint', () => {
  it('ok: UNIQUE USING INDEX built concurrently, and UNIQUE on a new table', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_number_key ON public.orders (number);',
      'ALTER TABLE public.orders ADD CONSTRAINT orders_number_key UNIQUE USING INDEX orders_number_key;',
      'CREATE TABLE coupons (id bigint PRIMARY KEY, code text);',
      'ALTER TABLE coupons ADD CONSTRAINT coupons_code_key UNIQUE (code);',
    ].join('\n');
    expectRanges('disallowed-unique-constraint', sql, []);
  });

  it('err: named and unnamed UNIQUE constraints, with the name PostgreSQL would pick', () => {
    const sql = 'ALTER TABLE public.orders\n  ADD CONSTRAINT orders_number_key UNIQUE (number),\n  ADD UNIQUE (customer_id, external_ref);';
    const found = expectRanges('disallowed-unique-constraint', sql, ['2:3-2:51', '3:3-3:41']);
    assert.match(found[0]!.message, /^Adding a UNIQUE constraint: ACCESS EXCLUSIVE on public\.orders: blocks reads and writes until the index is built/);
    assert.match(found[0]!.message, /ADD CONSTRAINT orders_number_key UNIQUE USING INDEX <index>/);
    assert.match(found[1]!.message, /ADD CONSTRAINT orders_customer_id_external_ref_key UNIQUE USING INDEX <index>/);
  });

  it('err: a new column declared UNIQUE', () => {
    const found = expectRanges('disallowed-unique-constraint', 'ALTER TABLE orders ADD COLUMN external_ref text UNIQUE;', ['1:20-1:55']);
    assert.match(
      found[0]!.message,
      /Add the column without UNIQUE, build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT orders_external_ref_key/,
    );
  });
});
