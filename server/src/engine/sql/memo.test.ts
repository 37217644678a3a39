import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { lintSql, loadParser, mergeSettings, SqlLintMemo } from '../index';

/** A migration whose statements depend on each other: transactions, new tables, timeouts, locks. */
const MIGRATION = [
  '-- orders: add region',
  'CREATE TABLE drafts (id bigint);',
  'ALTER TABLE drafts RENAME TO drafts_v2;',
  'DROP TABLE IF EXISTS drafts_v2;',
  'BEGIN;',
  'ALTER TABLE orders ADD COLUMN region text;',
  "UPDATE orders SET region = 'eu' WHERE id BETWEEN 1 AND 1000;",
  'ALTER TABLE orders ADD CONSTRAINT orders_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
  'ALTER TABLE orders VALIDATE CONSTRAINT orders_fk;',
  'COMMIT;',
  "SET lock_timeout = '2s';",
  'CREATE INDEX idx_orders_region ON orders (region);',
  'DO $$ BEGIN ALTER TABLE invoices DROP COLUMN legacy; END $$;',
  '-- rollout-guard-ignore ban-drop-column',
  'ALTER TABLE orders DROP COLUMN legacy_status;',
  'UPDATE orders SET status = NULL;',
].join('\n');

/** Deterministic pseudo-random numbers, so a failure replays. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

const FRAGMENTS = [
  ' ',
  '\n',
  'x',
  ';',
  'BEGIN;\n',
  'COMMIT;\n',
  "SET lock_timeout = '1s';\n",
  'CREATE TABLE orders (id int);\n',
  'CREATE TABLE r (o int REFERENCES orders);\n',
  'CREATE INDEX ON r (o);\n',
  '-- c\n',
  "'",
  '$$',
];

describe('SqlLintMemo', () => {
  before(() => loadParser());

  it('gives exactly the findings of a fresh lint after every edit', () => {
    const settings = mergeSettings({});
    const memo = new SqlLintMemo();
    const next = random(42);
    let text = MIGRATION;
    let reused = 0;
    for (let step = 0; step < 300; step++) {
      const at = Math.floor(next() * (text.length + 1));
      if (next() < 0.35 && text.length > 0) {
        text = text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(next() * 20)));
      } else {
        text = text.slice(0, at) + FRAGMENTS[Math.floor(next() * FRAGMENTS.length)] + text.slice(at);
      }
      const withMemo = lintSql(text, settings, { memo });
      const fresh = lintSql(text, settings);
      assert.deepEqual(withMemo, fresh, `step ${step}: memo and fresh lint differ for:\n${text}`);
      reused += memo.reused;
    }
    // About 16 statements a step: most of them must come from the memo.
    assert.ok(reused > 300 * 8, `only ${reused} statements reused over 300 edits`);
  });

  it('starts over when an edit changes how the file runs (assumeInTransaction: implicit: one statement, then two)', () => {
    const settings = mergeSettings({ assumeInTransaction: 'implicit' });
    const memo = new SqlLintMemo();
    const index = 'CREATE INDEX CONCURRENTLY orders_region_idx ON orders (region);';
    const inTransaction = (text: string): number =>
      lintSql(text, settings, { memo }).filter((f) => f.rule === 'ban-concurrent-index-creation-in-transaction').length;
    assert.equal(inTransaction(index), 0);
    // A second statement makes the file one implicit transaction: the index statement, unchanged, is in it.
    assert.equal(inTransaction(`${index}\nANALYZE orders;`), 1);
    assert.equal(inTransaction(index), 0);
  });

  it('starts over when the settings change', () => {
    const memo = new SqlLintMemo();
    const sql = 'ALTER TABLE orders DROP COLUMN a;';
    assert.equal(lintSql(sql, mergeSettings({}), { memo }).filter((f) => f.rule === 'ban-drop-column').length, 1);
    assert.equal(lintSql(sql, mergeSettings({ rules: { 'ban-drop-column': 'off' } }), { memo }).filter((f) => f.rule === 'ban-drop-column').length, 0);
  });
});
