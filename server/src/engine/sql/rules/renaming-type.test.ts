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

  // Prisma's way of removing an enum value, sent as one query string: one implicit transaction.
  const SWAP = [
    'BEGIN;',
    "CREATE TYPE \"Role_new\" AS ENUM ('ADMIN', 'MEMBER');",
    'ALTER TABLE "Team" ALTER COLUMN "role" TYPE "Role_new" USING ("role"::text::"Role_new");',
    'ALTER TYPE "Role" RENAME TO "Role_old";',
    'ALTER TYPE "Role_new" RENAME TO "Role";',
    'DROP TYPE "Role_old";',
    'COMMIT;',
  ];

  it("ok: a live type renamed away while another type takes its name in the same transaction (Prisma's enum swap)", () => {
    expectRanges(RULE, SWAP.join('\n'), []);
    // The same in a Prisma migration, with no BEGIN of its own.
    expectRanges(RULE, SWAP.slice(1, -1).join('\n'), [], { assumeInTransaction: 'implicit' });
    // A new type created under the old name serves as well.
    expectRanges(RULE, "BEGIN;\nALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('happy', 'sad');\nCOMMIT;", []);
  });

  it('err: in a transaction, a rename no other type takes the old name of before COMMIT, at the rename', () => {
    // The new name is taken after COMMIT: in between, the running version's casts fail.
    const late = [...SWAP.slice(0, 4), 'COMMIT;', ...SWAP.slice(4, -1)].join('\n');
    const found = expectRanges(RULE, late, ['4:19-4:39']);
    assert.match(found[0]!.message, /^Renaming type Role to Role_old breaks the version still running/);
    // Statement by statement, the name is gone between the two renames.
    expectRanges(RULE, SWAP.slice(1, -1).join('\n'), ['3:19-3:39'], { assumeInTransaction: false });
  });
});
