import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('set-logged-unlogged', () => {
  it('ok: a bulk-load table created UNLOGGED in the same file, then SET LOGGED', () => {
    const sql = [
      'CREATE UNLOGGED TABLE import_rows (id bigint, payload jsonb);',
      "COPY import_rows FROM '/tmp/rows.csv' WITH (FORMAT csv);",
      'ALTER TABLE import_rows SET LOGGED;',
      'ALTER TABLE orders SET (fillfactor = 90);',
      'ALTER SEQUENCE orders_id_seq SET UNLOGGED;',
    ].join('\n');
    expectRanges('set-logged-unlogged', sql, []);
  });

  it('err: SET UNLOGGED to speed up a cache table, SET LOGGED back', () => {
    const sql = 'ALTER TABLE sessions SET UNLOGGED;\nALTER TABLE IF EXISTS public.sessions SET LOGGED;';
    const found = expectRanges('set-logged-unlogged', sql, ['1:22-1:34', '2:39-2:49']);
    assert.match(
      found[0]!.message,
      /^SET UNLOGGED: ACCESS EXCLUSIVE on sessions: blocks reads and writes until the table is rewritten\. An unlogged table is emptied after a crash/,
    );
    assert.match(found[1]!.message, /^SET LOGGED: ACCESS EXCLUSIVE on public\.sessions.*written to the WAL/);
  });
});
