import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectMysql } from '../../../../../test/helpers/mysql-lint';

describe('ban-drop-table (MySQL)', () => {
  it('ok: a table created in this file, and temporary tables', () => {
    expectMysql('ban-drop-table', 'CREATE TABLE tmp_ids (id BIGINT);\nDROP TABLE tmp_ids;\nDROP TEMPORARY TABLE IF EXISTS scratch;', []);
  });

  it('err: each table of DROP TABLE on its name', () => {
    const found = expectMysql('ban-drop-table', 'DROP TABLE IF EXISTS `old_orders`, app.sessions;', ['1:22-1:34', '1:36-1:48']);
    assert.match(found[1]!.message, /app\.sessions/);
  });
});
