import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('changing-column-type', () => {
  it('ok: a table created in the same file, and changes that are not type changes', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'CREATE TABLE refunds (id bigint PRIMARY KEY, amount integer);',
      'ALTER TABLE refunds ALTER COLUMN amount TYPE bigint;',
      "ALTER TABLE public.orders ALTER COLUMN region SET DEFAULT 'eu', ALTER COLUMN note SET STATISTICS 500;",
    ].join('\n');
    expectRanges('changing-column-type', sql, []);
  });

  it('err: each type change on its own range, naming the type as written', () => {
    const sql = [
      'ALTER TABLE public.orders',
      '  ALTER COLUMN total TYPE bigint,',
      '  ALTER COLUMN price SET DATA TYPE numeric(12, 2) USING price::numeric(12, 2);',
    ].join('\n');
    const found = expectRanges('changing-column-type', sql, ['2:3-2:33', '3:3-3:78']);
    assert.match(
      found[0]!.message,
      /^Changing the type of public\.orders\.total to bigint: ACCESS EXCLUSIVE on public\.orders: blocks reads and writes until the table is rewritten and its indexes rebuilt\. Add a new column/,
    );
    assert.match(found[1]!.message, /to numeric\(12, 2\):/);
  });

  it('err: widening to varchar or text says when no rewrite happens', () => {
    const found = expectRanges('changing-column-type', 'ALTER TABLE orders ALTER COLUMN note TYPE varchar(500);', ['1:20-1:55']);
    assert.match(found[0]!.message, /to varchar\(500\): .*unless this only raises a varchar limit or turns varchar into text, which needs no rewrite/);
  });
});
