import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('renaming-table', () => {
  it('ok: a table created in the same file, and renaming a column or an index', () => {
    const sql = [
      'CREATE TABLE refunds_new (id bigint PRIMARY KEY);',
      'ALTER TABLE refunds_new RENAME TO refunds;',
      'ALTER INDEX orders_idx RENAME TO orders_created_at_idx;',
    ].join('\n');
    expectRanges('renaming-table', sql, []);
  });

  it('ok: renamed in a transaction that leaves a view under the old name before it commits (the safe form)', () => {
    const explicit = [
      'BEGIN;',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE public.orders RENAME TO purchases;',
      'CREATE VIEW orders AS SELECT * FROM purchases;',
      'COMMIT;',
    ];
    expectRanges('renaming-table', explicit.join('\n'), []);
    // The migration tool's transaction (Flyway, goose…), and a DO block inside an explicit one.
    expectRanges('renaming-table', 'ALTER TABLE orders RENAME TO purchases;\nCREATE VIEW orders AS SELECT * FROM purchases;', [], {
      assumeInTransaction: true,
    });
    const inDo = [
      'BEGIN;',
      'DO $$ BEGIN ALTER TABLE orders RENAME TO purchases; END $$;',
      'CREATE OR REPLACE VIEW orders AS SELECT * FROM purchases;',
      'COMMIT;',
    ];
    expectRanges('renaming-table', inDo.join('\n'), []);
  });

  it('err: the old name is gone for a while: no view, a view for another table, or a view after the commit', () => {
    expectRanges('renaming-table', 'BEGIN;\nALTER TABLE orders RENAME TO purchases;\nCOMMIT;', ['2:20-2:39']);
    const other = ['BEGIN;', 'ALTER TABLE orders RENAME TO purchases;', 'CREATE VIEW invoices AS SELECT * FROM purchases;', 'COMMIT;'];
    expectRanges('renaming-table', other.join('\n'), ['2:20-2:39']);
    const late = ['BEGIN;', 'ALTER TABLE orders RENAME TO purchases;', 'COMMIT;', 'CREATE VIEW orders AS SELECT * FROM purchases;'];
    const found = expectRanges('renaming-table', late.join('\n'), ['2:20-2:39']);
    assert.match(found[0]!.message, /leave a view under the old name \(CREATE VIEW orders AS SELECT \* FROM purchases\)/);
    // Without a transaction, every query between the two statements fails.
    expectRanges('renaming-table', 'ALTER TABLE orders RENAME TO purchases;\nCREATE VIEW orders AS SELECT * FROM purchases;', ['1:20-1:39']);
    // A BEGIN never committed: the file ends with the view still missing.
    expectRanges('renaming-table', 'BEGIN;\nALTER TABLE orders RENAME TO purchases;', ['2:20-2:39']);
  });

  it("err: in a DO block, on the rename statement only (river's rebuild of river_migration)", () => {
    const sql = [
      'DO',
      '$body$',
      'BEGIN',
      '    ALTER TABLE river_migration',
      '        RENAME TO river_migration_old;',
      '    CREATE TABLE river_migration (line TEXT NOT NULL, version bigint NOT NULL);',
      'END;',
      '$body$',
      "LANGUAGE 'plpgsql';",
    ].join('\n');
    expectRanges('renaming-table', sql, ['5:9-5:38']);
  });

  it('err: renaming an existing table, schema-qualified', () => {
    const sql = 'ALTER TABLE public.orders\n  RENAME TO purchase_orders;';
    const found = expectRanges('renaming-table', sql, ['2:3-2:28']);
    assert.match(found[0]!.message, /^Renaming table public\.orders to purchase_orders breaks the version still running/);
    assert.match(found[0]!.message, /ACCESS EXCLUSIVE on public\.orders: blocks reads and writes/);
    assert.match(found[0]!.message, /a view named purchase_orders over public\.orders/);
  });

  it("err: the view in the advice is SQL that runs: quoted names (cal.com's VerificationRequest), a reserved word", () => {
    const [prisma] = expectRanges('renaming-table', 'ALTER TABLE "VerificationRequest" RENAME TO "VerificationToken";', ['1:35-1:64']);
    assert.match(prisma!.message, /\(CREATE VIEW "VerificationRequest" AS SELECT \* FROM "VerificationToken"\)/);
    const [reserved] = expectRanges('renaming-table', 'ALTER TABLE public."user" RENAME TO accounts;', ['1:27-1:45']);
    assert.match(reserved!.message, /\(CREATE VIEW public\."user" AS SELECT \* FROM accounts\)/);
  });
});
