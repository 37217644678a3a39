import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'require-enum-value-ordering';

describe(RULE, () => {
  it('ok: BEFORE or AFTER, and renames', () => {
    expectRanges(
      RULE,
      "ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'paid';\nALTER TYPE order_status ADD VALUE IF NOT EXISTS 'draft' BEFORE 'pending';",
      [],
    );
    expectRanges(RULE, "ALTER TYPE order_status RENAME VALUE 'a' TO 'b';", []);
  });

  it('err: ADD VALUE with no position, from ADD to the end', () => {
    // lemmy-style: ALTER TYPE listing_type_enum ADD VALUE 'ModeratorView';
    const found = expectRanges(RULE, "ALTER TYPE listing_type_enum ADD VALUE IF NOT EXISTS 'ModeratorView';", ['1:30-1:69']);
    assert.match(found[0]!.message, /^'ModeratorView' goes after every existing value of listing_type_enum/);
    assert.equal(found[0]!.finding.severity, 'hint');
  });
});
