/**
 * The language server's workspace index is bounded: files over the size limit and files past
 * rolloutGuard.maxIndexedMegabytes are left out of cross-file checks with one warning each,
 * YAML that holds no manifest is not kept at all, and open files are still checked.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TestLspClient } from '../simulators/lsp-client';
import { removeTemporaryDirectory, temporaryDirectory } from '../simulators/temp';

/** A ConfigMap of about `kib` KiB. */
const configMap = (name: string, kib: number): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\ndata:\n${Array.from({ length: kib }, (_, i) => `  k${i}: "${'x'.repeat(1000)}"`).join('\n')}\n`;

describe('language server: a bounded workspace index', () => {
  let client: TestLspClient;
  let workspace: string;

  before(async () => {
    workspace = temporaryDirectory('rg-lsp-bounds-');
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(workspace, `config-${i}.yaml`), configMap(`config-${i}`, 600));
    // Not a manifest (Helm values): not kept, so it takes nothing of the bound.
    fs.writeFileSync(path.join(workspace, 'a-values.yaml'), `replicaCount: 2\nnotes: |\n${'  some text\n'.repeat(80_000)}`);
    // Over the 10 MB per-file limit: never read.
    fs.writeFileSync(path.join(workspace, 'huge.yaml'), configMap('huge', 10_500));
    const pod =
      'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n    - name: app\n      image: app:1.0.0\n      envFrom: [{ configMapRef: { name: missing } }]\n';
    fs.writeFileSync(path.join(workspace, 'pod.yaml'), pod);
    client = new TestLspClient();
    client.editorSettings = { maxIndexedMegabytes: 1 };
    await client.initialize(pathToFileURL(workspace).href);
  });

  after(async () => {
    await client.stop();
    removeTemporaryDirectory(workspace);
  });

  it('says which files it leaves out, once each, and still checks what it keeps and what is open', async () => {
    await client.messagesShown(2);
    assert.equal(client.messages.length, 2, client.messages.join('\n'));
    assert.match(client.messages[0]!, /1 YAML file is over 10 MB and left out of cross-file checks .*: huge\.yaml\./);
    assert.match(
      client.messages[1]!,
      /add up to more than 1 MB \(rolloutGuard\.maxIndexedMegabytes\) or 200,000 objects; 3 of them are left out of cross-file checks\. Open files are always checked\./,
    );
    const uri = pathToFileURL(path.join(workspace, 'config-3.yaml')).href;
    const published = client.diagnostics(uri);
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'yaml', version: 1, text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata:\n  a: "1"\n  a: "2"\n' },
    });
    assert.deepEqual(
      (await published).diagnostics.map((d) => d.code),
      ['duplicate-key'],
    );
  });
});
