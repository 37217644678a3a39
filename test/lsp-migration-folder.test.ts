/**
 * An open migration in the language server starts from what the migrations before it in its
 * folder establish (indexes, validated NOT NULL checks, column types), read from disk or from
 * their open documents, and is checked again when one of them changes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { rules, TestLspClient } from '../simulators/lsp-client';
import { removeTemporaryDirectory, temporaryDirectory } from '../simulators/temp';

const INIT = [
  'CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(100), region text, customer_id bigint);',
  'CREATE INDEX orders_customer_id_idx ON orders (customer_id);',
  'ALTER TABLE orders ADD CONSTRAINT orders_region_nn CHECK (region IS NOT NULL) NOT VALID;',
].join('\n');
const VALIDATE = 'ALTER TABLE orders VALIDATE CONSTRAINT orders_region_nn;\n';
const CHANGE = [
  "SET lock_timeout = '2s';",
  'ALTER TABLE orders ALTER COLUMN region SET NOT NULL;',
  'ALTER TABLE orders ALTER COLUMN note TYPE varchar(200);',
  'ALTER TABLE orders ADD COLUMN IF NOT EXISTS customer_id bigint REFERENCES customers (id);',
].join('\n');

const WITHDRAWN = new Set(['adding-not-nullable-field', 'changing-column-type', 'fk-missing-index']);
const withdrawable = (p: PublishDiagnosticsParams): string[] => rules(p.diagnostics.filter((d) => WITHDRAWN.has(String(d.code))));

describe('language server: the earlier migrations of an open one', () => {
  let client: TestLspClient;
  let workspace: string;
  const write = (relative: string, text: string): string => {
    const full = path.join(workspace, relative);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
    return pathToFileURL(full).href;
  };
  let init: string;
  let validate: string;
  let change: string;

  before(async () => {
    workspace = temporaryDirectory('rg-lsp-folder-');
    write('.rollout-guard.yaml', 'rules:\n  prefer-robust-stmts: off\n');
    init = write('db/migrations/001_init.sql', INIT);
    validate = write('db/migrations/002_validate.sql', VALIDATE);
    // A rollback file never runs before a later migration.
    write('db/migrations/002_validate.down.sql', 'ALTER TABLE orders DROP CONSTRAINT orders_region_nn;\n');
    change = write('db/migrations/003_change.sql', CHANGE);
    client = new TestLspClient();
    await client.initialize(pathToFileURL(workspace).href);
  });

  after(async () => {
    await client.stop();
    removeTemporaryDirectory(workspace);
  });

  it('withdraws what the files before it establish on disk', async () => {
    const published = client.diagnostics(change);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: change, languageId: 'sql', version: 1, text: CHANGE } });
    const { diagnostics } = await published;
    assert.deepEqual(withdrawable({ uri: change, diagnostics }), []);
    // Every statement is brief given them, so no statement timeout is asked for either; the other findings stay.
    assert.ok(!diagnostics.some((d) => d.code === 'require-statement-timeout'));
    assert.ok(diagnostics.some((d) => d.code === 'prefer-text-field'));
    // The hover says the same: no rewrite.
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: change }, position: { line: 2, character: 5 } })) as {
      contents: { value: string };
    };
    assert.match(hover.contents.value, /^\*\*ACCESS EXCLUSIVE on orders: blocks reads and writes briefly \(a catalog change\)/);
  });

  it('checks it again when an earlier file changes on disk', async () => {
    const published = client.diagnostics(change, (p) => withdrawable(p).length > 0);
    write('db/migrations/002_validate.sql', `${VALIDATE}ALTER TABLE orders DROP CONSTRAINT orders_region_nn;\n`);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: validate, type: 2 }] });
    assert.deepEqual(withdrawable(await published), ['adding-not-nullable-field@2']);
  });

  it('an open earlier document counts as edited, and as on disk again once closed', async () => {
    const edited = INIT.replace('CREATE INDEX orders_customer_id_idx ON orders (customer_id);', '').replace('note varchar(100)', 'note integer');
    let published = client.diagnostics(change, (p) => withdrawable(p).length === 3);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: init, languageId: 'sql', version: 1, text: edited } });
    assert.deepEqual(withdrawable(await published), ['adding-not-nullable-field@2', 'changing-column-type@3', 'fk-missing-index@4']);

    published = client.diagnostics(change, (p) => withdrawable(p).length === 1);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: init } });
    assert.deepEqual(withdrawable(await published), ['adding-not-nullable-field@2']);
  });

  it('a TS/JS migration starts from the JS migrations before it, and is checked again when one of them is edited (db-migrate)', async () => {
    const migration = (sql: string): string => `exports.up = function (db, cb) {\n  db.runSql(\`${sql}\`, cb);\n};\n`;
    write('js/migrations/20211202120808-permissions.js', migration('CREATE TABLE permissions (id serial PRIMARY KEY, permission text, display_name text);'));
    const unique = write(
      'js/migrations/20231123155649-unique.js',
      migration("SET lock_timeout = '2s'; CREATE UNIQUE INDEX CONCURRENTLY permission_unique ON permissions (permission);"),
    );
    const updateSql = migration("UPDATE permissions SET display_name = 'Create tokens' WHERE permission = 'CREATE_TOKEN';");
    const update = write('js/migrations/20240101000000-display-name.js', updateSql);
    const backfills = (p: PublishDiagnosticsParams): string[] => rules(p.diagnostics.filter((d) => d.code === 'unbatched-backfill'));
    let published = client.diagnostics(update);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: update, languageId: 'javascript', version: 1, text: updateSql } });
    assert.deepEqual(backfills(await published), []);
    // The earlier migration edited so that the column is no longer unique: the UPDATE can change every row.
    published = client.diagnostics(update, (p) => backfills(p).length > 0);
    const notUnique = migration("SET lock_timeout = '2s'; CREATE INDEX CONCURRENTLY permission_idx ON permissions (permission);");
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: unique, languageId: 'javascript', version: 1, text: notUnique } });
    assert.deepEqual(backfills(await published), ['unbatched-backfill@2']);
  });
});
