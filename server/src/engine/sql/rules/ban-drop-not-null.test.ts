import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'ban-drop-not-null';

describe(RULE, () => {
  it('ok: other column changes, and a table created earlier in the file', () => {
    expectRanges(RULE, "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users ALTER COLUMN email SET DEFAULT '';", []);
    // ory/kratos (fizz change_column): the type and the nullability restated together, reported by changing-column-type.
    expectRanges(RULE, 'ALTER TABLE "selfservice_login_flows" ALTER COLUMN "nid" TYPE UUID, ALTER COLUMN "nid" DROP NOT NULL;', []);
    expectRanges(RULE, 'CREATE TABLE invites (id bigint PRIMARY KEY, email text NOT NULL);\nALTER TABLE invites ALTER COLUMN email DROP NOT NULL;', []);
  });

  it('err: ALTER COLUMN … DROP NOT NULL on a live table, on the action', () => {
    // supabase/auth: making a column nullable that the running version assumes is set
    const sql = 'ALTER TABLE auth.identities\n  ALTER COLUMN email SET DEFAULT NULL,\n  ALTER COLUMN provider_id DROP NOT NULL;';
    const found = expectRanges(RULE, sql, ['3:3-3:41']);
    assert.match(found[0]!.message, /^Dropping NOT NULL on auth\.identities\.provider_id lets rows with a NULL provider_id in/);
  });
});
