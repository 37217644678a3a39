import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'ban-concurrent-index-creation-in-transaction';

describe(RULE, () => {
  it('ok: CONCURRENTLY on its own, after the transaction commits', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'BEGIN;',
      'ALTER TABLE orders ADD COLUMN region text;',
      'COMMIT;',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_region_idx ON public.orders (region);',
      'DROP INDEX CONCURRENTLY IF EXISTS orders_old_region_idx;',
    ].join('\n');
    expectRanges(RULE, sql, []);
  });

  it('err: CREATE and DROP INDEX CONCURRENTLY between BEGIN and COMMIT', () => {
    const sql = [
      'BEGIN;',
      'CREATE UNIQUE INDEX CONCURRENTLY orders_number_key ON orders (number);',
      'DROP INDEX CONCURRENTLY IF EXISTS orders_number_idx;',
      'COMMIT;',
    ].join('\n');
    const found = expectRanges(RULE, sql, ['2:1-2:33', '3:1-3:24']);
    assert.match(found[0]!.message, /^CREATE INDEX CONCURRENTLY cannot run inside the transaction opened by BEGIN: PostgreSQL refuses it/);
    assert.match(found[1]!.message, /^DROP INDEX CONCURRENTLY cannot run/);
  });

  it('err: REINDEX … CONCURRENTLY in a transaction, in either spelling (PostgreSQL: "cannot run inside a transaction block")', () => {
    const sql = [
      'START TRANSACTION;',
      'REINDEX INDEX CONCURRENTLY idx_subs_email;',
      'REINDEX (CONCURRENTLY) TABLE subscribers;',
      'COMMIT;',
      'REINDEX TABLE CONCURRENTLY lists;',
    ].join('\n');
    const found = expectRanges(RULE, sql, ['2:1-2:27', '3:1-3:22']);
    assert.match(found[0]!.message, /^REINDEX … CONCURRENTLY cannot run inside the transaction opened by BEGIN/);
  });

  it('err: a migration run in a transaction by its framework (assumeInTransaction)', () => {
    const found = expectRanges(RULE, 'CREATE INDEX CONCURRENTLY orders_region_idx ON orders (region);', ['1:1-1:26'], { assumeInTransaction: true });
    assert.match(found[0]!.message, /in a migration that runs in a transaction \(assumeInTransaction\)/);
  });

  it('ok and err: a file sent as one query string (assumeInTransaction: implicit, Prisma, golang-migrate) is one implicit transaction only with several statements', () => {
    const alone = '-- the only statement of the file\nCREATE INDEX CONCURRENTLY orders_region_idx ON orders (region);\n';
    expectRanges(RULE, alone, [], { assumeInTransaction: 'implicit' });
    const withOthers = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_region_idx ON orders (region);";
    const found = expectRanges(RULE, withOthers, ['2:1-2:26'], { assumeInTransaction: 'implicit' });
    assert.match(found[0]!.message, /\(assumeInTransaction: implicit, and the file holds several statements\)/);
  });

  it('err: a file whose SET LOCAL shows that its tool runs it in a transaction (Flyway, goose, dbmate…)', () => {
    const sql = ["SET LOCAL lock_timeout = '2s';", 'CREATE INDEX CONCURRENTLY orders_region_idx ON orders (region);'].join('\n');
    const found = expectRanges(RULE, sql, ['2:1-2:26']);
    assert.match(found[0]!.message, /in a migration that runs in a transaction \(its SET LOCAL works only in one\)/);
  });

  it('ok: a file its tool marks to run outside a transaction (goose, sqlx, dbmate, sql-migrate), despite assumeInTransaction or SET LOCAL', () => {
    const index = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS es_projection ON eventstore.events (instance_id);';
    // goose and sql-migrate then run the statements one by one.
    for (const marker of ['-- +goose NO TRANSACTION', '-- +migrate Up notransaction']) {
      const sql = [marker, "SET LOCAL lock_timeout = '2s';", index].join('\n');
      expectRanges(RULE, sql, [], { assumeInTransaction: true });
      expectRanges(RULE, sql, []);
    }
    // sqlx and dbmate still send the file as one query string: alone, the statement runs in no transaction;
    // after another one, PostgreSQL runs both in one implicit transaction and refuses it (measured on PostgreSQL 15).
    for (const marker of ['-- no-transaction', '-- migrate:up transaction:false']) {
      expectRanges(RULE, [marker, index].join('\n'), [], { assumeInTransaction: true });
      expectRanges(RULE, [marker, "SET lock_timeout = '2s';", index].join('\n'), ['3:1-3:26']);
    }
    // The marker is a whole comment: a mention in a longer comment is not one.
    expectRanges(RULE, '-- see +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY es_projection ON events (id);', ['2:1-2:26'], { assumeInTransaction: true });
  });

  it("ok: SET LOCAL inside the file's own BEGIN … COMMIT says nothing about the rest of the file", () => {
    const sql = [
      'BEGIN;',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN region text;',
      'COMMIT;',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_region_idx ON orders (region);',
    ].join('\n');
    expectRanges(RULE, sql, []);
  });

  it('err: inside a DO block and a PL/pgSQL function, at the statement in the body', () => {
    const sql = [
      'DO $$',
      'BEGIN',
      '  CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_region_idx ON orders (region);',
      'END',
      '$$;',
      'CREATE FUNCTION drop_legacy_index() RETURNS void LANGUAGE plpgsql AS $fn$',
      'BEGIN',
      '  DROP INDEX CONCURRENTLY orders_legacy_idx;',
      'END;',
      '$fn$;',
    ].join('\n');
    const found = expectRanges(RULE, sql, ['3:3-3:28', '8:3-8:26']);
    assert.match(found[0]!.message, /cannot run inside a DO block/);
    assert.match(found[1]!.message, /cannot run inside a function/);
  });
});
