import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('prefer-text-field', () => {
  it('ok: text, varchar without a limit, and text with a CHECK', () => {
    const sql = 'CREATE TABLE IF NOT EXISTS coupons (\n  id bigint PRIMARY KEY,\n  code text NOT NULL CHECK (char_length(code) <= 32),\n  note varchar\n);';
    expectRanges('prefer-text-field', sql, []);
  });

  it('err: varchar(n) and character varying(n), with the limit in the advice and a fix', () => {
    const sql = 'CREATE TABLE coupons (\n  code varchar(32) NOT NULL,\n  "Label" character varying(255)\n);';
    const found = expectRanges('prefer-text-field', sql, ['2:8-2:19', '3:11-3:33']);
    assert.match(
      found[0]!.message,
      /^code is varchar\(32\): raising the limit later takes ACCESS EXCLUSIVE on the table\. Use text, with CHECK \(char_length\(code\) <= 32\)/,
    );
    assert.match(found[1]!.message, /CHECK \(char_length\("Label"\) <= 255\)/);
    assert.equal(applyFix(sql, found[1]!.finding), 'CREATE TABLE coupons (\n  code varchar(32) NOT NULL,\n  "Label" text\n);');
  });
});
