import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectMysql } from '../../../../../test/helpers/mysql-lint';

describe('unbatched-backfill (MySQL)', () => {
  it('ok: LIMIT batches, key ranges, key lookups, new tables', () => {
    const sql = [
      "UPDATE users SET status = 'active' WHERE status IS NULL LIMIT 1000;",
      'UPDATE users SET score = 0 WHERE id BETWEEN 1 AND 5000;',
      'DELETE FROM sessions WHERE id >= ? AND id < ?;',
      'DELETE FROM carts WHERE user_id IN (SELECT id FROM users WHERE deleted = 1 ORDER BY id LIMIT 500);',
      'UPDATE users SET email = LOWER(email) WHERE id = 42;',
      'UPDATE orders SET region = ? WHERE customer_id = ?;',
      'DELETE FROM role_permissions WHERE role_id = 3 AND permission_id = 7;',
      'CREATE TABLE t (id INT);',
      'UPDATE t SET id = id + 1;',
    ].join('\n');
    expectMysql('unbatched-backfill', sql, []);
  });

  it('err: no WHERE, a WHERE on a category, an OR that widens a range', () => {
    const sql = [
      "UPDATE users SET status = 'active';",
      'DELETE FROM `audit_log` WHERE created_at < NOW() - INTERVAL 90 DAY;',
      'UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.region = c.region WHERE o.id >= 1 OR o.region IS NULL;',
      'DELETE FROM carts WHERE user_id IN (SELECT id FROM users WHERE deleted = 1);',
    ].join('\n');
    const found = expectMysql('unbatched-backfill', sql, ['1:1-1:13', '2:1-2:24', '3:1-3:14', '4:1-4:18']);
    assert.match(found[0]!.message, /LIMIT 1000/);
  });

  it("err: a parent key equal to a literal picks every row of that parent (ente's product_id = 'free'), and a key equal to ''", () => {
    const sql = [
      "UPDATE subscriptions SET storage = 5368709120 WHERE product_id = 'free';",
      'DELETE FROM members WHERE account_id = 7;',
      "UPDATE users SET email = NULL WHERE email = '';",
    ].join('\n');
    expectMysql('unbatched-backfill', sql, ['1:1-1:21', '2:1-2:20', '3:1-3:13']);
  });
});
