/**
 * column-still-referenced in the language server: the application code searched is the contract
 * step's own project, without what .gitignore or files.exclude leaves out (a cached copy of the
 * app, generated code) and without a project nested in it; watched changes keep it current.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { TestLspClient } from '../simulators/lsp-client';
import { removeTemporaryDirectory, temporaryDirectory } from '../simulators/temp';

const READ = 'export const status = (row: { old_payment_status: string }) => row.old_payment_status;\n';

describe('column-still-referenced searches the project as git and the editor see it', () => {
  let client: TestLspClient;
  let workspace: string;
  const file = (relative: string, text: string): string => {
    const full = path.join(workspace, relative);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
    return pathToFileURL(full).href;
  };
  const contract = (): string => pathToFileURL(path.join(workspace, 'migrations/payment/contract.sql')).href;
  const places = (diagnostics: Diagnostic[]): string[] =>
    diagnostics
      .filter((d) => d.code === 'column-still-referenced')
      .flatMap((d) => d.relatedInformation ?? [])
      .map((r) => path.relative(workspace, new URL(r.location.uri).pathname))
      .sort();

  before(async () => {
    workspace = temporaryDirectory('rg-lsp-code-');
    file('.rollout-guard.yaml', 'rules:\n  prefer-robust-stmts: off\n');
    file('.gitignore', '.cache/\n');
    file('src/orders.ts', READ);
    file('.cache/playground/src/orders.ts', READ);
    file('generated/orders.ts', READ);
    file('tools/demo/.rollout-guard.yaml', 'pgVersion: 16\n');
    file('tools/demo/src/orders.ts', READ);
    client = new TestLspClient();
    client.filesSettings = { exclude: { 'generated/**': true, '**/.git': true } };
    await client.initialize(pathToFileURL(workspace).href);
  });

  after(async () => {
    await client.stop();
    removeTemporaryDirectory(workspace);
  });

  it('lists only the uses in the project itself', async () => {
    const text = "SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN IF EXISTS old_payment_status;\n";
    const uri = file('migrations/payment/contract.sql', text);
    const published = client.diagnostics(uri);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    const { diagnostics } = await published;
    assert.deepEqual(places(diagnostics), ['src/orders.ts', 'src/orders.ts'], JSON.stringify(diagnostics));
  });

  it('a new file that git ignores stays out; a new file of the project comes in', async () => {
    const ignoredUri = file('.cache/more.ts', READ);
    const nestedUri = file('tools/demo/src/more.ts', READ);
    const ownUri = file('src/more.ts', READ);
    const published = client.diagnostics(contract());
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [ignoredUri, nestedUri, ownUri].map((uri) => ({ uri, type: 1 })),
    });
    assert.deepEqual(places((await published).diagnostics), ['src/more.ts', 'src/more.ts', 'src/orders.ts', 'src/orders.ts']);
  });
});
