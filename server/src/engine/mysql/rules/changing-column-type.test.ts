import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectMysql } from '../../../../../test/helpers/mysql-lint';

describe('changing-column-type (MySQL)', () => {
  it('ok: widening a VARCHAR within its length byte, and NULL-ness only, on known columns', () => {
    const sql = 'CREATE TABLE t (a VARCHAR(20), b INT);\nALTER TABLE t ADD COLUMN c VARCHAR(10);';
    expectMysql('changing-column-type', sql, []);
    // the same file created the column: its type is known and unchanged
    expectMysql(
      'changing-column-type',
      'ALTER TABLE u ADD COLUMN c VARCHAR(10);\nALTER TABLE u MODIFY c VARCHAR(40) NOT NULL;\nALTER TABLE u MODIFY c VARCHAR(40) NULL;',
      [],
    );
  });

  it('err: MODIFY to another type, and CHANGE with a type change on a known column', () => {
    const sql = 'ALTER TABLE orders MODIFY COLUMN amount DECIMAL(12,2) NOT NULL;\nALTER TABLE u ADD COLUMN n INT;\nALTER TABLE u CHANGE n n BIGINT;';
    const found = expectMysql('changing-column-type', sql, ['1:20-1:63', '3:15-3:32']);
    assert.match(found[0]!.message, /if that is not its current type.*ALGORITHM=COPY, LOCK=SHARED/);
    assert.match(found[1]!.message, /from int to bigint/);
    assert.doesNotMatch(found[0]!.message, /VARCHAR/);
    const widened = expectMysql('changing-column-type', 'ALTER TABLE users MODIFY email VARCHAR(320) NOT NULL;', ['1:19-1:53']);
    assert.match(widened[0]!.message, /unless it only widens a VARCHAR/);
  });
});
