/** The language server follows the LSP lifecycle: no answers before initialize or after shutdown. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes } from 'vscode-languageserver-protocol';
import { TestLspClient } from '../simulators/lsp-client';

const hover = { textDocument: { uri: 'file:///tmp/x.sql' }, position: { line: 0, character: 0 } };
const codeAction = { ...hover, range: { start: hover.position, end: hover.position }, context: { diagnostics: [] } };

async function errorCodeOf(request: Promise<unknown>): Promise<number | undefined> {
  try {
    await request;
    return undefined;
  } catch (error) {
    return (error as { code?: number }).code;
  }
}

describe('language server lifecycle', () => {
  it('answers ServerNotInitialized (-32002) before initialize and InvalidRequest after shutdown, then exits on exit', async () => {
    const client = new TestLspClient();
    assert.equal(await errorCodeOf(client.connection.sendRequest('textDocument/hover', hover)), ErrorCodes.ServerNotInitialized);
    assert.equal(await errorCodeOf(client.connection.sendRequest('textDocument/codeAction', codeAction)), ErrorCodes.ServerNotInitialized);
    await client.initialize('file:///tmp');
    assert.equal(await client.connection.sendRequest('textDocument/hover', hover), null);
    await client.connection.sendRequest('shutdown');
    assert.equal(await errorCodeOf(client.connection.sendRequest('textDocument/hover', hover)), ErrorCodes.InvalidRequest);
    assert.equal(await errorCodeOf(client.connection.sendRequest('textDocument/codeAction', codeAction)), ErrorCodes.InvalidRequest);
    await client.stop();
  });
});
