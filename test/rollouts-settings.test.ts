/**
 * The Rollouts view's settings part with a stand-in for `vscode`: rolloutGuard.* settings over
 * .rollout-guard.yaml, a malformed file reported as the CLI and the language server report it,
 * and the Prometheus token kept per origin in SecretStorage.
 */
import { extensionContext, setSetting, ui, Uri, workspaceState } from './helpers/fake-vscode';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RolloutSettings, UNBOUND_PROMETHEUS_TOKEN_KEY } from '../client/src/rollouts/settings';
import { ConfigError } from '../server/src/engine/config';
import { isWorkspaceConfigFile } from '../client/src/workspace-config';
import { temporaryDirectory } from '../simulators/temp';

describe('Rollouts view settings (vscode stand-in)', () => {
  let folder: string;
  const write = (text: string): void => fs.writeFileSync(path.join(folder, '.rollout-guard.yaml'), text);

  before(() => {
    folder = temporaryDirectory('rg-rollout-settings-');
    fs.mkdirSync(path.join(folder, '.git'));
    workspaceState.folders = [{ uri: Uri.file(folder), name: 'w', index: 0 }];
  });
  after(() => {
    workspaceState.folders = [];
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('reads canary steps and the Prometheus URL from .rollout-guard.yaml; a setting the user set wins', () => {
    write('canary:\n  steps: [50, 20]\nprometheus: http://prometheus.monitoring:9090\ngates:\n  interval: 2m\n');
    const settings = new RolloutSettings(extensionContext(folder, folder).secrets as never);
    assert.deepEqual(settings.steps(), [20, 50]);
    assert.equal(settings.gates().prometheusUrl, 'http://prometheus.monitoring:9090');
    assert.equal(settings.gates().interval, '2m');
    setSetting('rolloutGuard.canary.steps', [10, 100]);
    setSetting('rolloutGuard.gates.prometheusUrl', 'http://127.0.0.1:9090');
    try {
      assert.deepEqual(settings.steps(), [10, 100]);
      assert.equal(settings.gates().prometheusUrl, 'http://127.0.0.1:9090');
      assert.equal(settings.gates().interval, '2m', 'the file still gives what the settings leave out');
    } finally {
      setSetting('rolloutGuard.canary.steps', undefined);
      setSetting('rolloutGuard.gates.prometheusUrl', undefined);
    }
  });

  it('a malformed section is the ConfigError the CLI prints and the language server marks', () => {
    write('pgVersion: 16\nprometheus:\n  url: http://prometheus:9090\n  token: secret\n');
    const settings = new RolloutSettings(extensionContext(folder, folder).secrets as never);
    for (const read of [() => settings.gates(), () => settings.steps()])
      assert.throws(
        read,
        (e: unknown) =>
          e instanceof ConfigError && e.line === 4 && e.message === '.rollout-guard.yaml:4: unknown setting prometheus.token. Known: url, timeout.',
      );
  });

  it('the views watch the configuration file by the name rolloutGuard.configFile gives it', () => {
    const at = (name: string) => Uri.file(path.join(folder, name)) as never;
    assert.equal(isWorkspaceConfigFile(at('.rollout-guard.yaml')), true);
    assert.equal(isWorkspaceConfigFile(at('deploy/app.yaml')), false);
    setSetting('rolloutGuard.configFile', 'config/rollout.yaml');
    try {
      assert.equal(isWorkspaceConfigFile(at('config/rollout.yaml')), true, 'a file that does not exist yet counts too (created)');
      assert.equal(isWorkspaceConfigFile(at('.rollout-guard.yaml')), false);
    } finally {
      setSetting('rolloutGuard.configFile', undefined);
    }
    assert.equal(isWorkspaceConfigFile(Uri.file(path.join(path.dirname(folder), '.rollout-guard.yaml')) as never), false, 'outside the folder');
  });

  it("reads the configuration file where the language server does: rolloutGuard.configFile, else the folder's own, never a parent's", () => {
    const outer = temporaryDirectory('rg-rollout-config-');
    const workspace = path.join(outer, 'shop');
    fs.mkdirSync(path.join(workspace, 'deploy'), { recursive: true });
    fs.writeFileSync(path.join(outer, '.rollout-guard.yaml'), 'canary:\n  steps: [30]\n');
    fs.writeFileSync(path.join(workspace, 'deploy', 'guard.yaml'), 'canary:\n  steps: [20, 40]\nprometheus: http://prometheus.shop:9090\n');
    workspaceState.folders = [{ uri: Uri.file(workspace), name: 'shop', index: 0 }];
    try {
      const settings = new RolloutSettings(extensionContext(workspace, workspace).secrets as never);
      assert.deepEqual(settings.steps(), [5, 10, 25, 50, 100], "no file in the folder: the defaults, not the parent folder's file");
      setSetting('rolloutGuard.configFile', 'deploy/guard.yaml');
      assert.deepEqual(settings.steps(), [20, 40]);
      assert.equal(settings.gates().prometheusUrl, 'http://prometheus.shop:9090');
    } finally {
      setSetting('rolloutGuard.configFile', undefined);
      workspaceState.folders = [{ uri: Uri.file(folder), name: 'w', index: 0 }];
      fs.rmSync(outer, { recursive: true, force: true });
    }
  });

  it('sends a token stored before tokens had an origin only once the user agrees, then keeps it for that origin', async () => {
    write('prometheus: http://prometheus.monitoring:9090\n');
    const context = extensionContext(folder, folder);
    context.secretValues.set(UNBOUND_PROMETHEUS_TOKEN_KEY, 'old-token');
    const settings = new RolloutSettings(context.secrets as never);
    const url = 'http://prometheus.monitoring:9090/';
    ui.answers = [{ pattern: /stored without the server/, choice: "Don't Send" }];
    assert.equal(await settings.prometheusToken(url), undefined);
    assert.equal(context.secretValues.get(UNBOUND_PROMETHEUS_TOKEN_KEY), 'old-token', 'declining keeps it unbound');
    ui.answers = [{ pattern: /stored without the server/, choice: 'Send It to This Server' }];
    const asked = ui.messages.length;
    assert.equal(await settings.prometheusToken(url), undefined, 'declined once: not asked again this session');
    assert.equal(ui.messages.length, asked);
    assert.equal(await new RolloutSettings(context.secrets as never).prometheusToken(url), 'old-token');
    assert.equal(context.secretValues.has(UNBOUND_PROMETHEUS_TOKEN_KEY), false);
    assert.deepEqual([...context.secretValues.values()], ['old-token'], 'kept under its origin now');
    assert.equal(await new RolloutSettings(context.secrets as never).prometheusToken('http://elsewhere:9090'), undefined, 'and sent to no other');
    ui.answers = [];
  });
});
