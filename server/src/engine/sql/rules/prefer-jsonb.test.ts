import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('prefer-jsonb', () => {
  it('ok: jsonb columns', () => {
    expectRanges('prefer-jsonb', "CREATE TABLE IF NOT EXISTS webhooks (id bigint PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}');", []);
  });

  it('err: json in CREATE TABLE and ADD COLUMN, with a fix', () => {
    const sql = "CREATE TABLE webhooks (\n  id bigint PRIMARY KEY,\n  payload json NOT NULL\n);\nALTER TABLE orders ADD COLUMN metadata json DEFAULT '{}';";
    const found = expectRanges('prefer-jsonb', sql, ['3:11-3:15', '5:40-5:44']);
    assert.match(found[0]!.message, /^payload is json: it has no equality operator/);
    assert.equal(applyFix(sql, found[1]!.finding), sql.replace("metadata json DEFAULT '{}'", "metadata jsonb DEFAULT '{}'"));
  });
});
