import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectMysql } from '../../../../../test/helpers/mysql-lint';

describe('mysql-unsafe-alter', () => {
  it('ok: operations InnoDB runs INSTANT or INPLACE with LOCK=NONE', () => {
    const sql = [
      'ALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT;',
      'ALTER TABLE orders ADD INDEX idx_status (status), ALGORITHM=INPLACE, LOCK=NONE;',
      'CREATE INDEX idx_created ON orders (created_at) ALGORITHM=INPLACE LOCK=NONE;',
      'ALTER TABLE orders DROP COLUMN legacy, RENAME INDEX a TO b, ALTER COLUMN x SET DEFAULT 0;',
      'ALTER TABLE orders ENGINE=InnoDB;',
      'ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, created_at);',
      'SET foreign_key_checks = 0;',
      'ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id);',
      'CREATE TABLE docs (id INT PRIMARY KEY, body TEXT);',
      'ALTER TABLE docs ADD FULLTEXT INDEX ft_body (body);',
    ].join('\n');
    expectMysql('mysql-unsafe-alter', sql, []);
  });

  it('err: COPY and SHARED operations, explicit ALGORITHM=COPY / LOCK=SHARED, FULLTEXT CREATE INDEX', () => {
    const sql = [
      'ALTER TABLE articles ADD FULLTEXT INDEX ft_body (body);',
      'ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;',
      'ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id);',
      'ALTER TABLE orders DROP PRIMARY KEY;',
      'ALTER TABLE orders ADD COLUMN total DECIMAL(12,2) AS (qty * price) STORED;',
      'ALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=COPY;',
      'ALTER TABLE orders ADD INDEX i (a), LOCK=SHARED;',
      'CREATE SPATIAL INDEX sp ON places (geo);',
    ].join('\n');
    const found = expectMysql('mysql-unsafe-alter', sql, [
      '1:22-1:55',
      '2:19-2:78',
      '3:20-3:86',
      '4:20-4:36',
      '5:20-5:74',
      '6:42-6:56',
      '7:37-7:48',
      '8:1-8:21',
    ]);
    assert.match(found[0]!.message, /ALGORITHM=INPLACE, LOCK=SHARED/);
    assert.match(found[1]!.message, /ALGORITHM=COPY, LOCK=SHARED.*gh-ost or pt-online-schema-change/);
  });

  it('err: adding an AUTO_INCREMENT column rebuilds the table with concurrent DML refused', () => {
    expectMysql('mysql-unsafe-alter', 'ALTER TABLE t ADD COLUMN id2 INT AUTO_INCREMENT UNIQUE;', ['1:15-1:55'], { mysqlVersion: '8.0.35' });
  });
});
