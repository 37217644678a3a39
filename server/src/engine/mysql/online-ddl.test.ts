import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MysqlFileState, parseMysqlVersion } from './context';
import { classify, typeChange } from './online-ddl';
import { MysqlStatement } from './statement';

/** How the first action of `sql` runs on `version`, after `setup` ran. */
function how(sql: string, version: string, setup = ''): string {
  const state = new MysqlFileState();
  if (setup) state.apply(new MysqlStatement(setup, 0, setup.length));
  const stmt = new MysqlStatement(sql, 0, sql.length);
  const ddl = classify(stmt.actions[0]!, { version: parseMysqlVersion(version)!, dialect: 'mysql', state, table: stmt.table!, actions: stmt.actions });
  return `${ddl!.algorithm}/${ddl!.lock}`;
}

describe('InnoDB online DDL by server version (MySQL 8.0 reference manual tables)', () => {
  it('adding a column: INSTANT from 8.0.12, at any position from 8.0.29, INPLACE before and on FULLTEXT tables', () => {
    assert.equal(how('ALTER TABLE t ADD COLUMN c INT', '8.0.12'), 'INSTANT/NONE');
    assert.equal(how('ALTER TABLE t ADD COLUMN c INT', '8.0.11'), 'INPLACE/NONE');
    assert.equal(how('ALTER TABLE t ADD COLUMN c INT AFTER a', '8.0.28'), 'INPLACE/NONE');
    assert.equal(how('ALTER TABLE t ADD COLUMN c INT AFTER a', '8.0.29'), 'INSTANT/NONE');
    assert.equal(how('ALTER TABLE t ADD COLUMN c INT', '8.0.35', 'CREATE TABLE t (a TEXT, FULLTEXT KEY f (a))'), 'INPLACE/NONE');
    assert.equal(how('ALTER TABLE t ADD COLUMN c INT', '5.7'), 'INPLACE/NONE');
  });

  it('dropping a column is INSTANT from 8.0.29; renaming from 8.0.28', () => {
    assert.equal(how('ALTER TABLE t DROP COLUMN c', '8.0.29'), 'INSTANT/NONE');
    assert.equal(how('ALTER TABLE t DROP COLUMN c', '8.0.28'), 'INPLACE/NONE');
    assert.equal(how('ALTER TABLE t RENAME COLUMN a TO b', '8.0.28'), 'INSTANT/NONE');
    assert.equal(how('ALTER TABLE t RENAME COLUMN a TO b', '8.0.27'), 'INPLACE/NONE');
  });

  it('column changes against the definition the file gave: type change copies, VARCHAR widening within its length byte does not', () => {
    const setup = "CREATE TABLE t (a VARCHAR(20), n INT, e ENUM('x','y'))";
    assert.equal(how('ALTER TABLE t MODIFY a VARCHAR(60)', '8.0', setup), 'INPLACE/NONE');
    assert.equal(how('ALTER TABLE t MODIFY a VARCHAR(100)', '8.0', setup), 'COPY/SHARED');
    assert.equal(how('ALTER TABLE t MODIFY n BIGINT', '8.0', setup), 'COPY/SHARED');
    assert.equal(how('ALTER TABLE t MODIFY n INT NOT NULL', '8.0', setup), 'INPLACE/NONE');
    assert.equal(how("ALTER TABLE t MODIFY e ENUM('x','y','z')", '8.0', setup), 'INSTANT/NONE');
  });

  it('typeChange compares types as written', () => {
    const col = (sql: string) => new MysqlStatement(sql, 0, sql.length).columns[0]!;
    assert.equal(typeChange(col('CREATE TABLE t (a INT UNSIGNED)'), col('CREATE TABLE t (a int unsigned)')), 'same');
    assert.equal(typeChange(col('CREATE TABLE t (a INT)'), col('CREATE TABLE t (a INT UNSIGNED)')), 'copy');
  });

  it('placeholders of migration tools stand for names', () => {
    const sql = 'ALTER TABLE ${schema}.orders DROP COLUMN a';
    const stmt = new MysqlStatement(sql, 0, sql.length);
    assert.deepEqual([stmt.table?.schema, stmt.table?.name, stmt.problems], ['${schema}', 'orders', []]);
  });
});
