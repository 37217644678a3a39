import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectMysql } from '../../../../../test/helpers/mysql-lint';

describe('renaming-column (MySQL)', () => {
  it('ok: CHANGE that keeps the name, and renames in a table created here', () => {
    expectMysql('renaming-column', 'ALTER TABLE users CHANGE email email VARCHAR(320) NOT NULL;', []);
    expectMysql('renaming-column', 'CREATE TABLE t (a INT);\nALTER TABLE t RENAME COLUMN a TO b;', []);
  });

  it('err: RENAME COLUMN and CHANGE old new', () => {
    const sql = 'ALTER TABLE users RENAME COLUMN name TO full_name;\nALTER TABLE users CHANGE `zip` `postal_code` VARCHAR(16);';
    const found = expectMysql('renaming-column', sql, ['1:19-1:50', '2:19-2:57']);
    assert.match(found[1]!.message, /users\.zip to postal_code/);
  });
});
