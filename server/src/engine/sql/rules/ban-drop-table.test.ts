import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges, lintRule } from '../../../../../test/helpers/lint';

describe('ban-drop-table', () => {
  it('ok: a table created in the same file, and dropping other kinds of objects', () => {
    const sql = [
      'CREATE TABLE tmp_order_ids (id bigint);',
      'DROP TABLE IF EXISTS tmp_order_ids;',
      'DROP VIEW IF EXISTS legacy_orders_view;',
      'DROP INDEX CONCURRENTLY IF EXISTS orders_legacy_idx;',
    ].join('\n');
    expectRanges('ban-drop-table', sql, []);
  });

  it("ok: a name the file gave a live table by renaming it, which renaming-table reports (river's rebuild of river_migration)", () => {
    const rebuild = [
      'DO',
      '$body$',
      'BEGIN',
      '    ALTER TABLE river_migration',
      '        RENAME TO river_migration_old;',
      '    CREATE TABLE river_migration (line TEXT NOT NULL, version bigint NOT NULL, PRIMARY KEY (line, version));',
      "    INSERT INTO river_migration (line, version) SELECT 'main', version FROM river_migration_old;",
      '    DROP TABLE river_migration_old;',
      'END;',
      '$body$',
      "LANGUAGE 'plpgsql';",
    ].join('\n');
    expectRanges('ban-drop-table', rebuild, []);
    assert.deepEqual(
      lintRule('renaming-table', rebuild).map((f) => f.message.split(' breaks')[0]),
      ['Renaming table river_migration to river_migration_old'],
    );
  });

  it('err: a renamed table left under its old name by a view: dropping it takes the view with it', () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE orders RENAME TO orders_old;',
      'CREATE VIEW orders AS SELECT * FROM orders_old;',
      'COMMIT;',
      'DROP TABLE orders_old CASCADE;',
    ].join('\n');
    expectRanges('ban-drop-table', sql, ['5:12-5:22']);
  });

  it('err: each table of a DROP TABLE list on its own name, quoted and qualified', () => {
    const sql = 'DROP TABLE IF EXISTS legacy_orders,\n  public."LegacyItems" CASCADE;';
    const found = expectRanges('ban-drop-table', sql, ['1:22-1:35', '2:3-2:23']);
    assert.match(found[0]!.message, /^Dropping table legacy_orders breaks the version still running/);
    assert.match(found[0]!.message, /ACCESS EXCLUSIVE on legacy_orders: blocks reads and writes/);
    assert.match(found[1]!.message, /^Dropping table public\.LegacyItems/);
  });

  it('err: only the existing table of a list that also names a new one', () => {
    const sql = 'CREATE TABLE tmp_order_ids (id bigint);\nDROP TABLE tmp_order_ids, legacy_orders;';
    expectRanges('ban-drop-table', sql, ['2:27-2:40']);
  });
});
