import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges, expectRangesAfter, lintRule } from '../../../../../test/helpers/lint';

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

  const DECLARED = 'CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(100), total numeric(10, 2), title character varying, body text);';

  it("err: a new collation rebuilds the column's indexes, and rewrites the rows only if the type changes too (memos' username)", () => {
    const sql = 'ALTER TABLE "user"\n  ALTER COLUMN username TYPE TEXT COLLATE "C";';
    const found = expectRanges('changing-column-type', sql, ['2:3-2:46']);
    assert.equal(
      found[0]!.message,
      'Changing the type or collation of user.username to TEXT COLLATE "C": ACCESS EXCLUSIVE on user: blocks reads and writes while the indexes on the column are rebuilt, and every row as well unless only the collation changes. Add a new column of the new type, write both, backfill in batches, switch reads, then drop the old column.',
    );
  });

  it("err: to citext says that text and varchar need no rewrite but their indexes are rebuilt (rallly's email)", () => {
    // Not an expectRanges case: the trace setup has no citext extension.
    const [found] = lintRule('changing-column-type', 'ALTER TABLE "User" ALTER COLUMN email TYPE citext;');
    assert.match(
      found?.message ?? '',
      /unless the column was text or varchar: citext takes them without a rewrite, but every index on the column is rebuilt under the lock\./,
    );
  });

  it('ok: no rewrite from the type declared in an earlier file (or earlier in this one)', () => {
    const sql = [
      'ALTER TABLE orders',
      '  ALTER COLUMN note TYPE varchar(200),',
      '  ALTER COLUMN total TYPE numeric(12, 2),',
      '  ALTER COLUMN title TYPE text,',
      '  ALTER COLUMN body SET DATA TYPE varchar;',
      'ALTER TABLE orders ALTER COLUMN note TYPE text;',
      'ALTER TABLE orders ALTER COLUMN id TYPE bigint;',
      'ALTER TABLE orders ADD COLUMN code varchar(10);',
      'ALTER TABLE orders ALTER COLUMN code TYPE varchar(20);',
    ].join('\n');
    expectRangesAfter('changing-column-type', [DECLARED], sql, []);
    expectRanges('changing-column-type', 'ALTER TABLE orders ADD COLUMN code varchar(10);\nALTER TABLE orders ALTER COLUMN code TYPE varchar(20);', []);
  });

  it('err: a change that rewrites, a type changed or dropped in between, or a USING clause', () => {
    const sql = [
      'ALTER TABLE orders',
      '  ALTER COLUMN note TYPE varchar(50),',
      '  ALTER COLUMN total TYPE numeric(12, 3),',
      '  ALTER COLUMN title TYPE text USING trim(title);',
    ].join('\n');
    expectRangesAfter('changing-column-type', [DECLARED], sql, ['2:3-2:37', '3:3-3:41', '4:3-4:49']);
    const widen = 'ALTER TABLE orders ALTER COLUMN note TYPE varchar(200);';
    expectRangesAfter('changing-column-type', [DECLARED, 'ALTER TABLE orders ALTER COLUMN note TYPE integer USING length(note);'], widen, ['1:20-1:55']);
    expectRangesAfter('changing-column-type', [DECLARED, 'ALTER TABLE orders DROP COLUMN note;', 'ALTER TABLE orders ADD COLUMN note bigint;'], widen, [
      '1:20-1:55',
    ]);
    expectRangesAfter('changing-column-type', [DECLARED, 'ALTER TABLE orders RENAME COLUMN note TO remark;'], widen, ['1:20-1:55']);
    expectRangesAfter('changing-column-type', ['CREATE TABLE orders (id bigint PRIMARY KEY, note char(100));'], widen, ['1:20-1:55']);
  });
});
