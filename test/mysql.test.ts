import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { ConfigError, dialectOf, lintText, loadParser, mergeSettings, parseConfig } from '../server/src/engine';
import { splitMysql } from '../server/src/engine/mysql/split';
import { lintMy } from './helpers/mysql-lint';
import { repoRoot } from '../simulators/lsp-client';
import type { LocatedFinding } from '../cli/src/format';

const bin = path.join(repoRoot, 'bin/rollout-guard.js');
const lintPg = (text: string): { rule: string; message: string }[] => lintText({ fileName: 'm.sql', text, settings: mergeSettings() });

before(() => loadParser());
const fixtures = path.join(repoRoot, 'test/fixtures/mysql');

function checkJson(args: string[], cwd: string): { code: number | null; findings: LocatedFinding[] } {
  const r = spawnSync(process.execPath, [bin, 'check', ...args, '--format', 'json'], { cwd, encoding: 'utf8' });
  assert.equal(r.stderr, '', `exit ${r.status}: ${r.stderr}`);
  assert.ok(r.stdout, `exit ${r.status}, no output`);
  return { code: r.status, findings: (JSON.parse(r.stdout) as { findings: LocatedFinding[] }).findings };
}

describe('MySQL migration folder (Flyway, Laravel, MariaDB styles) through the CLI', () => {
  let code: number | null = null;
  let findings: LocatedFinding[] = [];
  before(() => ({ code, findings } = checkJson(['migrations'], fixtures)));
  const at = (file: string): string[] => findings.filter((f) => f.file === `migrations/${file}`).map((f) => `${f.line}:${f.column} ${f.rule}`);

  it('Flyway file: each expected finding at its line, nothing in the trigger or the new table', () => {
    assert.deepEqual(at('V7__orders_cleanup.sql'), [
      '21:20 ban-drop-column',
      '23:20 changing-column-type',
      '25:23 mysql-unsafe-alter',
      '27:1 unbatched-backfill',
    ]);
  });

  it('Laravel file: backticked lowercase DDL, an ignored contract drop', () => {
    assert.deepEqual(at('2024_05_02_101500_laravel_users.sql'), [
      '2:21 adding-required-field',
      '5:21 mysql-unsafe-alter',
      '6:21 renaming-column',
      '7:21 renaming-column',
      '8:14 renaming-table',
      '9:22 ban-drop-table',
    ]);
  });

  it('MariaDB file chosen by the first matching glob: IF [NOT] EXISTS parses, a typo is a syntax error', () => {
    const mariadb = findings.filter((f) => f.file.startsWith('migrations/mariadb/'));
    assert.deepEqual(at('mariadb/20240601_add_flags.sql'), ['3:22 ban-drop-column', '4:22 mysql-unsafe-alter', '6:37 mysql-unsafe-alter', '8:1 syntax-error']);
    assert.ok(
      mariadb.every((f) => !/MySQL 8/.test((f as unknown as { message: string }).message)),
      'MariaDB findings name MariaDB',
    );
  });

  it('a clean expand step has no finding, including statements node-sql-parser rejects', () => {
    assert.deepEqual(at('V8__expand_only_ok.sql'), []);
    assert.equal(code, 1);
  });
});

describe('MySQL syntax: valid statements never give syntax-error', () => {
  // Each of these is valid MySQL 8.0 or MariaDB that node-sql-parser 5.4 rejects.
  const valid = [
    'ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
    'ALTER TABLE t FORCE',
    'ALTER TABLE t ALTER COLUMN a SET DEFAULT 1',
    'ALTER TABLE t ALTER COLUMN a DROP DEFAULT',
    'ALTER TABLE t RENAME INDEX a TO b',
    'ALTER TABLE t ALTER INDEX i INVISIBLE',
    'ALTER TABLE t DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci',
    'ALTER TABLE t PARTITION BY HASH(id) PARTITIONS 4',
    "ALTER TABLE t ADD COLUMN j JSON, ADD INDEX ((CAST(j->'$.a' AS UNSIGNED ARRAY)))",
    'ALTER TABLE t ADD COLUMN g POINT NOT NULL SRID 4326, ADD SPATIAL INDEX (g)',
    'ALTER ONLINE TABLE t ADD COLUMN x INT',
    'ALTER TABLE t WAIT 5 ADD COLUMN IF NOT EXISTS x INT',
    'CREATE TABLE t (id int) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (10))',
    'INSERT INTO t (a) VALUES (1) AS new ON DUPLICATE KEY UPDATE a = new.a',
    'SET NAMES utf8mb4',
    "PREPARE s FROM 'SELECT 1'",
    'OPTIMIZE TABLE t',
    '/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */',
    'CREATE PROCEDURE p() BEGIN UPDATE t SET a = 1 WHERE id = 1; IF 1 THEN SELECT 1; END IF; END',
    'CREATE TABLE t (LIKE s)',
    'CREATE TABLE t (id INT NOT NULL, g GEOMETRY NOT NULL SRID 4326, SPATIAL INDEX (g)) ENGINE=InnoDB',
    'CREATE TABLE t (a INT CHECK (a > 0) NOT ENFORCED, b JSON, CONSTRAINT c CHECK (JSON_VALID(b)))',
    'CREATE TABLE t (id INT, row_start TIMESTAMP(6) GENERATED ALWAYS AS ROW START INVISIBLE) WITH SYSTEM VERSIONING',
    'ALTER TABLE t ADD COLUMN c JSON DEFAULT (JSON_OBJECT())',
    'ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE s WITHOUT VALIDATION',
    'ALTER TABLE t ALTER CHECK c NOT ENFORCED',
    'ALTER TABLE t ADD PERIOD FOR SYSTEM_TIME(s, e)',
    'ALTER TABLE ${flyway:defaultSchema}.orders ADD COLUMN note TEXT',
  ];
  for (const sql of valid) {
    it(`ok: ${sql.slice(0, 60)}`, () => {
      assert.deepEqual(
        lintMy(`${sql};`).filter((f) => f.rule === 'syntax-error'),
        [],
      );
    });
  }

  it('err: malformed statements at the offending token', () => {
    // The unterminated string comes last: it runs to the end of the file.
    const sql = [
      'ALTR TABLE t ADD x INT;',
      'ALTER TABLE t ADD COLUM x INT;',
      'ALTER TABLE t DROP COLUMN a,, DROP b;',
      'INSERT INTO t (a) VALUES (1,);',
      "UPDATE t SET a = 'x;",
    ].join('\n');
    const found = lintMy(sql).filter((f) => f.rule === 'syntax-error');
    assert.deepEqual(
      found.map((f) => f.range),
      ['1:1-1:5', '2:25-2:26', '3:29-3:30', '4:29-4:30', '5:18-5:19'],
    );
    assert.match(found[1]!.message, /x is not a MySQL data type \(column COLUM\)/);
  });
});

describe('MySQL statement splitting', () => {
  it('DELIMITER, backquoted names, # and -- comments, strings with escaped quotes', () => {
    const text =
      "DELIMITER //\nCREATE TRIGGER t1 BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END//\nDELIMITER ;\nSELECT 'it\\'s; fine', `a;b` FROM t; # one;\n-- two;\nSELECT 2";
    const { pieces, comments } = splitMysql(text);
    assert.deepEqual(
      pieces.map((p) => text.slice(p.start, p.end)),
      ['CREATE TRIGGER t1 BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END', "SELECT 'it\\'s; fine', `a;b` FROM t", 'SELECT 2'],
    );
    assert.equal(comments.filter((c) => c.text.startsWith('#') || c.text.startsWith('--')).length, 2);
  });

  it('Liquibase formatted SQL: --changeset and --rollback lines are comments, a--1 is arithmetic', () => {
    const text = '--liquibase formatted sql\n--changeset dev:1\nALTER TABLE t ADD COLUMN c INT;\n--rollback ALTER TABLE t DROP COLUMN c;\nSELECT a--1 FROM t;';
    const { pieces } = splitMysql(text);
    assert.deepEqual(
      pieces.map((p) => text.slice(p.start, p.end)),
      ['ALTER TABLE t ADD COLUMN c INT', 'SELECT a--1 FROM t'],
    );
    assert.deepEqual(lintMy(text), []);
  });

  it('a routine body without DELIMITER stays one statement (Flyway)', () => {
    const text = 'CREATE PROCEDURE p() BEGIN UPDATE t SET a = 1; CASE WHEN 1 THEN SELECT 1; END CASE; END; SELECT 3;';
    assert.equal(splitMysql(text).pieces.length, 2);
  });
});

describe('dialect selection and configuration', () => {
  const settings = mergeSettings(parseConfig('dialect: postgres\ndialects:\n  "db/mysql/**": mysql\nmysqlVersion: 8.0\n').settings);
  it('globs match the end of a path or a file URI; a marker line wins; the default otherwise', () => {
    assert.equal(settings.mysqlVersion, '8.0');
    assert.equal(dialectOf('/home/me/app/db/mysql/001_init.sql', '', settings), 'mysql');
    assert.equal(dialectOf('file:///home/me/app/db/mysql/002%20users.sql', '', settings), 'mysql');
    assert.equal(dialectOf('/home/me/app/db/pg/001.sql', '', settings), 'postgres');
    assert.equal(dialectOf('/home/me/app/db/pg/001.sql', '-- rollout-guard: dialect mariadb\nSELECT 1;', settings), 'mariadb');
  });

  it('bad values are configuration errors naming the key', () => {
    assert.throws(
      () => parseConfig('dialect: oracle'),
      (e: unknown) => e instanceof ConfigError && /dialect must be postgres, mysql or mariadb/.test(e.message),
    );
    assert.throws(
      () => parseConfig('mysqlVersion: eight'),
      (e: unknown) => e instanceof ConfigError && /mysqlVersion/.test(e.message),
    );
    assert.throws(
      () => parseConfig('dialects:\n  "a/**": db2'),
      (e: unknown) => e instanceof ConfigError && /dialects\."a\/\*\*"/.test(e.message),
    );
  });

  it('suppression comments work with # as well as --', () => {
    const found = lintMy('# rollout-guard-ignore ban-drop-table\nDROP TABLE a;\n-- rollout-guard-ignore ban-drop-column\nSELECT 1;');
    assert.deepEqual(
      found.map((f) => `${f.range} ${f.rule}`),
      ['3:25-3:40 unused-ignore'],
    );
  });
});

describe('a MySQL file linted as PostgreSQL', () => {
  it('err: its syntax errors say how to switch the dialect', () => {
    const sql = 'ALTER TABLE `users` ADD COLUMN `age` INT;';
    const found = lintPg(sql).filter((f) => f.rule === 'syntax-error');
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /looks like MySQL: add a line `-- rollout-guard: dialect mysql`/);
  });

  it('ok: backticks in comments do not make a PostgreSQL file look like MySQL', () => {
    const sql = '-- renames `users`.`age`\n/* see `docs` */\nALTER TABEL users ADD COLUMN age int;';
    const found = lintPg(sql).filter((f) => f.rule === 'syntax-error');
    assert.equal(found.length, 1);
    assert.doesNotMatch(found[0]!.message, /MySQL/);
  });
});
