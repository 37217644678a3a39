import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectMysql } from '../../../../../test/helpers/mysql-lint';

describe('adding-required-field (MySQL)', () => {
  it('ok: with a DEFAULT, nullable, AUTO_INCREMENT, generated, or on a new table', () => {
    const sql = [
      "ALTER TABLE users ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'active';",
      'ALTER TABLE users ADD COLUMN nickname VARCHAR(40);',
      'ALTER TABLE users ADD COLUMN total INT AS (a + b) STORED NOT NULL;',
      'CREATE TABLE t (id INT);',
      'ALTER TABLE t ADD COLUMN x INT NOT NULL;',
    ].join('\n');
    expectMysql('adding-required-field', sql, []);
  });

  it('err: NOT NULL without DEFAULT, also DEFAULT NULL and each column of ADD (…)', () => {
    const sql = 'ALTER TABLE users ADD COLUMN tenant_id BIGINT UNSIGNED NOT NULL AFTER id;\nALTER TABLE users ADD (a INT NOT NULL DEFAULT NULL, b INT NULL);';
    const found = expectMysql('adding-required-field', sql, ['1:19-1:73', '2:24-2:29']);
    assert.match(found[0]!.message, /doesn't have a default value/);
  });
});
