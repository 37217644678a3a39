import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'prefer-robust-stmts';

describe(RULE, () => {
  it('ok: idempotent statements outside a transaction', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'CREATE TABLE IF NOT EXISTS refunds (id bigint PRIMARY KEY);',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_region_idx ON public.orders (region);',
      'ALTER TABLE public.orders',
      '  ADD COLUMN IF NOT EXISTS region text,',
      '  DROP COLUMN IF EXISTS legacy_region;',
      'ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_region_check;',
      "ALTER TABLE orders ADD CONSTRAINT orders_region_check CHECK (region <> '') NOT VALID;",
      'DROP INDEX CONCURRENTLY IF EXISTS orders_legacy_idx;',
      'DROP TABLE IF EXISTS legacy_orders;',
    ].join('\n');
    expectRanges(RULE, sql, []);
  });

  it('ok: inside BEGIN … COMMIT, and when the file runs in a transaction', () => {
    const sql = 'BEGIN;\nCREATE TABLE refunds (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN region text;\nCOMMIT;';
    expectRanges(RULE, sql, []);
    expectRanges(RULE, 'ALTER TABLE orders ADD COLUMN region text;\nDROP INDEX orders_legacy_idx;', [], { assumeInTransaction: true });
  });

  it('ok: a file of one statement, applied whole or not at all (trigger.dev: Prisma migrations of one ALTER TABLE)', () => {
    expectRanges(RULE, '-- AlterTable\nALTER TABLE "TaskRun" ADD COLUMN     "completedAt" TIMESTAMP(3);\n', []);
    expectRanges(
      RULE,
      'ALTER TABLE "BatchTaskRun" ADD COLUMN     "payload" TEXT,\nADD COLUMN     "payloadType" TEXT NOT NULL DEFAULT \'application/json\';',
      [],
    );
    expectRanges(
      RULE,
      '-- CreateIndex\nCREATE UNIQUE INDEX "BatchTaskRunError_batchTaskRunId_index_key" ON "public"."BatchTaskRunError"("batchTaskRunId", "index");',
      [],
    );
    expectRanges(RULE, 'DROP INDEX CONCURRENTLY "TaskRun_status_idx";', []);
    expectRanges(RULE, 'ALTER TABLE "TaskRun" ADD COLUMN "completedAt" TIMESTAMP(3);', [], { assumeInTransaction: 'implicit' });
  });

  it('err: a file of one CREATE INDEX CONCURRENTLY, which leaves an INVALID index behind when it fails', () => {
    const found = expectRanges(RULE, 'CREATE INDEX CONCURRENTLY "TaskRun_status_idx" ON "TaskRun"("status");', ['1:1-1:26']);
    assert.equal(
      found[0]!.message,
      'CREATE INDEX without IF NOT EXISTS: if it fails, it leaves an INVALID index behind, so the migration cannot simply be re-run. Make it idempotent.',
    );
  });

  it('err: ADD and DROP COLUMN without IF [NOT] EXISTS, with fixes', () => {
    const next = '\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_region_idx ON public.orders (region);';
    const sql = `ALTER TABLE public.orders\n  ADD COLUMN region text,\n  DROP COLUMN legacy_region;${next}`;
    const found = expectRanges(RULE, sql, ['2:3-2:25', '3:3-3:28']);
    assert.match(found[0]!.message, /^ADD COLUMN without IF NOT EXISTS: this migration runs outside a transaction/);
    assert.equal(applyFix(sql, found[0]!.finding), `ALTER TABLE public.orders\n  ADD COLUMN IF NOT EXISTS region text,\n  DROP COLUMN legacy_region;${next}`);
    assert.equal(applyFix(sql, found[1]!.finding), `ALTER TABLE public.orders\n  ADD COLUMN region text,\n  DROP COLUMN IF EXISTS legacy_region;${next}`);
  });

  it('err: CREATE TABLE, CREATE INDEX CONCURRENTLY and DROP TABLE', () => {
    const sql = 'CREATE TABLE refunds (id bigint);\nCREATE UNIQUE INDEX CONCURRENTLY refunds_id_key ON refunds (id);\nDROP TABLE legacy_refunds;';
    const found = expectRanges(RULE, sql, ['1:1-1:13', '2:1-2:33', '3:1-3:11']);
    assert.equal(
      applyFix(sql, found[1]!.finding),
      'CREATE TABLE refunds (id bigint);\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS refunds_id_key ON refunds (id);\nDROP TABLE legacy_refunds;',
    );
    assert.equal(
      applyFix(sql, found[2]!.finding),
      'CREATE TABLE refunds (id bigint);\nCREATE UNIQUE INDEX CONCURRENTLY refunds_id_key ON refunds (id);\nDROP TABLE IF EXISTS legacy_refunds;',
    );
  });

  it('err: an unnamed index is duplicated by a re-run; the fix names it as PostgreSQL would', () => {
    const sql = 'CREATE INDEX CONCURRENTLY ON orders (customer_id, created_at);';
    const found = expectRanges(RULE, sql, ['1:1-1:26']);
    assert.match(found[0]!.message, /^CREATE INDEX without a name \(a re-run adds a duplicate index\)/);
    assert.equal(
      applyFix(sql, found[0]!.finding),
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_created_at_idx ON orders (customer_id, created_at);',
    );
  });

  it('err: ADD CONSTRAINT with no DROP CONSTRAINT IF EXISTS before it', () => {
    const next = '\nALTER TABLE orders VALIDATE CONSTRAINT orders_region_check;';
    const sql = `ALTER TABLE ONLY public.orders\n  ADD CONSTRAINT orders_region_check CHECK (region <> '') NOT VALID;${next}`;
    const found = expectRanges(RULE, sql, ['2:3-2:68']);
    assert.match(found[0]!.message, /^ADD CONSTRAINT orders_region_check with no DROP CONSTRAINT IF EXISTS orders_region_check before it/);
    assert.equal(
      applyFix(sql, found[0]!.finding),
      `ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_region_check;\nALTER TABLE ONLY public.orders\n  ADD CONSTRAINT orders_region_check CHECK (region <> '') NOT VALID;${next}`,
    );
  });
});
