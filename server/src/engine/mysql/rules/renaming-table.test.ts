import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectMysql } from '../../../../../test/helpers/mysql-lint';

describe('renaming-table (MySQL)', () => {
  it('ok: renaming a table created in this file, and an atomic swap', () => {
    expectMysql('renaming-table', 'CREATE TABLE _orders_new LIKE orders;\nRENAME TABLE _orders_new TO orders_v2;', []);
    // the atomic swap of gh-ost and pt-online-schema-change: orders keeps answering
    expectMysql('renaming-table', 'RENAME TABLE orders TO _orders_old, _orders_gho TO orders;', []);
  });

  it('err: RENAME TABLE pairs and ALTER TABLE … RENAME TO', () => {
    const sql = 'RENAME TABLE orders TO orders_old, carts TO baskets;\nALTER TABLE users RENAME TO accounts;';
    const found = expectMysql('renaming-table', sql, ['1:14-1:34', '1:36-1:52', '2:19-2:37']);
    assert.match(found[2]!.message, /users to accounts/);
  });
});
