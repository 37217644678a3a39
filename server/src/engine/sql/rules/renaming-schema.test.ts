import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'renaming-schema';

describe(RULE, () => {
  it('ok: creating a schema, renaming other objects', () => {
    expectRanges(RULE, 'CREATE SCHEMA IF NOT EXISTS billing;\nALTER INDEX billing.invoices_idx RENAME TO invoices_created_idx;', []);
  });

  it('err: ALTER SCHEMA … RENAME TO, from RENAME to the end', () => {
    const found = expectRanges(RULE, 'ALTER SCHEMA auth RENAME TO identity;', ['1:19-1:37']);
    assert.match(found[0]!.message, /^Renaming schema auth to identity moves every table, view, type and function in it at once/);
  });
});
