import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { hoverSql, lintText, loadParser, mergeSettings, type PartialSettings } from '..';

before(() => loadParser());

const CONCURRENT_INDEX = 'CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);';
/** Messages of the CONCURRENTLY-in-a-transaction rule for `text` named `fileName`. */
const concurrentlyRefused = (fileName: string, text: string, settings: PartialSettings = {}): string[] =>
  lintText({ fileName, text, settings: mergeSettings(settings) })
    .filter((f) => f.rule === 'ban-concurrent-index-creation-in-transaction')
    .map((f) => f.message);

describe('assumeInTransaction: auto, how the file shows its tool runs it', () => {
  it('goose, sql-migrate and dbmate files run in the transaction their tool opens, unless marked otherwise', () => {
    const tools: [up: string, name: string, noTransaction: string][] = [
      ['-- +goose Up', 'goose', '-- +goose NO TRANSACTION'],
      ['-- +migrate Up', 'sql-migrate', '-- +migrate Up notransaction'],
      ['-- migrate:up', 'dbmate', '-- migrate:up transaction:false'],
    ];
    for (const [up, name, noTransaction] of tools) {
      const [message, ...more] = concurrentlyRefused('db/migrations/00042_orders_index.sql', `${up}\n${CONCURRENT_INDEX}\n`);
      assert.equal(more.length, 0, name);
      assert.match(message ?? '', new RegExp(`\\(${name} runs each migration in a transaction\\)`), name);
      // The advice is the tool's own way out.
      assert.ok(message?.includes(`marked \`${noTransaction}\``), message);
      const marked = noTransaction.startsWith(up) ? `${noTransaction}\n${CONCURRENT_INDEX}\n` : `${noTransaction}\n${up}\n${CONCURRENT_INDEX}\n`;
      assert.deepEqual(concurrentlyRefused('db/migrations/00042_orders_index.sql', marked), [], marked);
    }
  });

  it('a Prisma migration (<timestamp>_<name>/migration.sql) runs as one query string: several statements in one implicit transaction', () => {
    const prisma = 'prisma/migrations/20240110093000_orders_customer_index/migration.sql';
    const two = `-- CreateIndex\n${CONCURRENT_INDEX}\nCREATE INDEX orders_status_idx ON orders (status);\n`;
    const [message] = concurrentlyRefused(prisma, two);
    assert.match(message ?? '', /\(Prisma sends the file as one query string, and the file holds several statements\)/);
    assert.match(message ?? '', /alone in a migration of its own/);
    // Alone in its file, it runs in no transaction.
    assert.deepEqual(concurrentlyRefused(prisma, `-- CreateIndex\n${CONCURRENT_INDEX}\n`), []);
    // The same text anywhere else says nothing of its tool: statement by statement.
    for (const other of ['migrations/0042_orders_index.sql', 'prisma/migrations/orders/migration.sql', 'migrations/20240110093000_orders.up.sql'])
      assert.deepEqual(concurrentlyRefused(other, two), [], other);
  });

  it("require-concurrent-index-creation in a Prisma file of several statements says where CONCURRENTLY can run: the tool's way", () => {
    const prisma = 'prisma/migrations/20240110093000_orders_status_index/migration.sql';
    const text = `ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_status_idx ON orders (status);\n`;
    const message = lintText({ fileName: prisma, text, settings: mergeSettings({}) }).find((f) => f.rule === 'require-concurrent-index-creation')?.message;
    assert.match(message ?? '', /Use CREATE INDEX CONCURRENTLY, alone in a migration of its own: a single statement runs in no transaction\.$/);
  });

  it('without their transaction, goose and sql-migrate run statements one by one; dbmate and sqlx still send one query string', () => {
    const two = `SET lock_timeout = '2s';\n${CONCURRENT_INDEX}\n`;
    for (const marker of ['-- +goose Up\n-- +goose NO TRANSACTION', '-- +migrate Up notransaction'])
      assert.deepEqual(concurrentlyRefused('migrations/00042_x.sql', `${marker}\n${two}`, { assumeInTransaction: true }), [], marker);
    for (const [marker, name] of [
      ['-- migrate:up transaction:false', 'dbmate with transaction:false'],
      ['-- no-transaction', 'sqlx with no-transaction'],
    ]) {
      const [message] = concurrentlyRefused('migrations/20240110093000_x.sql', `${marker}\n${two}`);
      assert.ok(message?.includes(`(${name} sends the file as one query string, and the file holds several statements)`), message);
      assert.match(message ?? '', /alone in a migration of its own/);
      // Alone, the statement runs in no transaction.
      assert.deepEqual(concurrentlyRefused('migrations/20240110093000_x.sql', `${marker}\n${CONCURRENT_INDEX}\n`), [], marker);
    }
    // sqlx reads its marker at the very start of the file only (windmill): on a later line the file runs in sqlx's
    // transaction, and even a lone CONCURRENTLY fails there.
    const later = concurrentlyRefused('migrations/20240110093000_x.sql', `-- audit index\n-- no-transaction\n${CONCURRENT_INDEX}\n`, {
      assumeInTransaction: true,
    });
    assert.equal(later.length, 1);
  });

  it('a Flyway migration (V<version>__<name>.sql) runs in a transaction, unless every statement needs none or the file says so', () => {
    const flyway = 'src/main/resources/db/migration/V7_1__orders_customer_index.sql';
    // A baseline migration (B…__) runs the same way.
    assert.equal(concurrentlyRefused('db/migration/B1_20_0__baseline.sql', `SET lock_timeout = '2s';\n${CONCURRENT_INDEX}\n`).length, 1);
    const [message, ...more] = concurrentlyRefused(flyway, `SET lock_timeout = '2s';\n${CONCURRENT_INDEX}\n`);
    assert.equal(more.length, 0);
    assert.match(message ?? '', /\(Flyway runs each migration in a transaction\)/);
    assert.match(message ?? '', /Flyway runs a migration outside a transaction when every statement in it needs that/);
    // Flyway's own list: a migration of only such statements runs outside a transaction, statement by statement.
    assert.deepEqual(concurrentlyRefused(flyway, `${CONCURRENT_INDEX}\n/* and */ DROP INDEX CONCURRENTLY orders_old_idx;\n`), []);
    assert.deepEqual(concurrentlyRefused(flyway, `-- flyway:executeInTransaction=false\nSET lock_timeout = '2s';\n${CONCURRENT_INDEX}\n`), []);
    // REINDEX INDEX … CONCURRENTLY is not on Flyway's list: it runs in the transaction and fails.
    assert.equal(concurrentlyRefused(flyway, 'REINDEX INDEX CONCURRENTLY orders_customer_idx;\n').length, 1);
    // The transaction holds a lock until the migration commits.
    const backfill = (fileName: string): string[] =>
      lintText({ fileName, text: `ALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = '';\n`, settings: mergeSettings() })
        .filter((f) => f.rule === 'backfill-in-ddl-transaction')
        .map((f) => f.rule);
    assert.equal(backfill(flyway).length, 1);
    assert.equal(backfill('db/migration/0007_orders.sql').length, 0);
    // A name Flyway would not run says nothing.
    assert.deepEqual(concurrentlyRefused('db/migration/v7__orders.sql', `SET lock_timeout = '2s';\n${CONCURRENT_INDEX}\n`), []);
  });

  it('Liquibase formatted SQL runs each changeset in a transaction of its own; runInTransaction:false runs one statement by statement', () => {
    const file = 'src/main/resources/db/changelog/orders.sql';
    const text = [
      '--liquibase formatted sql',
      '',
      '--changeset ana:1',
      'ALTER TABLE orders ADD COLUMN note text;',
      '--rollback ALTER TABLE orders DROP COLUMN note;',
      '',
      '--changeset ana:2 runInTransaction:false',
      "SET lock_timeout = '2s';",
      CONCURRENT_INDEX,
      '',
      '--changeset ana:3',
      CONCURRENT_INDEX.replace('orders_customer_idx', 'orders_status_idx'),
      '',
      '--changeset ana:4 dbms:mysql',
      'ALTER TABLE orders ADD INDEX orders_note_idx (note(10));',
      '',
    ].join('\n');
    const findings = lintText({ fileName: file, text, settings: mergeSettings() });
    const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
    // Only the changeset without runInTransaction:false refuses CONCURRENTLY, and names the way out.
    const refused = findings.filter((f) => f.rule === 'ban-concurrent-index-creation-in-transaction');
    assert.deepEqual(
      refused.map((f) => lineOf(f.start)),
      [12],
    );
    assert.match(refused[0]!.message, /\(Liquibase runs each changeset in a transaction\)/);
    assert.match(refused[0]!.message, /in a changeset of its own marked `runInTransaction:false`/);
    // The first changeset's lock ends with its changeset: nothing after it waits in its transaction.
    assert.ok(!findings.some((f) => f.rule === 'statement-after-access-exclusive'), JSON.stringify(findings.map((f) => f.rule)));
    // The MySQL changeset does not run on PostgreSQL: no syntax error.
    assert.ok(!findings.some((f) => f.rule === 'syntax-error'), JSON.stringify(findings.map((f) => f.rule)));
    // Without the header, the same comments are only comments: statement by statement.
    assert.deepEqual(concurrentlyRefused(file, text.replace('--liquibase formatted sql', '-- changelog')), []);
    // The hover agrees: the index of changeset 2 runs in no transaction, the column of changeset 1 in one.
    const hover = (needle: string): string => hoverSql(text, text.indexOf(needle), mergeSettings(), undefined, { fileName: file })?.contents ?? '';
    assert.match(hover('ALTER TABLE orders ADD COLUMN'), /Inside a transaction/);
    assert.doesNotMatch(hover('CREATE INDEX CONCURRENTLY orders_customer_idx'), /Inside a transaction/);
  });

  it('a value set in the configuration wins over what the file shows', () => {
    const goose = `-- +goose Up\n${CONCURRENT_INDEX}\n`;
    assert.deepEqual(concurrentlyRefused('migrations/00042_x.sql', goose, { assumeInTransaction: false }), []);
    const [message] = concurrentlyRefused('migrations/00042_x.sql', CONCURRENT_INDEX, { assumeInTransaction: true });
    assert.match(message ?? '', /\(assumeInTransaction\)/);
  });

  it('transaction-nesting names the tool whose transaction an explicit BEGIN nests in', () => {
    const text = `-- +goose Up\nBEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n`;
    const nesting = lintText({ fileName: 'migrations/00042_x.sql', text, settings: mergeSettings() }).filter((f) => f.rule === 'transaction-nesting');
    assert.equal(nesting.length, 2);
    assert.match(nesting[0]!.message, /already runs this file in a transaction \(goose runs each migration in a transaction\)/);
  });

  it('the hover holds the lock as long as the findings do: until the tool commits', () => {
    const text = `-- +goose Up\nALTER TABLE orders ADD COLUMN note text;\n`;
    const hover = (body: string, fileName?: string): string => hoverSql(body, body.indexOf('ALTER'), mergeSettings(), undefined, { fileName })?.contents ?? '';
    assert.match(hover(text), /Inside a transaction: the lock is held until COMMIT\./);
    assert.doesNotMatch(hover(`-- +goose NO TRANSACTION\n${text}`), /Inside a transaction/);
    const prisma = 'prisma/migrations/20240110093000_note/migration.sql';
    assert.doesNotMatch(hover('ALTER TABLE orders ADD COLUMN note text;', prisma), /Inside a transaction/);
    assert.match(hover('ALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = NULL WHERE id = 1;', prisma), /Inside a transaction/);
  });
});
