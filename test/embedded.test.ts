import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { loadParser, mergeSettings } from '../server/src/engine';
import { extractSql } from '../server/src/engine/embedded/lint';
import { findSqlLiterals } from '../server/src/engine/embedded/scan';
import { lintCode } from './helpers/mysql-lint';
import { repoRoot } from '../simulators/lsp-client';

const bin = path.join(repoRoot, 'bin/rollout-guard.js');
const fixtures = path.join(repoRoot, 'test/fixtures/embedded');

before(() => loadParser());

describe('SQL in TS/JS: held-out style files through the CLI', () => {
  const run = (args: string[]): { code: number | null; lines: string[] } => {
    const r = spawnSync(process.execPath, [bin, 'check', ...args, '--format', 'json'], { cwd: fixtures, encoding: 'utf8' });
    assert.equal(r.stderr, '', `exit ${r.status}: ${r.stderr}`);
    const { findings } = JSON.parse(r.stdout) as { findings: { file: string; rule: string; line: number; column: number }[] };
    return { code: r.status, lines: findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`) };
  };

  it('--embedded: pg and mysql2 files, each finding at its line and column, none in code that is not a SQL call', () => {
    const { code, lines } = run(['.', '--embedded']);
    assert.equal(code, 1);
    assert.deepEqual(lines, [
      'src/expand-contract.ts:8:6 require-statement-timeout',
      'src/expand-contract.ts:9:8 changing-column-type',
      'src/expand-contract.ts:16:21 unbatched-backfill',
      'src/expand-contract.ts:21:42 ban-drop-column',
      'src/expand-contract.ts:21:42 prefer-robust-stmts',
      'src/expand-contract.ts:24:24 require-concurrent-index-creation',
      'src/expand-contract.ts:24:24 prefer-robust-stmts',
      'src/mysql-repo.js:5:43 adding-required-field',
      'src/mysql-repo.js:6:39 mysql-unsafe-alter',
      'src/mysql-repo.js:9:34 renaming-table',
    ]);
  });

  it('without --embedded a folder walk leaves TS/JS alone; a file named on the command line is checked', () => {
    assert.deepEqual(run(['.']).lines, []);
    assert.deepEqual(run(['src/mysql-repo.js']).lines, [
      'src/mysql-repo.js:5:43 adding-required-field',
      'src/mysql-repo.js:6:39 mysql-unsafe-alter',
      'src/mysql-repo.js:9:34 renaming-table',
    ]);
  });
});

describe('SQL in TS/JS: extraction', () => {
  it('finds call arguments and sql tags, skips other templates, regex literals and concatenations', () => {
    const text = [
      'const re = /query\\(`DROP TABLE a`\\)/;',
      'db.query<Row>(`SELECT 1`);',
      "knex.raw('UPDATE t SET a = 1' + suffix);",
      'await sql`ALTER TABLE t ADD COLUMN b int`;',
      'log(`DROP TABLE x`);',
      'client.query({ text: "DELETE FROM t", values: [] });',
      'run(`${a ? `nested ${b}` : "c"}`); pool.execute(`DROP TABLE y`);',
    ].join('\n');
    const { literals } = findSqlLiterals(text);
    assert.deepEqual(
      literals.map((l) => `${l.via} ${text.slice(l.start, l.end)}`),
      ['query `SELECT 1`', 'sql `ALTER TABLE t ADD COLUMN b int`', 'query "DELETE FROM t"', 'execute `DROP TABLE y`'],
    );
  });

  it("knows db-migrate's runSql, MikroORM's addSql and node-pg-migrate's pgm.sql; postgres.js's sql(name) quotes a name", () => {
    const text = [
      "db.runSql('ALTER TABLE features ADD COLUMN stale boolean', cb);",
      "this.addSql('CREATE INDEX book_title_idx ON book (title);');",
      "pgm.sql('UPDATE users SET active = true');",
      "await sql`SELECT * FROM ${sql('users')}`;",
    ].join('\n');
    const { literals } = findSqlLiterals(text);
    assert.deepEqual(
      literals.map((l) => l.via),
      ['runSql', 'addSql', 'sql', 'sql'],
    );
    assert.equal(text.slice(literals[3]!.start, literals[3]!.end), "`SELECT * FROM ${sql('users')}`");
  });

  it("leaves out a migration's down function (knex, Sequelize, umzug, db-migrate, Kysely, TypeORM): it runs only to undo", () => {
    const migrations: Record<string, string> = {
      knex: "exports.up = function (knex) {\n  return knex.raw('ALTER TABLE orders ADD COLUMN note text');\n};\nexports.down = (knex) => knex.raw('ALTER TABLE orders DROP COLUMN note');\n",
      sequelize:
        "module.exports = {\n  up: async (queryInterface) => {\n    await queryInterface.sequelize.query('ALTER TABLE orders ADD COLUMN note text');\n  },\n  down: async (queryInterface) => {\n    await queryInterface.sequelize.query('ALTER TABLE orders DROP COLUMN note');\n  },\n};\n",
      umzug:
        "export const up = async ({ context: db }) => { await db.query('ALTER TABLE orders ADD COLUMN note text'); };\nexport const down = async ({ context: db }) => { await db.query('ALTER TABLE orders DROP COLUMN note'); };\n",
      dbMigrate:
        "exports.up = function (db, cb) {\n  db.runSql('ALTER TABLE orders ADD COLUMN note text', cb);\n};\nexports.down = function (db, cb) {\n  db.runSql('ALTER TABLE orders DROP COLUMN note', cb);\n};\n",
      kysely:
        'export async function up(db: Kysely<any>): Promise<void> {\n  await sql`ALTER TABLE orders ADD COLUMN note text`.execute(db);\n}\nexport async function down(db: Kysely<any>): Promise<void> {\n  await sql`ALTER TABLE orders DROP COLUMN note`.execute(db);\n}\n',
      typeorm:
        'export class AddNote1700000000000 implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(`ALTER TABLE "orders" ADD "note" text`);\n  }\n  public async down(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(`ALTER TABLE "orders" DROP COLUMN "note"`);\n  }\n}\n',
    };
    for (const [tool, text] of Object.entries(migrations)) {
      const sqlOf = findSqlLiterals(text).literals.map((l) => text.slice(l.start + 1, l.end - 1));
      assert.deepEqual(sqlOf, [tool === 'typeorm' ? 'ALTER TABLE "orders" ADD "note" text' : 'ALTER TABLE orders ADD COLUMN note text'], tool);
    }
    // No up: a method called down is no rollback, and a call of down() is no definition.
    const other = "class Pager {\n  down(db) {\n    return db.query('DELETE FROM pages WHERE id = $1');\n  }\n}\nmigrator.down();\n";
    assert.equal(findSqlLiterals(other).literals.length, 1);
  });

  it('a TS/JS migration runs as its tool runs it: TypeORM, knex, node-pg-migrate, MikroORM and Kysely in a transaction unless it opts out', () => {
    const index = 'CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note)';
    const typeorm = (extra: string): string =>
      `export class Idx1700000000001 implements MigrationInterface {\n${extra}  public async up(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(\`${index}\`);\n  }\n}\n`;
    const refused = (fileName: string, text: string): string[] =>
      lintCode(fileName, text)
        .filter((f) => f.rule === 'ban-concurrent-index-creation-in-transaction')
        .map((f) => f.message);
    const [message, ...more] = refused('1700000000001-Idx.ts', typeorm(''));
    assert.equal(more.length, 0);
    assert.match(message ?? '', /\(TypeORM runs each migration in a transaction\).*Run it in a migration class with `transaction = false`\./);
    assert.deepEqual(refused('1700000000001-Idx.ts', typeorm('  transaction = false;\n')), []);
    const knex = (config: string): string => `${config}exports.up = function (knex) {\n  return knex.raw('${index}');\n};\n`;
    assert.equal(refused('20240101_idx.js', knex('')).length, 1);
    assert.deepEqual(refused('20240101_idx.js', knex('exports.config = { transaction: false };\n')), []);
    const pgm = (opt: string): string => `exports.up = (pgm) => {\n${opt}  pgm.sql('${index}');\n};\n`;
    assert.equal(refused('1700000000000_idx.js', pgm('')).length, 1);
    assert.deepEqual(refused('1700000000000_idx.js', pgm('  pgm.noTransaction();\n')), []);
    const mikro = (opt: string): string =>
      `export class Migration20240101 extends Migration {\n${opt}  async up(): Promise<void> {\n    this.addSql('${index}');\n  }\n}\n`;
    assert.equal(refused('Migration20240101.ts', mikro('')).length, 1);
    assert.deepEqual(refused('Migration20240101.ts', mikro('  isTransactional(): boolean {\n    return false;\n  }\n')), []);
    const kysely = `export async function up(db: Kysely<any>): Promise<void> {\n  await sql\`${index}\`.execute(db);\n}\n`;
    assert.match(refused('2024-01-01-idx.ts', kysely)[0] ?? '', /\(Kysely runs each migration in a transaction\)/);
    // Sequelize runs a migration outside a transaction: nothing refused, and a second statement may fail after the first.
    const sequelize = `module.exports = {\n  up: async (queryInterface) => {\n    await queryInterface.sequelize.query('${index}');\n    await queryInterface.sequelize.query('ALTER TABLE orders ADD COLUMN note2 text');\n  },\n};\n`;
    assert.deepEqual(refused('20240101-idx.js', sequelize), []);
    assert.ok(lintCode('20240101-idx.js', sequelize).some((f) => f.rule === 'prefer-robust-stmts'));
    // Unless its queries run in sequelize.transaction(…): one transaction, rolled back whole.
    const inTransaction = sequelize
      .replace('up: async (queryInterface) => {', 'up: async (queryInterface) => {\n    await queryInterface.sequelize.transaction(async (transaction) => {')
      .replace(/\);\n {2}\},\n\};/, ', { transaction });\n    });\n  },\n};');
    const found = lintCode('20240101-idx.js', inTransaction);
    assert.equal(found.filter((f) => f.rule === 'ban-concurrent-index-creation-in-transaction').length, 1, inTransaction);
    assert.ok(!found.some((f) => f.rule === 'prefer-robust-stmts'));
  });

  it('follows a literal bound once to a name into the call that runs it, not a reassigned one', () => {
    const text = [
      'const sql = `ALTER TABLE a DROP COLUMN b`;',
      'const label = `DROP TABLE not_sql_run`;',
      'let twice = `DROP TABLE c`;',
      'twice = `DROP TABLE d`;',
      'await client.query(sql);',
      'await client.query(twice);',
      'console.log(label);',
    ].join('\n');
    assert.deepEqual(
      findSqlLiterals(text).literals.map((l) => text.slice(l.start, l.end)),
      ['`ALTER TABLE a DROP COLUMN b`'],
    );
  });

  it('lays SQL at the file offsets: same length, substitutions as same-width placeholders, lines kept', () => {
    const text = 'import mysql from "mysql2";\nconn.query(`UPDATE ${t} SET a = ${v}\n  WHERE id = \\`x\\``);\n';
    const { dialect, sql } = extractSql('a.ts', text, mergeSettings());
    assert.equal(dialect, 'mysql');
    assert.equal(sql.length, text.length);
    assert.equal(sql.split('\n').length, text.split('\n').length);
    assert.equal(sql.slice(text.indexOf('UPDATE'), text.indexOf('`);')), 'UPDATE ____ SET a = ?   \n  WHERE id =  `x `');
  });

  it("reads knex's ? bindings as values, and jsonb's ? operators as written (logto's slonik sql`… where payload ? 'grantId'`)", () => {
    const text = [
      "await knex.raw('UPDATE users SET name = ? WHERE id = ?', [name, id]);",
      "await pool.query(sql`create index concurrently idx_grant on oidc (tenant_id) where payload ? 'grantId';`);",
      "await client.query(\"SELECT * FROM oidc WHERE payload ?| array['a', 'b'] AND payload->>'x' = ?\", [x]);",
    ].join('\n');
    const { sql } = extractSql('a.ts', text, mergeSettings());
    const line = (n: number): string => sql.split('\n')[n]!.trim();
    assert.equal(line(0), 'UPDATE users SET name = 1 WHERE id = 1;');
    assert.equal(line(1), "create index concurrently idx_grant on oidc (tenant_id) where payload ? 'grantId';;");
    assert.equal(line(2), "SELECT * FROM oidc WHERE payload ?| array['a', 'b'] AND payload->>'x' = 1;");
    assert.deepEqual(
      lintCode('a.ts', text).filter((f) => f.rule === 'syntax-error'),
      [],
    );
  });

  it('ok: no findings for files without SQL calls, or whose substituted statements cannot be judged', () => {
    assert.deepEqual(lintCode('a.ts', 'export const q = router.query("select-box");\nconsole.log(`DROP TABLE x`);'), []);
    // event names and single words are not statements; BEGIN and COMMIT are
    assert.deepEqual(lintCode('a.ts', "bus.execute('update');\nstore.query('delete', id);\ndb.query('BEGIN');\ndb.query('COMMIT');"), []);
    assert.deepEqual(lintCode('a.ts', '// rollout-guard: dialect mysql\ndb.query(`ALTER TABLE t ${clauses}`);'), []);
    // Control flow, not text order, decides when code sends BEGIN, COMMIT and ROLLBACK.
    const transaction =
      "await client.query('BEGIN');\ntry {\n  await client.query('COMMIT');\n} catch {\n  await client.query('ROLLBACK');\n}\nawait other.query('BEGIN');";
    assert.deepEqual(lintCode('tx.ts', transaction), []);
  });

  it('err: exact ranges in the TS file, ignore comments in code, unused ones reported', () => {
    const text = [
      '// rollout-guard: dialect mysql',
      'export async function up(db: Db) {',
      '  await db.query(`ALTER TABLE orders',
      '    DROP COLUMN legacy`);',
      '  // rollout-guard-ignore ban-drop-table',
      "  await db.execute('DROP TABLE old_orders');",
      '  // rollout-guard-ignore renaming-table',
      "  await db.execute('SELECT 1');",
      '}',
    ].join('\n');
    const found = lintCode('up.ts', text);
    assert.deepEqual(
      found.map((f) => `${f.range} ${f.rule}`),
      ['4:5-4:23 ban-drop-column', '7:27-7:41 unused-ignore'],
    );
    // An ignore comment for it belongs above the literal (line 3), not inside the template.
    assert.equal(found[0]!.finding.unitStart, text.indexOf('`ALTER'));
  });
});

describe('SQL in TS/JS: package contributions', () => {
  it('the extension activates on and serves TypeScript and JavaScript', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    for (const language of ['typescript', 'javascript']) assert.ok(manifest.activationEvents.includes(`onLanguage:${language}`));
    const client = fs.readFileSync(path.join(repoRoot, 'client/src/extension.ts'), 'utf8');
    assert.match(client, /'typescript', 'javascript', 'typescriptreact', 'javascriptreact'/);
  });
});
