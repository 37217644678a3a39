import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { projectEngine, projectMigrationTool } from '../server/src/workspace/migration-folder';
import { TestLspClient } from '../simulators/lsp-client';
import { temporaryTree } from '../simulators/temp';
import { cli } from './helpers/cli';

const GO_MIGRATE = 'module example.com/api\n\ngo 1.22\n\nrequire (\n\tgithub.com/golang-migrate/migrate/v4 v4.17.1\n\tgithub.com/lib/pq v1.10.9\n)\n';
const GO_POP = 'module example.com/auth\n\nrequire github.com/gobuffalo/pop/v6 v6.1.1\n';
const CARGO_SQLX = '[package]\nname = "server"\n\n[dependencies]\nsqlx = { workspace = true, features = ["postgres"] }\n';
const CARGO_DIESEL = '[workspace.dependencies]\ndiesel = { version = "2.3", features = ["postgres"] }\ndiesel_migrations = "2.3"\n';
const INDEX_AFTER_SET = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\n";

describe('assumeInTransaction: auto, the migration tool of the project', () => {
  const roots: string[] = [];
  const made = (files: Record<string, string>): string => {
    const root = temporaryTree('rg-project-tool-', files);
    roots.push(root);
    return root;
  };
  after(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

  it('is the one library the nearest go.mod or Cargo.toml depends on, for files named as that library names migrations', () => {
    const go = made({ '.git/HEAD': '', 'go.mod': GO_MIGRATE, 'internal/db/migrations/000042_orders.up.sql': '' });
    assert.equal(projectMigrationTool(path.join(go, 'internal/db/migrations/000042_orders.up.sql')), 'golang-migrate');
    assert.equal(projectMigrationTool(path.join(go, 'internal/db/migrations/schema.sql')), undefined);
    const pop = made({ 'go.mod': GO_POP, 'migrations/20240101000000_users.up.sql': '' });
    assert.equal(projectMigrationTool(path.join(pop, 'migrations/20240101000000_users.up.sql')), 'pop');
    const ory = made({
      'go.mod': 'module github.com/ory/kratos\n\nrequire github.com/ory/x v0.0.0\n',
      'migrations/sql/20240101000000000001_x.postgres.up.sql': '',
      'migrations/sql/20240101000000000002_index.autocommit.up.sql': '',
    });
    assert.equal(projectMigrationTool(path.join(ory, 'migrations/sql/20240101000000000001_x.postgres.up.sql')), 'pop');
    assert.equal(projectMigrationTool(path.join(ory, 'migrations/sql/20240101000000000002_index.autocommit.up.sql')), 'pop with .autocommit');
    // golang-migrate beside a runner of the project's own (pop, morph): the runner applies the migrations.
    const both = made({ 'go.mod': GO_MIGRATE + GO_POP, 'migrations/1_x.up.sql': '' });
    assert.equal(projectMigrationTool(path.join(both, 'migrations/1_x.up.sql')), 'pop');
    const twoRunners = made({ 'go.mod': GO_POP + 'require github.com/mattermost/morph v1.1.0\n', 'migrations/1_x.up.sql': '' });
    assert.equal(projectMigrationTool(path.join(twoRunners, 'migrations/1_x.up.sql')), undefined);
    const sqlx = made({ 'Cargo.toml': '[workspace]\n', 'crates/server/Cargo.toml': CARGO_SQLX, 'crates/server/migrations/20240101_users.sql': '' });
    assert.equal(projectMigrationTool(path.join(sqlx, 'crates/server/migrations/20240101_users.sql')), 'sqlx');
    const diesel = made({
      'Cargo.toml': CARGO_DIESEL,
      'migrations/2024-01-01-000000_users/up.sql': '',
      'migrations/2024-01-02-000000_index/up.sql': '',
      'migrations/2024-01-02-000000_index/metadata.toml': 'run_in_transaction = false\n',
    });
    assert.equal(projectMigrationTool(path.join(diesel, 'migrations/2024-01-01-000000_users/up.sql')), 'diesel');
    assert.equal(projectMigrationTool(path.join(diesel, 'migrations/2024-01-02-000000_index/up.sql')), 'diesel with run_in_transaction = false');
  });

  it("a Flyway migration's script configuration (….sql.conf) can run it outside a transaction", async () => {
    const flyway = made({
      'db/migration/V7__orders_index.sql': INDEX_AFTER_SET,
      'db/migration/V8__orders_status_index.sql': INDEX_AFTER_SET,
      'db/migration/V8__orders_status_index.sql.conf': '# script configuration\nexecuteInTransaction=false\n',
    });
    assert.equal(projectMigrationTool(path.join(flyway, 'db/migration/V7__orders_index.sql')), undefined);
    assert.equal(projectMigrationTool(path.join(flyway, 'db/migration/V8__orders_status_index.sql')), 'Flyway without a transaction');
    const { stdout } = await cli(['check', 'db', '--format', 'json'], flyway, {});
    const refused = (JSON.parse(stdout) as { findings: { file: string; rule: string; message: string }[] }).findings.filter(
      (f) => f.rule === 'ban-concurrent-index-creation-in-transaction',
    );
    assert.deepEqual(
      refused.map((f) => f.file),
      ['db/migration/V7__orders_index.sql'],
    );
    assert.match(refused[0]!.message, /\(Flyway runs each migration in a transaction\)/);
  });

  it("is Prisma for a <name>/migration.sql beside Prisma's migration_lock.toml for PostgreSQL, whatever the folder's name", async () => {
    const prisma = made({
      'prisma/migrations/migration_lock.toml': '# Please do not edit this file manually\nprovider = "postgresql"\n',
      'prisma/migrations/03_metric_performance_index/migration.sql': INDEX_AFTER_SET,
      'mysql/migrations/migration_lock.toml': 'provider = "mysql"\n',
      'mysql/migrations/01_init/migration.sql': '',
      'other/01_init/migration.sql': '',
    });
    assert.equal(projectMigrationTool(path.join(prisma, 'prisma/migrations/03_metric_performance_index/migration.sql')), 'Prisma');
    assert.equal(projectMigrationTool(path.join(prisma, 'mysql/migrations/01_init/migration.sql')), undefined);
    assert.equal(projectMigrationTool(path.join(prisma, 'other/01_init/migration.sql')), undefined);
    const { stdout } = await cli(['check', 'prisma', '--format', 'json'], prisma, {});
    const [refused, ...more] = (JSON.parse(stdout) as { findings: { rule: string; message: string }[] }).findings.filter(
      (f) => f.rule === 'ban-concurrent-index-creation-in-transaction',
    );
    assert.equal(more.length, 0);
    assert.match(refused?.message ?? '', /\(Prisma sends the file as one query string, and the file holds several statements\)/);
  });

  it("checks a Prisma migration with the rules of the engine its migration_lock.toml names: MySQL's (umami v2's db/mysql), and none for SQLite", async () => {
    const dropColumn = 'ALTER TABLE `User` DROP COLUMN `displayName`;\n';
    const root = made({
      'mysql/migrations/migration_lock.toml': 'provider = "mysql"\n',
      'mysql/migrations/20240101000000_drop_name/migration.sql': dropColumn,
      'sqlite/migrations/migration_lock.toml': 'provider = "sqlite"\n',
      'sqlite/migrations/20240101000000_drop_name/migration.sql': dropColumn,
    });
    assert.equal(projectEngine(path.join(root, 'mysql/migrations/20240101000000_drop_name/migration.sql')), 'mysql');
    const { stdout } = await cli(['check', '.', '--format', 'json'], root, {});
    const found = (JSON.parse(stdout) as { findings: { file: string; rule: string }[] }).findings.map((f) => `${f.file} ${f.rule}`);
    assert.deepEqual(found, ['mysql/migrations/20240101000000_drop_name/migration.sql ban-drop-column']);
  });

  it("is drizzle for a migration beside drizzle-kit's meta/_journal.json for PostgreSQL (vercel/ai-chatbot): one transaction, statements split at its breakpoints", async () => {
    const journal = (dialect: string): string => `{\n  "version": "7",\n  "dialect": "${dialect}",\n  "entries": []\n}\n`;
    const root = made({
      'lib/db/migrations/meta/_journal.json': journal('postgresql'),
      // drizzle-kit ends its statements at the breakpoint, with or without a ';'.
      'lib/db/migrations/0002_wandering_riptide.sql':
        'ALTER TABLE "Chat" ADD COLUMN "title" text\n--> statement-breakpoint\nALTER TABLE "Message" ADD COLUMN "note" text;--> statement-breakpoint\nCREATE INDEX CONCURRENTLY "chat_idx" ON "Chat" ("title");\n',
      'lib/db/migrations/0003_one.sql': 'ALTER TABLE "Chat" ADD COLUMN IF NOT EXISTS "visibility" text;\n',
      'sqlite/meta/_journal.json': journal('sqlite'),
      'sqlite/0000_init.sql': 'ALTER TABLE `Chat` DROP COLUMN `title`;\n',
      'mysql/meta/_journal.json': journal('mysql'),
      'mysql/0000_init.sql': 'ALTER TABLE `Chat` DROP COLUMN `title`;\n',
    });
    assert.equal(projectMigrationTool(path.join(root, 'lib/db/migrations/0003_one.sql')), 'drizzle');
    assert.equal(projectEngine(path.join(root, 'sqlite/0000_init.sql')), 'sqlite');
    const { stdout } = await cli(['check', '.', '--format', 'json'], root, {});
    const found = (JSON.parse(stdout) as { findings: { file: string; line: number; rule: string; message: string }[] }).findings;
    const of = (rule: string): string[] => found.filter((f) => f.rule === rule).map((f) => `${f.file}:${f.line}`);
    assert.deepEqual(of('syntax-error'), []);
    // In drizzle's transaction: the second ALTER waits while Chat stays locked, CONCURRENTLY fails, and nothing needs IF NOT EXISTS.
    assert.deepEqual(of('statement-after-access-exclusive'), ['lib/db/migrations/0002_wandering_riptide.sql:3']);
    assert.deepEqual(of('ban-concurrent-index-creation-in-transaction'), ['lib/db/migrations/0002_wandering_riptide.sql:4']);
    assert.match(found.find((f) => f.rule === 'ban-concurrent-index-creation-in-transaction')!.message, /outside drizzle's migrator/);
    assert.deepEqual(of('prefer-robust-stmts'), []);
    // The MySQL journal's migration gets the MySQL rules; the SQLite one none.
    assert.deepEqual(of('ban-drop-column'), ['mysql/0000_init.sql:1']);
  });

  it('is looked for no higher than the repository the file is in', () => {
    const outer = made({ 'go.mod': GO_MIGRATE, 'vendor/app/.git/HEAD': '', 'vendor/app/migrations/1_x.up.sql': '' });
    assert.equal(projectMigrationTool(path.join(outer, 'vendor/app/migrations/1_x.up.sql')), undefined);
  });

  it("is Mattermost's morph: each file in a transaction, unless it starts with -- morph:nontransactional (then one query string)", async () => {
    // mattermost's go.mod requires golang-migrate too.
    const GO_MORPH =
      'module github.com/mattermost/mattermost/server/v8\n\nrequire (\n\tgithub.com/golang-migrate/migrate/v4 v4.17.0\n\tgithub.com/lib/pq v1.10.9\n\tgithub.com/mattermost/morph v1.1.0\n)\n';
    const root = made({
      'server/go.mod': GO_MORPH,
      'server/db/migrations/postgres/000106_fileinfo_channelid.up.sql':
        'ALTER TABLE fileinfo ADD COLUMN IF NOT EXISTS channelid varchar(26);\nUPDATE fileinfo SET channelid = posts.channelid FROM posts WHERE fileinfo.channelid IS NULL AND fileinfo.postid = posts.id;\n',
      'server/db/migrations/postgres/000153_translations_index.up.sql':
        'ALTER TABLE translations ADD COLUMN IF NOT EXISTS channelid varchar(26);\n-- morph:nontransactional\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_t ON translations (channelid);\n',
      'server/db/migrations/postgres/000154_translations_index.up.sql':
        '-- morph:nontransactional\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_t ON translations (channelid);\n',
      // Without its transaction, morph sends the file as one query string: one implicit transaction for both statements.
      'server/db/migrations/postgres/000179_posts_has_link.up.sql':
        '-- morph:nontransactional\nALTER TABLE posts ADD COLUMN IF NOT EXISTS haslink boolean;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_posts_has_link ON posts (haslink);\n',
    });
    assert.equal(projectMigrationTool(path.join(root, 'server/db/migrations/postgres/000106_fileinfo_channelid.up.sql')), 'morph');
    const { stdout } = await cli(['check', 'server/db', '--format', 'json'], root, {});
    const found = (JSON.parse(stdout) as { findings: { file: string; line: number; rule: string; message: string }[] }).findings;
    const of = (rule: string): string[] => found.filter((f) => f.rule === rule).map((f) => `${path.basename(f.file)}:${f.line}`);
    assert.deepEqual(of('backfill-in-ddl-transaction'), ['000106_fileinfo_channelid.up.sql:2']);
    // The marker counts at the start of the file only: 000153 runs in a transaction, where CONCURRENTLY fails.
    assert.deepEqual(of('ban-concurrent-index-creation-in-transaction'), ['000153_translations_index.up.sql:3', '000179_posts_has_link.up.sql:3']);
    assert.match(
      found.find((f) => f.rule === 'ban-concurrent-index-creation-in-transaction')!.message,
      /alone in a migration that starts with `-- morph:nontransactional`/,
    );
  });

  it("is postgres-migrations from the nearest package.json (supabase/storage): each file in a transaction, unless it holds the tool's marker", async () => {
    const PACKAGE = '{\n  "name": "storage",\n  "dependencies": {\n    "pg": "^8.11.0",\n    "postgres-migrations": "^5.3.0"\n  }\n}\n';
    const root = made({
      '.git/HEAD': '',
      'package.json': PACKAGE,
      'migrations/tenant/0018-add_owner_id.sql':
        "SET lock_timeout = '2s';\nALTER TABLE storage.objects ADD COLUMN IF NOT EXISTS owner_id text;\nALTER TABLE storage.buckets ADD COLUMN IF NOT EXISTS owner_id text;\n",
      'migrations/tenant/0031-objects-level-index.sql':
        "-- postgres-migrations disable-transaction\nSET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_level ON storage.objects (level);\n",
      'migrations/tenant/0032-level-index-alone.sql':
        '-- postgres-migrations disable-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_name ON storage.objects (name);\n',
    });
    assert.equal(projectMigrationTool(path.join(root, 'migrations/tenant/0018-add_owner_id.sql')), 'postgres-migrations');
    // A Go module nearer the file wins; one without a tool leaves the package.json to say.
    const mixed = made({
      '.git/HEAD': '',
      'package.json': PACKAGE,
      'db/go.mod': GO_MIGRATE,
      'db/migrations/0001_x.up.sql': '',
      'db/migrations/0002-y.sql': '',
    });
    assert.equal(projectMigrationTool(path.join(mixed, 'db/migrations/0001_x.up.sql')), 'golang-migrate');
    assert.equal(projectMigrationTool(path.join(mixed, 'db/migrations/0002-y.sql')), 'postgres-migrations');
    const { stdout } = await cli(['check', 'migrations', '--format', 'json'], root, {});
    const found = (JSON.parse(stdout) as { findings: { file: string; line: number; rule: string; message: string }[] }).findings;
    const of = (rule: string): string[] => found.filter((f) => f.rule === rule).map((f) => `${path.basename(f.file)}:${f.line}`);
    // In its transaction, the second ALTER waits for buckets while objects stays locked.
    assert.deepEqual(of('statement-after-access-exclusive'), ['0018-add_owner_id.sql:3']);
    // With the marker the file is one query string: with the SET, an implicit transaction, where CONCURRENTLY fails; alone it runs.
    assert.deepEqual(of('ban-concurrent-index-creation-in-transaction'), ['0031-objects-level-index.sql:3']);
  });

  it("is the only module in a folder of the repository's root when none is above the file (harbor's src/go.mod)", () => {
    const harbor = made({ '.git/HEAD': '', 'src/go.mod': GO_MIGRATE, 'make/migrations/postgresql/0150_2.10.0_schema.up.sql': '' });
    assert.equal(projectMigrationTool(path.join(harbor, 'make/migrations/postgresql/0150_2.10.0_schema.up.sql')), 'golang-migrate');
    const two = made({ '.git/HEAD': '', 'src/go.mod': GO_MIGRATE, 'tools/go.mod': GO_POP, 'make/migrations/0001_x.up.sql': '' });
    assert.equal(projectMigrationTool(path.join(two, 'make/migrations/0001_x.up.sql')), undefined);
  });

  describe('rollout-guard check', () => {
    let root: string;
    before(() => {
      root = made({ 'go.mod': GO_MIGRATE, 'db/migrations/000042_orders_index.up.sql': INDEX_AFTER_SET });
    });
    const refused = async (args: string[]): Promise<{ file: string; message: string }[]> => {
      const { stdout } = await cli(['check', ...args, '--format', 'json'], root, {});
      return (JSON.parse(stdout) as { findings: { file: string; rule: string; message: string }[] }).findings.filter(
        (f) => f.rule === 'ban-concurrent-index-creation-in-transaction',
      );
    };

    it('checks a golang-migrate file as the one query string the library sends, with --cache too', async () => {
      for (const args of [
        ['db'],
        ['db', '--cache', '--cache-location', path.join(root, '.cache')],
        ['db', '--cache', '--cache-location', path.join(root, '.cache')],
      ]) {
        const [finding, ...more] = await refused(args);
        assert.equal(more.length, 0);
        assert.equal(finding?.file, 'db/migrations/000042_orders_index.up.sql');
        assert.match(finding?.message ?? '', /\(golang-migrate sends the file as one query string, and the file holds several statements\)/);
      }
    });

    it('leaves it to the configuration when it is set', async () => {
      fs.writeFileSync(path.join(root, '.rollout-guard.yaml'), 'assumeInTransaction: false\n');
      try {
        assert.deepEqual(await refused(['db']), []);
      } finally {
        fs.rmSync(path.join(root, '.rollout-guard.yaml'));
      }
    });
  });

  describe('language server', () => {
    let client: TestLspClient;
    let root: string;
    before(async () => {
      root = made({ 'go.mod': GO_MIGRATE, 'db/migrations/000042_orders_index.up.sql': INDEX_AFTER_SET });
      client = new TestLspClient();
      await client.initialize(pathToFileURL(root).href);
    });
    after(() => client.stop());

    it('checks an open golang-migrate file, and describes its locks, as the one query string the library sends', async () => {
      const uri = pathToFileURL(path.join(root, 'db/migrations/000042_orders_index.up.sql')).href;
      const published = client.diagnostics(uri);
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: INDEX_AFTER_SET } });
      const refused = (await published).diagnostics.filter((d) => d.code === 'ban-concurrent-index-creation-in-transaction');
      assert.equal(refused.length, 1);
      assert.match(refused[0]!.message as string, /\(golang-migrate sends the file as one query string, and the file holds several statements\)/);
      const backfill = "ALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = '' WHERE id = 1;\n";
      const second = pathToFileURL(path.join(root, 'db/migrations/000043_note.up.sql')).href;
      fs.writeFileSync(path.join(root, 'db/migrations/000043_note.up.sql'), backfill);
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: second, languageId: 'sql', version: 1, text: backfill } });
      const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: second }, position: { line: 0, character: 3 } })) as {
        contents: { value: string };
      };
      assert.match(hover.contents.value, /Inside a transaction: the lock is held until COMMIT\./);
    });

    // A guard against a hang, not a speed limit: without the new check no diagnostics come.
    it('checks an open migration again when the go.mod it follows changes', { timeout: 60_000 }, async () => {
      const uri = pathToFileURL(path.join(root, 'db/migrations/000042_orders_index.up.sql')).href;
      const published = client.diagnostics(uri, (p) => !p.diagnostics.some((d) => d.code === 'ban-concurrent-index-creation-in-transaction'));
      fs.writeFileSync(path.join(root, 'go.mod'), 'module example.com/api\n\nrequire github.com/lib/pq v1.10.9\n');
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
        changes: [{ uri: pathToFileURL(path.join(root, 'go.mod')).href, type: 2 }],
      });
      assert.deepEqual(
        (await published).diagnostics.filter((d) => d.code === 'ban-concurrent-index-creation-in-transaction'),
        [],
      );
    });

    it('checks an open Flyway migration again when its script configuration (….sql.conf) changes', { timeout: 60_000 }, async () => {
      const file = path.join(root, 'db/flyway/V7__orders_index.sql');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, INDEX_AFTER_SET);
      const uri = pathToFileURL(file).href;
      const refused = (p: { diagnostics: { code?: unknown }[] }): number =>
        p.diagnostics.filter((d) => d.code === 'ban-concurrent-index-creation-in-transaction').length;
      const opened = client.diagnostics(uri);
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: INDEX_AFTER_SET } });
      assert.equal(refused(await opened), 1);
      const published = client.diagnostics(uri, (p) => refused(p) === 0);
      fs.writeFileSync(`${file}.conf`, 'executeInTransaction=false\n');
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(`${file}.conf`).href, type: 1 }] });
      assert.equal(refused(await published), 0);
    });
  });
});
