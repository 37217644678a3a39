import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'set-schema';

describe(RULE, () => {
  it('ok: a table created earlier in the file', () => {
    expectRanges(RULE, 'CREATE TABLE staging_sessions (id uuid PRIMARY KEY);\nALTER TABLE staging_sessions SET SCHEMA auth;', []);
  });

  it('err: a live table moved, on SET SCHEMA, with its lock', () => {
    const found = expectRanges(RULE, 'ALTER TABLE public.sessions SET SCHEMA auth;', ['1:29-1:44']);
    assert.match(found[0]!.message, /^Moving table public\.sessions to schema auth breaks the version still running/);
    assert.match(found[0]!.message, /ACCESS EXCLUSIVE on public\.sessions: blocks reads and writes/);
  });

  it('err: a type and a function', () => {
    const sql = 'ALTER TYPE public.factor_type SET SCHEMA auth;\nALTER FUNCTION public.uid() SET SCHEMA auth;';
    const found = expectRanges(RULE, sql, ['1:31-1:46', '2:29-2:44']);
    assert.match(found[0]!.message, /^Moving type public\.factor_type to schema auth/);
    assert.match(found[1]!.message, /^Moving function public\.uid to schema auth/);
  });
});
