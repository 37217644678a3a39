import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'renaming-schema';

describe(RULE, () => {
  it('ok: creating a schema, renaming other objects', () => {
    expectRanges(RULE, 'CREATE SCHEMA IF NOT EXISTS billing;\nALTER INDEX billing.invoices_idx RENAME TO invoices_created_idx;', []);
  });

  it('ok: renaming a schema created in the same file (with its tables as schema elements)', () => {
    expectRanges(RULE, 'CREATE SCHEMA billing_v2\n  CREATE TABLE invoices (id bigint PRIMARY KEY);\nALTER SCHEMA billing_v2 RENAME TO billing;', []);
  });

  it('err: a schema created IF NOT EXISTS may be live already', () => {
    expectRanges(RULE, 'CREATE SCHEMA IF NOT EXISTS auth;\nALTER SCHEMA auth RENAME TO identity;', ['2:19-2:37']);
  });

  it('err: ALTER SCHEMA … RENAME TO, from RENAME to the end', () => {
    const found = expectRanges(RULE, 'ALTER SCHEMA auth RENAME TO identity;', ['1:19-1:37']);
    assert.match(found[0]!.message, /^Renaming schema auth to identity moves every table, view, type and function in it at once/);
  });
});
