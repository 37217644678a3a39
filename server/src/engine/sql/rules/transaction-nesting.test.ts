import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'transaction-nesting';

describe(RULE, () => {
  it('ok: one transaction after another, and a DO block', () => {
    expectRanges(RULE, 'BEGIN;\nALTER TABLE users ADD COLUMN locale text;\nCOMMIT;\nBEGIN;\nSELECT 1;\nCOMMIT;', []);
    expectRanges(RULE, "DO $$\nBEGIN\n  UPDATE users SET locale = 'en';\nEND\n$$;", [], { assumeInTransaction: true });
  });

  it('err: a BEGIN inside an open transaction', () => {
    const found = expectRanges(RULE, 'BEGIN;\nALTER TABLE users ADD COLUMN locale text;\nBEGIN;\nUPDATE users SET locale = NULL;\nCOMMIT;', ['3:1-3:6']);
    assert.match(found[0]!.message, /^BEGIN inside a transaction that is already open/);
  });

  it("err: a COMMIT with no BEGIN before it (ory/kratos ends its tool's transaction early)", () => {
    const sql = 'DELETE FROM sessions;COMMIT TRANSACTION;BEGIN TRANSACTION;\nALTER TABLE "sessions" ADD COLUMN "token" VARCHAR (32);';
    const found = expectRanges(RULE, sql, ['1:22-1:28']);
    assert.match(found[0]!.message, /^COMMIT with no BEGIN before it: /);
  });

  it('err: BEGIN and COMMIT in a file the tool wraps in a transaction', () => {
    const sql = 'BEGIN;\nALTER TABLE users ADD COLUMN locale text;\ncommit;';
    const found = expectRanges(RULE, sql, ['1:1-1:6', '3:1-3:7'], { assumeInTransaction: true });
    assert.match(found[0]!.message, /this BEGIN nests in it/);
    assert.match(found[1]!.message, /this COMMIT ends the tool's transaction/);
  });

  it("ok: BEGIN and COMMIT in a file sent as one query string (assumeInTransaction: implicit, Prisma's enum changes)", () => {
    // PostgreSQL turns the implicit transaction into the explicit one: nothing nests.
    const sql = ['ALTER TYPE role RENAME TO role_old;', 'BEGIN;', "CREATE TYPE role AS ENUM ('member', 'admin');", 'COMMIT;', 'DROP TYPE role_old;'];
    expectRanges(RULE, sql.join('\n'), [], { assumeInTransaction: 'implicit' });
  });
});
