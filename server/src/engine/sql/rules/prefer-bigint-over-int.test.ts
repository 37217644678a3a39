import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('prefer-bigint-over-int', () => {
  it('ok: bigint, bigserial and identity bigint columns', () => {
    const sql =
      'CREATE TABLE IF NOT EXISTS refunds (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  legacy_id bigserial,\n  order_id int8 NOT NULL\n);';
    expectRanges('prefer-bigint-over-int', sql, []);
  });

  it('err: integer, int, smallint and serial, on the type as written, with fixes', () => {
    const sql = [
      'CREATE TABLE refunds (',
      '  id serial PRIMARY KEY,',
      '  order_id integer NOT NULL,',
      '  attempts smallint DEFAULT 0',
      ');',
      'ALTER TABLE public.orders ALTER COLUMN item_count TYPE int;',
    ].join('\n');
    const found = expectRanges('prefer-bigint-over-int', sql, ['2:6-2:12', '3:12-3:19', '4:12-4:20', '6:56-6:59']);
    assert.match(
      found[0]!.message,
      /^id is serial, which runs out at 2,147,483,647; changing it later rewrites the table under an ACCESS EXCLUSIVE lock\. Use bigserial\./,
    );
    assert.match(found[2]!.message, /^attempts is smallint, which runs out at 32,767/);
    assert.equal(applyFix(sql, found[0]!.finding), sql.replace('id serial', 'id bigserial'));
    assert.equal(applyFix(sql, found[3]!.finding), sql.replace('TYPE int;', 'TYPE bigint;'));
  });

  it("err: the limit is the type's, however it is written (SMALLINT, INT2, SMALLSERIAL)", () => {
    const found = expectRanges('prefer-bigint-over-int', 'CREATE TABLE t (a SMALLINT, b INT2, c SMALLSERIAL, d INTEGER);', [
      '1:19-1:27',
      '1:31-1:35',
      '1:39-1:50',
      '1:54-1:61',
    ]);
    assert.deepEqual(
      found.map((f) => /runs out at ([\d,]+)/.exec(f.message)?.[1]),
      ['32,767', '32,767', '32,767', '2,147,483,647'],
    );
  });
});
