/**
 * The language server's side of "Check Against Cluster": it names the kinds and namespaces its
 * manifests need, and a snapshot the client read makes dangling-config-reference look in the
 * cluster after the workspace (and stop, when the snapshot is withdrawn).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TestLspClient } from '../simulators/lsp-client';
import { deployment } from './helpers/workloads';
import { temporaryDirectory } from '../simulators/temp';
import { CLUSTER_NEEDS_REQUEST, CLUSTER_SNAPSHOT_NOTIFICATION, type ClusterNeed, type ClusterSnapshot } from '../server/src/engine/manifests/cluster-view';

const DEPLOYMENT = deployment('checkout', {
  namespace: 'shop',
  container: 'app',
  image: 'shop/checkout:2.0',
  environment: ['env:', '  - name: STRIPE', '    valueFrom: { secretKeyRef: { name: checkout-secrets, key: stripe } }'],
});

describe('language server: check against the cluster', () => {
  let client: TestLspClient;
  let workspace: string;
  const uri = (): string => pathToFileURL(path.join(workspace, 'checkout.yaml')).href;
  const dangling = (p: { diagnostics: { code?: unknown }[] }): number => p.diagnostics.filter((d) => d.code === 'dangling-config-reference').length;

  before(async () => {
    workspace = temporaryDirectory('rg-lsp-cluster-');
    fs.writeFileSync(path.join(workspace, 'checkout.yaml'), DEPLOYMENT);
    client = new TestLspClient();
    const indexed = client.diagnostics(uri());
    await client.initialize(pathToFileURL(workspace).href);
    await indexed;
  });
  after(async () => {
    await client.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('names what to read, reports a key the cluster Secret lacks, and goes quiet when the snapshot is withdrawn', async () => {
    const needs = await client.connection.sendRequest<ClusterNeed[]>(CLUSTER_NEEDS_REQUEST, { defaultNamespace: 'default' });
    assert.deepEqual(needs, [{ kind: 'Secret', namespace: 'shop' }]);
    const snapshot: ClusterSnapshot = {
      context: 'prod-eu',
      defaultNamespace: 'default',
      listings: [{ kind: 'Secret', namespace: 'shop', objects: { 'checkout-secrets': ['stripe-key'] } }],
    };
    const appeared = client.diagnostics(uri(), (p) => dangling(p) === 1);
    await client.connection.sendNotification(CLUSTER_SNAPSHOT_NOTIFICATION, snapshot);
    const finding = (await appeared).diagnostics.find((d) => d.code === 'dangling-config-reference')!;
    assert.equal(finding.range.start.line, 13);
    assert.match(String(finding.message), /Secret checkout-secrets in cluster prod-eu\/shop has no key `stripe` \(it has: stripe-key\)/);
    const forbidden = client.diagnostics(uri(), (p) => p.diagnostics.some((d) => d.code === 'dangling-config-reference' && d.severity === 3));
    await client.connection.sendNotification(CLUSTER_SNAPSHOT_NOTIFICATION, {
      ...snapshot,
      listings: [{ kind: 'Secret', namespace: 'shop', unreadable: 'forbidden' }],
    });
    const notice = (await forbidden).diagnostics.filter((d) => d.code === 'dangling-config-reference');
    assert.equal(notice.length, 1);
    assert.match(String(notice[0]!.message), /cannot check Secrets in shop/);
    const gone = client.diagnostics(uri(), (p) => dangling(p) === 0);
    await client.connection.sendNotification(CLUSTER_SNAPSHOT_NOTIFICATION, null);
    await gone;
  });
});
