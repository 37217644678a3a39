/**
 * "Rollout Guard: Check Against Cluster" end to end through the client's code path: the command
 * (client/src/rollouts/cluster-check.ts, with a stand-in for the `vscode` module) asks the real
 * language server what its manifests need, reads it from the Kubernetes API stand-in, and sends the
 * snapshot back; dangling-config-reference then finds a key the cluster's Secret lacks in the
 * manifest, and missing-env an environment variable the workload's cluster envFrom does not give
 * in the code. In an untrusted workspace nothing touches the cluster; an unreachable one is a
 * status item and one message.
 */
import { extensionContext, outputChannel, registered, setSetting, settings, ui, Uri, vscode, workspaceState } from './helpers/fake-vscode';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { CHECK_AGAINST_CLUSTER_COMMAND, registerClusterCheck } from '../client/src/rollouts/cluster-check';
import { startStandIn, type KubernetesStandIn } from '../simulators/k8s-stand-in';
import { TestLspClient } from '../simulators/lsp-client';
import { removeTemporaryDirectory, temporaryDirectory } from '../simulators/temp';
import { deployment } from './helpers/workloads';

const DEPLOYMENT = deployment('checkout-v2', {
  namespace: 'shop',
  container: 'app',
  image: 'shop/checkout:2.0',
  environment: [
    'envFrom:',
    '  - secretRef: { name: checkout-env }',
    'env:',
    '  - name: STRIPE',
    '    valueFrom: { secretKeyRef: { name: checkout-secrets, key: stripe } }',
  ],
});
/** DATABASE_URL comes from the cluster's Secret checkout-env; PAYMENTS_URL from nowhere. */
const PAY = 'export const database = process.env.DATABASE_URL;\nexport const payments = process.env.PAYMENTS_URL;\n';
const SECRET_VALUE = 'sk_live_do_not_show';

describe('client: Check Against Cluster (vscode stand-in, real language server, Kubernetes API stand-in)', () => {
  let standIn: KubernetesStandIn;
  let standInStopped = false;
  let server: TestLspClient;
  let workspace: string;
  let output: ReturnType<typeof outputChannel>;
  let context: ReturnType<typeof extensionContext>;
  const uri = (name: string): string => pathToFileURL(path.join(workspace, name)).href;
  const codes = (diagnostics: Diagnostic[], code: string): string[] =>
    diagnostics.filter((d) => d.code === code && d.severity === 1).map((d) => `${d.range.start.line + 1}: ${String(d.message)}`);
  const status = () => registered.statusBarItems.get('rolloutGuard.clusterCheck')!;

  before(async () => {
    workspace = temporaryDirectory('rg-client-cluster-');
    fs.mkdirSync(path.join(workspace, 'k8s'));
    fs.mkdirSync(path.join(workspace, 'src/checkout'), { recursive: true });
    fs.writeFileSync(
      path.join(workspace, '.rollout-guard.yaml'),
      'workloads:\n  - { kind: Deployment, namespace: shop, name: checkout-v2, source: src/checkout }\n',
    );
    fs.writeFileSync(path.join(workspace, 'k8s/checkout.yaml'), DEPLOYMENT);
    fs.writeFileSync(path.join(workspace, 'src/checkout/pay.ts'), PAY);
    standIn = await startStandIn({ namespace: 'shop' });
    const secret = (name: string, key: string): string =>
      `apiVersion: v1\nkind: Secret\nmetadata: { name: ${name} }\ndata: { ${key}: ${Buffer.from(SECRET_VALUE).toString('base64')} }\n`;
    standIn.seed(secret('checkout-secrets', 'stripe-key'), 'shop');
    standIn.seed(secret('checkout-env', 'DATABASE_URL'), 'shop');
    setSetting('rolloutGuard.cluster.kubeconfig', standIn.writeKubeconfig(workspace, { context: 'prod-eu' }));
    workspaceState.folders = [{ uri: Uri.file(workspace), name: 'shop', index: 0 }];
    context = extensionContext(workspace, path.join(workspace, '.storage'));

    server = new TestLspClient();
    const indexed = server.diagnostics(uri('k8s/checkout.yaml'));
    await server.initialize(pathToFileURL(workspace).href);
    await indexed;
    const opened = server.diagnostics(uri('src/checkout/pay.ts'));
    await server.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uri('src/checkout/pay.ts'), languageId: 'typescript', version: 1, text: PAY },
    });
    // Without the cluster, checkout-env's keys are unknown: any variable may come from it.
    assert.deepEqual(codes((await opened).diagnostics, 'missing-env'), []);

    // The part of LanguageClient the command uses, over the test client's connection to the real server.
    const languageClient = {
      sendRequest: (method: string, params: unknown) => server.connection.sendRequest(method, params),
      sendNotification: (method: string, params: unknown) => server.connection.sendNotification(method, params),
      onDidChangeState: () => ({ dispose() {} }),
      isRunning: () => true,
    } as unknown as LanguageClient;
    output = outputChannel();
    registerClusterCheck(context as never, languageClient, output as never);
  });
  after(async () => {
    await server.stop();
    if (!standInStopped) await standIn.stop();
    // The vscode stand-in is shared by the tests of one process: leave it as found.
    for (const disposable of context.subscriptions) disposable.dispose();
    settings.delete('rolloutGuard.cluster.kubeconfig');
    settings.delete('rolloutGuard.manifests.checkAgainstCluster');
    workspaceState.folders = [];
    workspaceState.trusted = true;
    removeTemporaryDirectory(workspace);
  });

  it('in an untrusted workspace the command does not read the cluster', async () => {
    workspaceState.trusted = false;
    const requests = standIn.requests.length;
    await vscode.commands.executeCommand(CHECK_AGAINST_CLUSTER_COMMAND);
    assert.match(ui.messages.at(-1)!.text, /does not read a cluster in an untrusted workspace/);
    assert.equal(standIn.requests.length, requests);
    assert.equal(status()?.visible ?? false, false);
    workspaceState.trusted = true;
  });

  it('the command reads the cluster; the manifest gets the missing key, the code the variable nobody sets; no Secret value anywhere', async () => {
    const manifest = server.diagnostics(uri('k8s/checkout.yaml'), (p) => codes(p.diagnostics, 'dangling-config-reference').length > 0);
    const code = server.diagnostics(uri('src/checkout/pay.ts'), (p) => codes(p.diagnostics, 'missing-env').length > 0);
    await vscode.commands.executeCommand(CHECK_AGAINST_CLUSTER_COMMAND);
    const dangling = codes((await manifest).diagnostics, 'dangling-config-reference');
    assert.equal(dangling.length, 1, dangling.join('\n'));
    assert.match(dangling[0]!, /^16: .*Secret checkout-secrets in cluster prod-eu\/shop has no key `stripe` \(it has: stripe-key\)/);
    const missing = codes((await code).diagnostics, 'missing-env');
    assert.equal(missing.length, 1, missing.join('\n'));
    assert.match(
      missing[0]!,
      /^2: PAYMENTS_URL is read here with no fallback, and Deployment shop\/checkout-v2 does not set PAYMENTS_URL \(its containers get STRIPE, DATABASE_URL\)/,
    );
    // Lists of the referenced kinds, never a get of one Secret (whose value it would carry).
    const reads = standIn.requests.filter((r) => r.path.includes('/secrets'));
    assert.ok(
      reads.length > 0 && reads.every((r) => r.method === 'GET' && r.path.endsWith('/namespaces/shop/secrets')),
      JSON.stringify(reads.map((r) => r.path)),
    );
    assert.match(status().text, /prod-eu/);
    assert.equal(status().visible, true);
    const shown = [...dangling, ...missing, ...output.lines, status().tooltip ?? '', ...ui.messages.map((m) => m.text)].join('\n');
    assert.ok(!shown.includes(SECRET_VALUE));
  });

  it('turning the setting off withdraws the snapshot: the cluster findings go', async () => {
    // On since the last check (as if set then), without a change event that would start another read.
    settings.set('rolloutGuard.manifests.checkAgainstCluster', true);
    const manifest = server.diagnostics(uri('k8s/checkout.yaml'), (p) => codes(p.diagnostics, 'dangling-config-reference').length === 0);
    const code = server.diagnostics(uri('src/checkout/pay.ts'), (p) => codes(p.diagnostics, 'missing-env').length === 0);
    setSetting('rolloutGuard.manifests.checkAgainstCluster', false);
    await Promise.all([manifest, code]);
    assert.equal(status().visible, false);
  });

  it('an unreachable cluster is the status item and one warning naming it, not findings', async () => {
    const apiServer = standIn.url;
    await standIn.stop();
    standInStopped = true;
    const shown = ui.messages.length;
    await vscode.commands.executeCommand(CHECK_AGAINST_CLUSTER_COMMAND);
    assert.equal(ui.messages.length, shown + 1);
    assert.match(ui.messages.at(-1)!.text, /cannot check against the cluster: /);
    assert.ok(ui.messages.at(-1)!.text.includes(new URL(apiServer).host), ui.messages.at(-1)!.text);
    assert.match(status().text, /cloud-offline/);
  });
});
