/**
 * missing-env in the language server: a TypeScript file is checked against the environment of the
 * workload that runs it (workloads: in .rollout-guard.yaml), and editing the workload's manifest
 * makes the finding appear and disappear in the code without touching it.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { TestLspClient } from '../simulators/lsp-client';
import { removeTemporaryDirectory, temporaryDirectory, writeFiles } from '../simulators/temp';
import { deployment } from './helpers/workloads';

const checkoutV2 = (...env: string[]): string =>
  deployment('checkout-v2', {
    namespace: 'shop',
    container: 'app',
    image: 'shop/checkout:2.0.0',
    environment: ['env:', ...env.map((name) => `  - { name: ${name}, value: x }`)],
  });

const SERVER = ["import { requireEnv } from './env';", 'const payments = process.env.PAYMENTS_URL;', "const stripe = requireEnv('STRIPE_KEY');", ''].join('\n');
const HELPER =
  'export function requireEnv(name: string): string {\n  const value = process.env[name];\n  if (!value) throw new Error(`${name} is not set`);\n  return value;\n}\n';

describe('language server: missing-env follows the workload manifest', () => {
  let client: TestLspClient;
  let workspace: string;
  const uri = (name: string): string => pathToFileURL(path.join(workspace, name)).href;
  const write = (name: string, text: string): void => void writeFiles(workspace, { [name]: text });
  const missing = (diagnostics: Diagnostic[]): string[] =>
    diagnostics.filter((d) => d.code === 'missing-env').map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity}`);

  before(async () => {
    workspace = temporaryDirectory('rg-lsp-env-');
    write('.rollout-guard.yaml', 'workloads:\n  - { kind: Deployment, namespace: shop, name: checkout-v2, source: src/checkout }\n');
    write('k8s/deploy.yaml', checkoutV2('PAYMENTS_URL'));
    write('src/checkout/env.ts', HELPER);
    write('src/checkout/server.ts', SERVER);
    client = new TestLspClient();
    await client.initialize(pathToFileURL(workspace).href);
  });

  after(async () => {
    await client.stop();
    removeTemporaryDirectory(workspace);
  });

  it('a variable the Deployment does not set is an error on the code line, related to its env; editing the env clears it and brings it back', async () => {
    const server = uri('src/checkout/server.ts');
    const first = client.diagnostics(server, (p) => missing(p.diagnostics).length > 0);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: server, languageId: 'typescript', version: 1, text: SERVER } });
    const { diagnostics } = await first;
    assert.deepEqual(missing(diagnostics), ['3:27 1'], JSON.stringify(diagnostics));
    const related = diagnostics.find((d) => d.code === 'missing-env')!.relatedInformation!;
    assert.deepEqual(
      related.map((r) => `${path.relative(workspace, new URL(r.location.uri).pathname)}:${r.location.range.start.line + 1}`),
      ['k8s/deploy.yaml:12'],
    );

    const manifest = uri('k8s/deploy.yaml');
    const cleared = client.diagnostics(server, (p) => missing(p.diagnostics).length === 0);
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: manifest, languageId: 'yaml', version: 1, text: checkoutV2('PAYMENTS_URL') },
    });
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: manifest, version: 2 },
      contentChanges: [{ text: checkoutV2('PAYMENTS_URL', 'STRIPE_KEY') }],
    });
    await cleared;

    const back = client.diagnostics(server, (p) => missing(p.diagnostics).length > 0);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: manifest, version: 3 },
      contentChanges: [{ text: checkoutV2('STRIPE_KEY') }],
    });
    assert.deepEqual(missing((await back).diagnostics), ['2:30 1']);
  });

  it('the configuration file names a workload the manifests lack', async () => {
    const config = uri('.rollout-guard.yaml');
    const text = 'workloads:\n  - { kind: Deployment, namespace: shop, name: checkout-v3, source: src/checkout }\n';
    const published = client.diagnostics(config);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: config, languageId: 'yaml', version: 1, text } });
    const { diagnostics } = await published;
    assert.deepEqual(
      diagnostics.map((d) => `${d.code} ${d.range.start.line + 1}:${d.range.start.character + 1}`),
      ['unknown-workload 2:42'],
    );
  });
});
