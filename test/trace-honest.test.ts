/**
 * Keeps the linter honest: the statements of the PostgreSQL rules' err cases that claim a lock,
 * traced on a real PostgreSQL. The lock the hover names (the one the findings quote) must be the
 * strongest lock PostgreSQL took on that table.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hoverSql, loadParser, mergeSettings } from '../server/src/engine';
import { PG_LOCK_MODES, strongestLocks, traceStatements } from '../operations/migrations/trace';
import { LOCK_MODES } from '../server/src/engine/sql/locks';
import type { Db } from '../operations/migrations';
import { startPostgres, type TestPostgres } from '../simulators/postgres';

const SCHEMA = `
CREATE TABLE customers (id bigint PRIMARY KEY, email text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total integer, note text);
CREATE INDEX orders_note_idx ON orders (note);
CREATE MATERIALIZED VIEW order_totals AS SELECT customer_id, count(*) AS orders FROM orders GROUP BY customer_id;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 50) g;
INSERT INTO orders SELECT g, g % 50 + 1, g, 'n' FROM generate_series(1, 200) g;
`;

/** [rule whose err case it is, statement, the table whose lock the linter names]. */
const CASES: [string, string, string][] = [
  ['adding-field-with-default', 'ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT clock_timestamp()', 'orders'],
  ['adding-not-nullable-field', 'ALTER TABLE orders ALTER COLUMN note SET NOT NULL', 'orders'],
  ['adding-required-field', "ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu'", 'orders'],
  ['adding-primary-key-constraint', 'ALTER TABLE customers DROP CONSTRAINT customers_pkey, ADD PRIMARY KEY (id)', 'customers'],
  ['changing-column-type', 'ALTER TABLE orders ALTER COLUMN total TYPE bigint', 'orders'],
  ['ban-drop-column', 'ALTER TABLE orders DROP COLUMN note', 'orders'],
  ['ban-drop-table', 'DROP TABLE order_totals_old', 'order_totals_old'],
  ['renaming-column', 'ALTER TABLE orders RENAME COLUMN note TO remark', 'orders'],
  ['renaming-table', 'ALTER TABLE orders RENAME TO purchases', 'purchases'],
  ['require-concurrent-index-creation', 'CREATE INDEX orders_total_idx ON orders (total)', 'orders'],
  ['require-concurrent-index-deletion', 'DROP INDEX orders_note_idx', 'orders'],
  ['constraint-missing-not-valid', 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0)', 'orders'],
  [
    'constraint-missing-not-valid (foreign key)',
    'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)',
    'orders',
  ],
  ['disallowed-unique-constraint', 'ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email)', 'customers'],
  ['require-lock-timeout (trigger)', 'CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch()', 'orders'],
  ['require-lock-timeout (truncate)', 'TRUNCATE orders', 'orders'],
  ['require-lock-timeout (refresh)', 'REFRESH MATERIALIZED VIEW order_totals', 'order_totals'],
  ['require-lock-timeout (cluster)', 'CLUSTER orders USING orders_pkey', 'orders'],
  ['require-lock-timeout (reindex)', 'REINDEX TABLE orders', 'orders'],
  ['unbatched-backfill', "UPDATE orders SET note = 'x'", 'orders'],
];

const pgName = (mode: string): string | undefined => PG_LOCK_MODES[LOCK_MODES.indexOf(mode as (typeof LOCK_MODES)[number])];

describe('the locks the linter names are the locks PostgreSQL takes', () => {
  let server: TestPostgres;
  let db: Db;
  before(async () => {
    await loadParser();
    server = await startPostgres();
    db = await server.connect();
    await db.query(SCHEMA);
    await db.query('CREATE TABLE order_totals_old (id int)');
  });
  after(async () => {
    await db.close();
    await server.stop();
  });

  it('every err case statement: hover lock = strongest traced lock on its table', async () => {
    const mismatches: string[] = [];
    for (const [rule, sql, table] of CASES) {
      const hover = hoverSql(sql, 0, mergeSettings({}))?.contents ?? '';
      const claimed = /^\*\*([A-Z ]+) on /.exec(hover)?.[1];
      await db.query('BEGIN');
      const traced = await traceStatements(db, sql, true);
      await db.query('ROLLBACK');
      assert.equal(traced.failure, undefined, `${rule}: ${traced.failure?.message}`);
      const measured = strongestLocks(traced.statements[0]?.locks ?? []).find((lock) => lock.relation === table)?.mode;
      const named = claimed === undefined ? undefined : pgName(claimed);
      if (!named || named !== measured)
        mismatches.push(`${rule}: ${sql} — linter ${named ?? 'names no lock'}, PostgreSQL ${measured ?? 'took none'} on ${table}`);
    }
    assert.deepEqual(mismatches, []);
  });
});
