import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectMysql } from '../../../../../test/helpers/mysql-lint';

describe('ban-drop-column (MySQL)', () => {
  it('ok: dropping a column of a table created in the same file, or in a contract step', () => {
    expectMysql('ban-drop-column', 'CREATE TABLE t (a INT, b INT);\nALTER TABLE t DROP COLUMN b;', []);
    expectMysql('ban-drop-column', '-- rollout-guard: phase contract\nALTER TABLE `orders` DROP COLUMN `legacy`;', []);
  });

  it('err: each DROP of a multi-clause ALTER TABLE on its own range', () => {
    const found = expectMysql('ban-drop-column', 'ALTER TABLE `orders`\n  DROP COLUMN `legacy_code`,\n  DROP note;', ['2:3-2:28', '3:3-3:12']);
    assert.match(found[0]!.message, /orders\.legacy_code breaks the version still running/);
  });
});
