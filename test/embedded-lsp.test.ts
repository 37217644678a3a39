import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Hover } from 'vscode-languageserver-protocol';
import { rules, TestLspClient } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';

describe('language server: MySQL files and SQL inside TS/JS', () => {
  let client: TestLspClient;
  let workspace: string;
  const uriOf = (name: string): string => pathToFileURL(path.join(workspace, name)).href;

  before(async () => {
    workspace = temporaryDirectory('rg-lsp-mysql-');
    fs.writeFileSync(path.join(workspace, '.rollout-guard.yaml'), 'dialects:\n  "db/mysql/**": mysql\nrules:\n  prefer-robust-stmts: off\n');
    client = new TestLspClient();
    await client.initialize(pathToFileURL(workspace).href);
  });

  after(async () => {
    await client.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('a .sql file under a MySQL glob gets MySQL findings, and a hover with InnoDB algorithm and lock', async () => {
    const uri = uriOf('db/mysql/V2__users.sql');
    const published = client.diagnostics(uri);
    const text = 'ALTER TABLE `users` CONVERT TO CHARACTER SET utf8mb4;\nALTER TABLE users DROP COLUMN legacy;\n';
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    assert.deepEqual(rules((await published).diagnostics), ['mysql-unsafe-alter@1', 'ban-drop-column@2']);
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } })) as Hover;
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /InnoDB online DDL on users/);
    assert.match(value, /`CONVERT TO CHARACTER SET utf8mb4`: ALGORITHM=COPY, LOCK=SHARED — writes wait/);
    assert.doesNotMatch(value, /ACCESS EXCLUSIVE/);
  });

  it('a TypeScript document: findings on the SQL inside query(), cleared when the last SQL call goes', async () => {
    const quiet = uriOf('src/ui.ts');
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: quiet, languageId: 'typescript', version: 1, text: 'export const x = router.push("/orders");\n' },
    });
    const uri = uriOf('src/migrate.ts');
    const text = "import { Pool } from 'pg';\nexport const up = (pool: Pool) =>\n  pool.query(`ALTER TABLE orders DROP COLUMN legacy`);\n";
    const published = client.diagnostics(uri);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    const { diagnostics } = await published;
    assert.deepEqual(rules(diagnostics), ['require-lock-timeout@3', 'ban-drop-column@3']);
    assert.deepEqual(diagnostics[1]!.range, { start: { line: 2, character: 33 }, end: { line: 2, character: 51 } });
    // The document without SQL was opened first and scheduled the same way: it published nothing.
    assert.equal(
      client.published.some((p) => p.uri === quiet),
      false,
    );
    // "Ignore for this statement" writes a `//` comment above the literal, which the linter reads.
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostics[1]!.range,
      context: { diagnostics: [diagnostics[1]] },
    })) as CodeAction[];
    const ignore = actions.find((a) => a.title === 'Ignore ban-drop-column for this statement');
    assert.deepEqual(ignore?.edit?.changes?.[uri], [
      { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, newText: '  // rollout-guard-ignore ban-drop-column\n' },
    ]);
    const cleared = client.diagnostics(uri, (p) => p.version === 2);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: 'export const up = () => undefined;\n' }],
    });
    assert.deepEqual((await cleared).diagnostics, []);
  });
});
