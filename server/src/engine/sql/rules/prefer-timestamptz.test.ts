import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('prefer-timestamptz', () => {
  it('ok: timestamptz and timestamp with time zone', () => {
    const sql =
      'CREATE TABLE IF NOT EXISTS events (\n  id bigint PRIMARY KEY,\n  created_at timestamptz NOT NULL DEFAULT now(),\n  seen_at timestamp with time zone,\n  taken_at timestamptz(3)\n);';
    expectRanges('prefer-timestamptz', sql, []);
  });

  it('err: every spelling of timestamp without time zone, on the type as written, with a fix', () => {
    const sql = [
      'CREATE TABLE events (',
      '  id bigint PRIMARY KEY,',
      '  created_at timestamp NOT NULL DEFAULT now(),',
      '  updated_at timestamp without time zone',
      ');',
      'ALTER TABLE public.orders ADD COLUMN shipped_at pg_catalog.timestamp;',
    ].join('\n');
    const found = expectRanges('prefer-timestamptz', sql, ['3:14-3:23', '4:14-4:41', '6:49-6:69']);
    assert.match(found[0]!.message, /^created_at is timestamp: it stores no time zone/);
    assert.match(found[1]!.message, /^updated_at is timestamp without time zone:/);
    assert.equal(applyFix(sql, found[1]!.finding), sql.replace('updated_at timestamp without time zone', 'updated_at timestamptz'));
  });

  it('err: a precision is kept by the fix', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN paid_at timestamp(3) without time zone;';
    const found = expectRanges('prefer-timestamptz', sql, ['1:39-1:69']);
    assert.match(found[0]!.message, /Use timestamptz\(3\)\.$/);
    assert.equal(applyFix(sql, found[0]!.finding), 'ALTER TABLE orders ADD COLUMN paid_at timestamptz(3);');
  });
});
