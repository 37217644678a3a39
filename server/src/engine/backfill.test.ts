import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { expectRanges } from '../../../test/helpers/lint';
import { backfillOptions, declarationIn, declaresTable, excludesFinishedRows } from './backfill';
import type { UpdateStmt } from './sql/ast';
import { loadParser, parseStatement } from './sql/parse';

const update = (sql: string): UpdateStmt => {
  const outcome = parseStatement(sql);
  assert.ok(outcome.ok);
  const stmt = outcome.statements[0];
  assert.equal(stmt?.kind, 'UpdateStmt');
  return stmt.node;
};

describe('the backfill declaration', () => {
  before(() => loadParser());

  it('is read in any case, like phase markers', () => {
    assert.equal(declarationIn('-- rollout-guard: backfill table=orders key=id'), ' table=orders key=id');
    assert.equal(declarationIn('-- Rollout-Guard: Backfill key=id'), ' key=id');
    assert.equal(declarationIn('-- rollout-guard: phase backfill'), undefined);
    assert.deepEqual(backfillOptions(' table=orders key=id batch=500 speed=fast'), { table: 'orders', key: 'id', batch: '500', unknown: 'speed=fast' });
  });

  it('names tables as PostgreSQL does: unquoted names fold to lower case, quoted ones keep their case', () => {
    const relation = update('UPDATE orders SET a = 1 WHERE a IS NULL').relation;
    assert.equal(declaresTable('orders', relation), true);
    assert.equal(declaresTable('Orders', relation), true);
    assert.equal(declaresTable('"orders"', relation), true);
    assert.equal(declaresTable('"Orders"', relation), false);
    assert.equal(declaresTable('public.orders', relation), false, 'the UPDATE names no schema');
    const quoted = update('UPDATE "Sales"."Orders" SET a = 1 WHERE a IS NULL').relation;
    assert.equal(declaresTable('"Sales"."Orders"', quoted), true);
    assert.equal(declaresTable('"Orders"', quoted), true);
    assert.equal(declaresTable('sales.orders', quoted), false);
    assert.equal(declaresTable('Orders', quoted), false);
  });

  it('excludes finished rows when its WHERE tests a column it sets', () => {
    assert.equal(excludesFinishedRows(update('UPDATE orders SET b = a WHERE b IS NULL')), true);
    assert.equal(excludesFinishedRows(update('UPDATE orders SET b = a WHERE "B" IS NULL')), false);
    assert.equal(excludesFinishedRows(update('UPDATE orders SET b = a WHERE a > 0')), false);
    assert.equal(excludesFinishedRows(update('UPDATE orders SET b = a')), false);
  });

  it('backfill-not-idempotent reads it the same way', () => {
    const sql = [
      '-- Rollout-Guard: backfill table=Orders key=id',
      'UPDATE orders SET region = country;',
      '-- rollout-guard: backfill table="Orders" key=id',
      'UPDATE orders SET region = country WHERE region IS NULL;',
      '-- rollout-guard: backfill table=Public.Orders key=id',
      'UPDATE public.orders SET region = country WHERE region IS NULL;',
    ].join('\n');
    const found = expectRanges('backfill-not-idempotent', sql, ['2:1-2:14', '4:1-4:14']);
    assert.match(found[0]!.message, /sets region but its WHERE is missing/);
    assert.match(found[1]!.message, /declared for table="Orders", but this UPDATE changes orders/);
  });
});
