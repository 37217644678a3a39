import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { projectMigrationTool } from '../server/src/workspace/migration-folder';
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
    const both = made({ 'go.mod': GO_MIGRATE + GO_POP, 'migrations/1_x.up.sql': '' });
    assert.equal(projectMigrationTool(path.join(both, 'migrations/1_x.up.sql')), undefined);
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

  it('is looked for no higher than the repository the file is in', () => {
    const outer = made({ 'go.mod': GO_MIGRATE, 'vendor/app/.git/HEAD': '', 'vendor/app/migrations/1_x.up.sql': '' });
    assert.equal(projectMigrationTool(path.join(outer, 'vendor/app/migrations/1_x.up.sql')), undefined);
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
