import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';
import { lintText, mergeSettings } from '../..';

describe('require-concurrent-index-deletion', () => {
  it('ok: DROP INDEX CONCURRENTLY, and an index of a table created in the same file', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'DROP INDEX CONCURRENTLY IF EXISTS public.orders_legacy_idx;',
      'CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);',
      'CREATE INDEX refunds_order_id_idx ON refunds (order_id);',
      'DROP INDEX refunds_order_id_idx;',
    ].join('\n');
    expectRanges('require-concurrent-index-deletion', sql, []);
  });

  it('err: DROP INDEX on an existing table, with the fix adding CONCURRENTLY', () => {
    const sql = 'DROP INDEX IF EXISTS public.orders_legacy_idx;';
    const found = expectRanges('require-concurrent-index-deletion', sql, ['1:1-1:11']);
    assert.match(found[0]!.message, /^DROP INDEX public\.orders_legacy_idx takes ACCESS EXCLUSIVE on its table: blocks reads and writes/);
    assert.equal(applyFix(sql, found[0]!.finding), 'DROP INDEX CONCURRENTLY IF EXISTS public.orders_legacy_idx;');
  });

  it('err: an index created in this file on an existing table still locks that table', () => {
    const sql = 'CREATE INDEX CONCURRENTLY orders_tmp_idx ON orders (tmp);\nDROP INDEX orders_tmp_idx;';
    expectRanges('require-concurrent-index-deletion', sql, ['2:1-2:11']);
  });

  it('err: no fix for several indexes, nor inside a transaction', () => {
    const sql = 'DROP INDEX orders_a_idx, orders_b_idx;\nBEGIN;\nDROP INDEX orders_c_idx;\nCOMMIT;';
    const found = expectRanges('require-concurrent-index-deletion', sql, ['1:1-1:11', '3:1-3:11']);
    assert.match(found[0]!.message, /DROP INDEX orders_a_idx, orders_b_idx takes/);
    assert.equal(found[0]!.finding.fixes, undefined);
    assert.equal(found[1]!.finding.fixes, undefined);
  });

  it("err: in a Prisma file of several statements, the advice is the tool's way (documenso)", () => {
    const found = lintText({
      fileName: 'prisma/migrations/20230505085908_update_unique_constraint/migration.sql',
      text: 'DROP INDEX "Recipient_documentId_email_key";\nCREATE UNIQUE INDEX "Recipient_documentId_email_key" ON "Recipient"("documentId", "email");\n',
      settings: mergeSettings({}),
    }).find((f) => f.rule === 'require-concurrent-index-deletion');
    assert.match(
      found?.message ?? '',
      /Use DROP INDEX CONCURRENTLY, one index per statement, alone in a migration of its own: a single statement runs in no transaction\.$/,
    );
  });
});
