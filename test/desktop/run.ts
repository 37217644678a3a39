/**
 * `npm run test:desktop`: the extension-host suite (suite.ts) in a desktop VS Code downloaded by
 * @vscode/test-electron, with this repository as the extension under development (build first:
 * the manifest points at dist/client.js). Needs network access to update.code.visualstudio.com
 * and a display (run it under xvfb-run on a headless Linux machine). Where VS Code cannot be
 * downloaded, the end-to-end suite in code-server (test/e2e) covers the same ground.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

const repoRoot = path.resolve(__dirname, '../..');

async function main(): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-desktop-'));
  fs.cpSync(path.join(repoRoot, 'playground/workspace'), workspace, { recursive: true });
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(__dirname, 'suite.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      /download|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|getaddrinfo|status code/i.test(message)
        ? `Could not download VS Code (${message}). test:desktop needs access to update.code.visualstudio.com; where that is blocked, npm test runs the same checks in code-server (test/e2e).`
        : `The desktop suite failed: ${message}`,
    );
    process.stderr.write('\n');
    process.exitCode = 1;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

void main();
