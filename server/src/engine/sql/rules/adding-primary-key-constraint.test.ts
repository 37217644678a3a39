import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateSettings } from '../../config';
import { expectRanges, lint } from '../../../../../test/helpers/lint';

describe('adding-primary-key-constraint', () => {
  it('ok: PRIMARY KEY USING INDEX built concurrently, and a key on a new table', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_id_idx ON public.orders (id);',
      'ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;',
      'CREATE TABLE shipments (id bigint NOT NULL);',
      'ALTER TABLE shipments ADD PRIMARY KEY (id);',
    ].join('\n');
    expectRanges('adding-primary-key-constraint', sql, []);
  });

  it('err: ADD PRIMARY KEY and ADD CONSTRAINT … PRIMARY KEY on an existing table', () => {
    const sql =
      'ALTER TABLE orders ADD PRIMARY KEY (id);\nALTER TABLE ONLY public.line_items\n  ADD CONSTRAINT line_items_pkey PRIMARY KEY (order_id, line_no);';
    const found = expectRanges('adding-primary-key-constraint', sql, ['1:20-1:40', '3:3-3:65']);
    assert.match(found[0]!.message, /ACCESS EXCLUSIVE on orders: blocks reads and writes until the index is built/);
    assert.match(found[1]!.message, /on public\.line_items/);
    assert.match(found[1]!.message, /CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … PRIMARY KEY USING INDEX/);
  });

  it('err: a new column declared PRIMARY KEY', () => {
    expectRanges('adding-primary-key-constraint', 'ALTER TABLE orders ADD COLUMN uid bigint PRIMARY KEY;', ['1:20-1:53']);
  });

  it("Squawk's id adding-serial-primary-key-field is an alias: in ignores and in the configuration", () => {
    const sql = '-- rollout-guard-ignore adding-serial-primary-key-field -- squawk-era suppression\nALTER TABLE orders ADD PRIMARY KEY (id);';
    assert.deepEqual(
      lint(sql).filter((f) => f.rule === 'adding-primary-key-constraint' || f.rule === 'unused-ignore'),
      [],
    );
    const settings = validateSettings({ rules: { 'adding-serial-primary-key-field': 'off' } }, 'test');
    assert.deepEqual(settings.rules, { 'adding-primary-key-constraint': 'off' });
    expectRanges('adding-primary-key-constraint', 'ALTER TABLE orders ADD PRIMARY KEY (id);', [], settings);
  });

  it('an alias that suppresses nothing is reported under the name written', () => {
    const found = lint('-- rollout-guard-ignore adding-serial-primary-key-field\nALTER TABLE orders ADD COLUMN note text;').filter(
      (f) => f.rule === 'unused-ignore',
    );
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /^rollout-guard-ignore adding-serial-primary-key-field suppresses nothing/);
  });
});
