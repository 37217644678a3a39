import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'ban-uncommitted-transaction';

describe(RULE, () => {
  it('ok: BEGIN … COMMIT (or END, ROLLBACK), and files with no explicit transaction', () => {
    expectRanges(RULE, 'BEGIN;\nALTER TABLE users ADD COLUMN locale text;\nCOMMIT;', []);
    expectRanges(RULE, 'START TRANSACTION;\nALTER TABLE users ADD COLUMN locale text;\nEND;\nBEGIN;\nSELECT 1;\nROLLBACK;', []);
    // Runners that wrap each file in a transaction themselves (Rails, Flyway, …): no BEGIN, nothing to commit.
    expectRanges(RULE, 'ALTER TABLE users ADD COLUMN locale text;', [], { assumeInTransaction: true });
    // ory/kratos: ends the tool's transaction for a DELETE, then opens one for the tool to commit.
    expectRanges(RULE, 'DELETE FROM sessions;COMMIT TRANSACTION;BEGIN TRANSACTION;\nALTER TABLE "sessions" ADD COLUMN "token" VARCHAR (32);', []);
    expectRanges(RULE, 'BEGIN;\nALTER TABLE users ADD COLUMN locale text;', [], { assumeInTransaction: true });
    expectRanges(RULE, "DO $$\nBEGIN\n  UPDATE users SET locale = 'en';\nEND\n$$;", []);
  });

  it('err: the BEGIN of a transaction the file never ends, with a fix that commits at the end', () => {
    const sql = 'BEGIN;\nCOMMIT;\n\nBEGIN;\nALTER TABLE users ADD COLUMN locale text;\nCREATE INDEX users_locale_idx ON users (locale);\n';
    const found = expectRanges(RULE, sql, ['4:1-4:6']);
    assert.match(found[0]!.message, /^This transaction is never committed: the file ends inside it\./);
    assert.equal(applyFix(sql, found[0]!.finding), `${sql}COMMIT;\n`);
  });

  it('err: a file sent as one query string (Prisma): nobody commits the BEGIN, and closing the connection rolls back all of it', () => {
    // cal.com-style. Measured: the transaction stays open after the query string; closing the connection rolls all of it back.
    const sql = 'BEGIN;\nALTER TABLE "Webhook" ADD COLUMN "platformSecretId" UUID;\nALTER TABLE "Webhook" ADD COLUMN "payloadTemplate" JSON;\n';
    expectRanges(RULE, sql, ['1:1-1:6'], { assumeInTransaction: 'implicit' });
  });

  it('err: a stray COMMIT earlier does not excuse a transaction the file opens and closes itself later', () => {
    // pg-regress transactions.sql: the file manages its own transactions after the stray COMMIT.
    expectRanges(RULE, 'COMMIT;\nBEGIN;\nSELECT 1;\nROLLBACK;\nbegin;\nselect 1/0;', ['5:1-5:6']);
  });

  it('err: suppressed by an ignore above the BEGIN', () => {
    expectRanges(RULE, '-- rollout-guard-ignore ban-uncommitted-transaction -- psql script, committed by hand\nBEGIN;\nSELECT 1;', []);
  });
});
