import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Hover } from 'vscode-languageserver-protocol';
import { rules, TestLspClient } from '../simulators/lsp-client';
import { yaml } from './helpers/manifests';
import { temporaryDirectory } from '../simulators/temp';

const DEPLOYMENTS = ['v1', 'v2']
  .map((v) =>
    yaml(
      'apiVersion: apps/v1',
      'kind: Deployment',
      `metadata: { name: reviews-${v} }`,
      'spec:',
      '  replicas: 2',
      `  selector: { matchLabels: { app: reviews, version: ${v} } }`,
      '  template:',
      `    metadata: { labels: { app: reviews, version: ${v} } }`,
      '    spec:',
      '      containers:',
      '        - name: reviews',
      `          image: example/reviews:${v === 'v1' ? '1.0.0' : '1.1.0'}`,
      '          ports: [{ containerPort: 9080 }]',
    ),
  )
  .join('---\n');
const SERVICE = yaml('apiVersion: v1', 'kind: Service', 'metadata: { name: reviews }', 'spec:', '  selector: { app: reviews }', '  ports: [{ port: 9080 }]');
const DESTINATION_RULE = yaml(
  'apiVersion: networking.istio.io/v1',
  'kind: DestinationRule',
  'metadata: { name: reviews }',
  'spec:',
  '  host: reviews',
  '  subsets:',
  '    - name: v1',
  '      labels: { version: v1 }',
  '    - name: v2',
  '      labels: { version: v2 }',
);
const VIRTUAL_SERVICE = yaml(
  'apiVersion: networking.istio.io/v1',
  'kind: VirtualService',
  'metadata: { name: reviews }',
  'spec:',
  '  hosts: [reviews]',
  '  http:',
  '    - route:',
  '        - destination: { host: reviews, subset: v1 }',
  '          weight: 80',
  '        - destination: { host: reviews, subset: v2 }',
  '          weight: 20',
);

describe('language server: manifests across the workspace', () => {
  let client: TestLspClient;
  let workspace: string;
  const uri = (name: string): string => pathToFileURL(path.join(workspace, name)).href;

  before(async () => {
    workspace = temporaryDirectory('rg-lsp-k8s-');
    fs.writeFileSync(path.join(workspace, 'deployments.yaml'), DEPLOYMENTS);
    fs.writeFileSync(path.join(workspace, 'service.yaml'), SERVICE);
    fs.writeFileSync(path.join(workspace, 'destinationrule.yaml'), DESTINATION_RULE);
    fs.writeFileSync(path.join(workspace, 'virtualservice.yaml'), VIRTUAL_SERVICE);
    fs.mkdirSync(path.join(workspace, 'ignored'));
    fs.writeFileSync(path.join(workspace, '.gitignore'), 'ignored/\n');
    fs.writeFileSync(path.join(workspace, 'ignored', 'broken.yaml'), 'kind: Service\nspec: [\n');
    client = new TestLspClient();
  });

  after(async () => {
    await client.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('indexes the folder and publishes findings for files nobody opened', async () => {
    const deployments = client.diagnostics(uri('deployments.yaml'));
    const virtualService = client.diagnostics(uri('virtualservice.yaml'));
    await client.initialize(pathToFileURL(workspace).href);
    assert.deepEqual(
      rules((await deployments).diagnostics).filter((r) => r.startsWith('missing-readiness-probe')),
      ['missing-readiness-probe@11', 'missing-readiness-probe@25'],
    );
    assert.deepEqual(
      rules((await virtualService).diagnostics).filter((r) => r.startsWith('unknown-subset')),
      [],
    );
    // .gitignore'd files are not indexed.
    assert.ok(!client.published.some((p) => p.uri.includes('ignored')));
  });

  it('an edit to the DestinationRule makes the VirtualService finding appear, with a link, and disappear', async () => {
    const dr = uri('destinationrule.yaml');
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: dr, languageId: 'yaml', version: 1, text: DESTINATION_RULE } });
    const appeared = client.diagnostics(uri('virtualservice.yaml'), (p) => p.diagnostics.some((d) => d.code === 'unknown-subset'));
    // Rename subset v2 to v3 (line 9: "    - name: v2").
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: dr, version: 2 },
      contentChanges: [{ range: { start: { line: 8, character: 13 }, end: { line: 8, character: 14 } }, text: '3' }],
    });
    const finding = (await appeared).diagnostics.find((d) => d.code === 'unknown-subset')!;
    assert.equal(finding.range.start.line, 9);
    assert.match(finding.message as string, /subset `v2`/);
    assert.equal(finding.relatedInformation?.[0]?.location.uri, dr);
    const gone = client.diagnostics(uri('virtualservice.yaml'), (p) => !p.diagnostics.some((d) => d.code === 'unknown-subset'));
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: dr, version: 3 },
      contentChanges: [{ range: { start: { line: 8, character: 13 }, end: { line: 8, character: 14 } }, text: '2' }],
    });
    await gone;
  });

  it('follows files created and deleted on disk', async () => {
    const vs = uri('virtualservice.yaml');
    fs.rmSync(path.join(workspace, 'destinationrule.yaml'));
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri('destinationrule.yaml') } });
    const missing = client.diagnostics(vs, (p) => p.diagnostics.some((d) => d.code === 'unknown-subset'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('destinationrule.yaml'), type: 3 }] });
    await missing;
    fs.writeFileSync(path.join(workspace, 'rules.yml'), DESTINATION_RULE);
    const back = client.diagnostics(vs, (p) => !p.diagnostics.some((d) => d.code === 'unknown-subset'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('rules.yml'), type: 1 }] });
    await back;
  });

  it('hover on a weighted route shows the traffic split and the Deployments behind it', async () => {
    const vs = uri('virtualservice.yaml');
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: vs, languageId: 'yaml', version: 1, text: VIRTUAL_SERVICE } });
    const hover = (await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: vs },
      position: { line: 8, character: 12 },
    })) as Hover | null;
    assert.ok(hover, 'no hover on the route');
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /v1.*80/);
    assert.match(value, /reviews-v2/);
    assert.equal(client.stderr, '');
  });
});
