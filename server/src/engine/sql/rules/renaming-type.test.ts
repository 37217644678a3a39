import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'renaming-type';

describe(RULE, () => {
  it('ok: renaming a type or domain created earlier in the file, or a table or an enum value', () => {
    expectRanges(RULE, `CREATE TYPE "Role_new" AS ENUM ('USER', 'ADMIN');\nALTER TYPE "Role_new" RENAME TO "Role";`, []);
    expectRanges(RULE, 'CREATE DOMAIN public.email AS text;\nALTER DOMAIN email RENAME TO email_address;', []);
    expectRanges(RULE, 'CREATE TYPE point3 AS (x float8, y float8, z float8);\nALTER TYPE point3 RENAME TO point_3d;', []);
    expectRanges(RULE, "ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';\nALTER INDEX orders_idx RENAME TO orders_created_idx;", []);
  });

  it('err: ALTER TYPE … RENAME TO on a live type, from RENAME to the end (hoppscotch "TeamMemberRole")', () => {
    const found = expectRanges(RULE, 'ALTER TYPE "TeamMemberRole" RENAME TO "TeamAccessRole";', ['1:29-1:55']);
    assert.match(
      found[0]!.message,
      /^Renaming type TeamMemberRole to TeamAccessRole breaks the version still running wherever it names TeamMemberRole: casts in its queries/,
    );
  });

  it('err: a domain, schema-qualified', () => {
    const found = expectRanges(RULE, 'ALTER DOMAIN billing.money_amount RENAME TO amount;', ['1:35-1:51']);
    assert.match(found[0]!.message, /^Renaming domain billing\.money_amount to amount/);
  });
});
