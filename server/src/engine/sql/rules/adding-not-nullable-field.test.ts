import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges, expectRangesAfter } from '../../../../../test/helpers/lint';

describe('adding-not-nullable-field', () => {
  it('ok: SET NOT NULL after a validated CHECK (col IS NOT NULL) skips the scan on 12+', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'ALTER TABLE public.orders',
      '  ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;',
      'ALTER TABLE public.orders VALIDATE CONSTRAINT orders_customer_id_not_null;',
      'ALTER TABLE public.orders ALTER COLUMN customer_id SET NOT NULL;',
      'ALTER TABLE public.orders DROP CONSTRAINT orders_customer_id_not_null;',
    ].join('\n');
    expectRanges('adding-not-nullable-field', sql, []);
  });

  it('ok: a table created in the same file', () => {
    expectRanges('adding-not-nullable-field', 'CREATE TABLE carts (id bigint, owner_id bigint);\nALTER TABLE carts ALTER COLUMN owner_id SET NOT NULL;', []);
  });

  it('err: SET NOT NULL on an existing table, on its own action', () => {
    const sql = "ALTER TABLE orders\n  ALTER COLUMN note SET DEFAULT '',\n  ALTER COLUMN customer_id SET NOT NULL;";
    const found = expectRanges('adding-not-nullable-field', sql, ['3:3-3:40']);
    assert.match(found[0]!.message, /^SET NOT NULL on orders\.customer_id: ACCESS EXCLUSIVE on orders: blocks reads and writes while every row is scanned/);
    assert.match(found[0]!.message, /CHECK \(customer_id IS NOT NULL\) NOT VALID/);
  });

  it('err: a NOT VALID check that was never validated does not help', () => {
    const sql = [
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;',
      'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
    ].join('\n');
    expectRanges('adding-not-nullable-field', sql, ['2:20-2:57']);
  });

  it('err: a check on another column or another table does not help', () => {
    const sql = [
      'ALTER TABLE orders ADD CONSTRAINT c1 CHECK (note IS NOT NULL);',
      'ALTER TABLE invoices ADD CONSTRAINT c2 CHECK (customer_id IS NOT NULL);',
      'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
    ].join('\n');
    expectRanges('adding-not-nullable-field', sql, ['3:20-3:57']);
  });

  it('err: the check was dropped before SET NOT NULL', () => {
    const sql = [
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL);',
      'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;',
      'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
    ].join('\n');
    expectRanges('adding-not-nullable-field', sql, ['3:20-3:57']);
  });

  it('err: before PostgreSQL 12 even a validated check leaves the scan', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT c CHECK (customer_id IS NOT NULL);\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;';
    const found = expectRanges('adding-not-nullable-field', sql, ['2:20-2:57'], { pgVersion: 11 });
    assert.match(found[0]!.message, /On PostgreSQL 11 there is no lock-free way/);
  });

  const SET_NOT_NULL = "SET lock_timeout = '2s';\nALTER TABLE public.orders ALTER COLUMN customer_id SET NOT NULL;";

  it('ok: earlier files of the folder added the CHECK NOT VALID and validated it', () => {
    const earlier = [
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;',
    ];
    expectRangesAfter('adding-not-nullable-field', earlier, SET_NOT_NULL, []);
    expectRangesAfter('adding-not-nullable-field', ['ALTER TABLE orders ADD CHECK (customer_id IS NOT NULL);'], SET_NOT_NULL, []);
  });

  it('err: the earlier CHECK was never validated, was dropped again, or PostgreSQL is older than 12', () => {
    const notValid = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;';
    const validated = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL);';
    expectRangesAfter('adding-not-nullable-field', [notValid], SET_NOT_NULL, ['2:27-2:64']);
    expectRangesAfter('adding-not-nullable-field', [validated, 'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;'], SET_NOT_NULL, ['2:27-2:64']);
    // Dropped in the same file, before the statement.
    expectRangesAfter('adding-not-nullable-field', [validated], `ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;\n${SET_NOT_NULL}`, [
      '3:27-3:64',
    ]);
    expectRangesAfter('adding-not-nullable-field', [validated], SET_NOT_NULL, ['2:27-2:64'], { pgVersion: 11 });
  });

  it('err: the advice quotes a name PostgreSQL would fold (documenso\'s "createdAt")', () => {
    const [found] = expectRanges('adding-not-nullable-field', 'ALTER TABLE "Document" ALTER COLUMN "createdAt" SET NOT NULL;', ['1:24-1:61']);
    assert.match(found!.message, /CHECK \("createdAt" IS NOT NULL\) NOT VALID/);
  });
});
