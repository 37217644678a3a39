import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Hover } from 'vscode-languageserver-protocol';
import { rules, TestLspClient } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';

describe('language server over stdio', () => {
  let client: TestLspClient;
  let workspace: string;
  let uri: string;

  before(async () => {
    workspace = temporaryDirectory('rg-lsp-');
    fs.writeFileSync(path.join(workspace, '.rollout-guard.yaml'), 'rules:\n  prefer-robust-stmts: off\n  require-statement-timeout: off\n');
    uri = pathToFileURL(path.join(workspace, 'migration.sql')).href;
    client = new TestLspClient();
    await client.initialize(pathToFileURL(workspace).href);
  });

  after(async () => {
    await client.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  const text = "SET lock_timeout = '2s';\nALTER TABLE orders\n  DROP COLUMN a,\n  DROP COLUMN b;\nCREATE INDEX idx ON orders (x);\n";

  it('publishes diagnostics on open, with code, link, source and the config file applied', async () => {
    const published = client.diagnostics(uri);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    const { diagnostics, version } = await published;
    assert.equal(version, 1);
    assert.deepEqual(rules(diagnostics), ['ban-drop-column@3', 'ban-drop-column@4', 'require-concurrent-index-creation@5']);
    const first = diagnostics[0]!;
    assert.deepEqual(first.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 15 } });
    assert.equal(first.source, 'rollout-guard');
    assert.match(first.codeDescription!.href, /docs\/rules\/ban-drop-column\.md$/);
  });

  it('re-lints after an incremental change', async () => {
    const published = client.diagnostics(uri, (p) => p.version === 2);
    // Replace "CREATE INDEX idx" by "CREATE INDEX CONCURRENTLY idx" on line 5.
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 4, character: 12 }, end: { line: 4, character: 12 } }, text: ' CONCURRENTLY' }],
    });
    const { diagnostics } = await published;
    assert.deepEqual(rules(diagnostics), ['ban-drop-column@3', 'ban-drop-column@4']);
  });

  it('hover names the lock a statement takes', async () => {
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 3 } })) as Hover;
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /ACCESS EXCLUSIVE on orders: blocks reads and writes/);
    assert.match(value, /DROP COLUMN a/);
  });

  it('offers the quick fix carried by the diagnostic, and ignore actions', async () => {
    const published = client.diagnostics(uri, (p) => p.version === 3);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ text: "SET lock_timeout = '2s';\nCREATE INDEX idx ON orders (x);\n" }],
    });
    const { diagnostics } = await published;
    assert.deepEqual(rules(diagnostics), ['require-concurrent-index-creation@2']);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostics[0]!.range,
      context: { diagnostics },
    })) as CodeAction[];
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Add CONCURRENTLY', 'Ignore require-concurrent-index-creation for this statement', 'Ignore require-concurrent-index-creation for this file'],
    );
    assert.equal(actions[0]!.isPreferred, true);
    assert.deepEqual(actions[0]!.edit!.changes![uri], [
      { range: { start: { line: 1, character: 12 }, end: { line: 1, character: 12 } }, newText: ' CONCURRENTLY' },
    ]);
    assert.deepEqual(actions[1]!.edit!.changes![uri], [
      { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, newText: '-- rollout-guard-ignore require-concurrent-index-creation\n' },
    ]);
  });

  it('applies a configuration change from the editor', async () => {
    client.editorSettings = { rules: { 'require-concurrent-index-creation': 'off' } };
    const published = client.diagnostics(uri, (p) => p.diagnostics.length === 0);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await published;
    client.editorSettings = {};
  });

  it('marks a malformed section of .rollout-guard.yaml where it is, with the message the CLI prints', async () => {
    const config = pathToFileURL(path.join(workspace, 'service/.rollout-guard.yaml')).href;
    const published = client.diagnostics(config);
    const text = 'pgVersion: 16\nprometheus:\n  url: http://prometheus:9090\n  token: secret\n';
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: config, languageId: 'yaml', version: 1, text } });
    const { diagnostics } = await published;
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range, d.message]),
      [
        [
          'invalid-config',
          { start: { line: 3, character: 2 }, end: { line: 3, character: 7 } },
          '.rollout-guard.yaml:4: unknown setting prometheus.token. Known: url, timeout.',
        ],
      ],
    );
  });

  it('re-reads .rollout-guard.yaml when it changes', async () => {
    fs.writeFileSync(path.join(workspace, '.rollout-guard.yaml'), 'rules:\n  require-concurrent-index-creation: warning\n');
    const published = client.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'require-concurrent-index-creation' && d.severity === 2));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: pathToFileURL(path.join(workspace, '.rollout-guard.yaml')).href, type: 2 }],
    });
    await published;
  });

  it('publishes at most rolloutGuard.maxDiagnosticsPerFile diagnostics, errors first, with a note; code actions still work', async () => {
    client.editorSettings = {
      maxDiagnosticsPerFile: 3,
      rules: { 'prefer-robust-stmts': 'off', 'require-statement-timeout': 'off', 'require-concurrent-index-creation': 'warning' },
    };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const many = uri.replace('migration.sql', 'many.sql');
    const published = client.diagnostics(many);
    const manyText =
      "SET lock_timeout = '2s';\nCREATE INDEX a ON t (x);\nALTER TABLE t DROP COLUMN x;\nCREATE INDEX b ON t (y);\nALTER TABLE t DROP COLUMN y;\n";
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: many, languageId: 'sql', version: 1, text: manyText } });
    const { diagnostics } = await published;
    // Four findings: the two drops are errors, the indexes warnings; the limit keeps the errors.
    assert.deepEqual(rules(diagnostics), ['too-many-findings@1', 'ban-drop-column@3', 'ban-drop-column@5']);
    assert.match(diagnostics[0]!.message as string, /^Showing 2 of 4 findings in this file, errors first\. /);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: many },
      range: diagnostics[0]!.range,
      context: { diagnostics: [diagnostics[0]] },
    })) as CodeAction[];
    assert.deepEqual(actions, [], 'the note offers no ignore action');
    const dropActions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: many },
      range: diagnostics[1]!.range,
      context: { diagnostics: [diagnostics[1]] },
    })) as CodeAction[];
    assert.ok(dropActions.some((a) => a.title === 'Ignore ban-drop-column for this statement'));
    const all = client.diagnostics(many, (p) => !p.diagnostics.some((d) => d.code === 'too-many-findings'));
    client.editorSettings = {};
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.ok((await all).diagnostics.length >= 4);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: many } });
  });

  it('survives malformed and binary-looking input and clears diagnostics on close', async () => {
    const bad = uri.replace('migration.sql', 'bad.sql');
    const published = client.diagnostics(bad);
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: bad, languageId: 'sql', version: 1, text: "ALTER TABLE (((;\n\u0000\u0001 $$ unterminated 'x" },
    });
    const { diagnostics } = await published;
    assert.ok(diagnostics.length >= 1);
    assert.ok(
      diagnostics.every((d) => d.code === 'syntax-error'),
      rules(diagnostics).join(),
    );
    const cleared = client.diagnostics(bad, (p) => p.diagnostics.length === 0);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: bad } });
    await cleared;
    // Still alive: a hover on the other document answers.
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.equal(client.stderr, '');
  });
});
