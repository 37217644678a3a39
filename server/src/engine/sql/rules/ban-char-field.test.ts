import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('ban-char-field', () => {
  it('ok: text, varchar and the internal "char" type', () => {
    const sql = 'CREATE TABLE IF NOT EXISTS currencies (\n  code text PRIMARY KEY CHECK (char_length(code) = 3),\n  name varchar(64),\n  kind "char"\n);';
    expectRanges('ban-char-field', sql, []);
  });

  it('err: char(n), character(n) and bpchar, with a fix to text', () => {
    const sql = 'CREATE TABLE currencies (\n  code char(3) PRIMARY KEY,\n  symbol character(1)\n);\nALTER TABLE orders ADD COLUMN currency bpchar;';
    const found = expectRanges('ban-char-field', sql, ['2:8-2:15', '3:10-3:22', '5:40-5:46']);
    assert.match(found[0]!.message, /^code is char\(3\): values are padded with spaces/);
    assert.equal(applyFix(sql, found[0]!.finding), sql.replace('code char(3)', 'code text'));
  });
});
