/**
 * "Trace this migration" over the protocol: the language server's CodeLens (trusted workspaces
 * only), and the locks a real trace measured (embedded PostgreSQL) in the hover while the
 * document keeps the text that was traced.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Hover } from 'vscode-languageserver-protocol';
import { measuredTrace, traceMigration } from '../operations/migrations/trace';
import { TRACE_COMMAND, TRACED_NOTIFICATION, WORKSPACE_TRUSTED_NOTIFICATION } from '../server/src/engine';
import { repoRoot, TestLspClient } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';

const SCHEMA = 'CREATE TABLE orders (id bigint PRIMARY KEY, total integer);\n';
const CHANGE = 'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\nCREATE INDEX orders_total_idx ON orders (total);\n';

describe('Trace this migration, over the protocol', () => {
  let workspace: string;
  let file: string;
  let uri: string;
  const clients: TestLspClient[] = [];

  const start = async (initializationOptions?: Record<string, unknown>): Promise<TestLspClient> => {
    const client = new TestLspClient();
    clients.push(client);
    await client.initialize(pathToFileURL(workspace).href, initializationOptions);
    const published = client.diagnostics(uri);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: CHANGE } });
    await published;
    return client;
  };
  const lenses = (client: TestLspClient): Promise<CodeLens[]> => client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
  const hover = async (client: TestLspClient, line: number): Promise<string> =>
    (
      ((await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character: 2 } })) as Hover | null)?.contents as
        { value: string } | undefined
    )?.value ?? '';

  before(() => {
    workspace = temporaryDirectory('rg-lsp-trace-');
    fs.writeFileSync(path.join(workspace, '001_orders.sql'), SCHEMA);
    file = path.join(workspace, '002_token.sql');
    fs.writeFileSync(file, CHANGE);
    uri = pathToFileURL(file).href;
  });

  after(async () => {
    for (const client of clients) await client.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('in an untrusted workspace no lens, until the client says the workspace is trusted', async () => {
    const client = await start();
    assert.deepEqual(await lenses(client), []);
    const refreshed = client.codeLensRefreshed(1);
    await client.connection.sendNotification(WORKSPACE_TRUSTED_NOTIFICATION);
    await refreshed;
    assert.deepEqual(await lenses(client), [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        command: { title: 'Trace this migration', command: TRACE_COMMAND, arguments: [uri] },
      },
    ]);
  });

  it('a trusted workspace: the lens, then the measured locks in the hover until the text changes', async () => {
    const client = await start({ workspaceTrusted: true });
    assert.equal((await lenses(client))[0]?.command?.title, 'Trace this migration');
    assert.doesNotMatch(await hover(client, 0), /Measured by trace/);

    const result = await traceMigration(file, { searchPaths: [repoRoot] });
    const refreshed = client.codeLensRefreshed(1);
    await client.connection.sendNotification(TRACED_NOTIFICATION, measuredTrace(uri, CHANGE, result));
    await refreshed;
    assert.equal((await lenses(client))[0]?.command?.title, 'Traced: locks measured for 2 statements (in the hover) · trace again');
    const addColumn = await hover(client, 0);
    assert.match(addColumn, /^\*\*ACCESS EXCLUSIVE on orders: blocks reads and writes until the table is rewritten\.\*\*/);
    assert.match(addColumn, /\n\n\*\*Measured by trace:\*\* AccessExclusiveLock on orders, AccessExclusiveLock on orders_pkey; rewrote orders\.$/);
    assert.match(await hover(client, 1), /\*\*Measured by trace:\*\* ShareLock on orders, AccessExclusiveLock on orders_total_idx\.$/);

    const published = client.diagnostics(uri, (p) => p.version === 2);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: `${CHANGE}-- edited\n` }],
    });
    await published;
    assert.doesNotMatch(await hover(client, 0), /Measured by trace/);
    assert.equal((await lenses(client))[0]?.command?.title, 'Trace this migration');
  });
});
