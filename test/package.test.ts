/** What package.json promises VS Code about Restricted Mode. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, unknown> } };
};

describe('package.json in Restricted Mode', () => {
  it('settings that name a file to read or a server to contact are taken from user settings only', () => {
    const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
    for (const key of ['rolloutGuard.configFile', 'rolloutGuard.migrations.databaseUrl', 'rolloutGuard.gates.prometheusUrl']) {
      assert.ok(restricted.includes(key), `${key} is not restricted`);
      assert.ok(key in manifest.contributes.configuration.properties, `${key} is not a contributed setting`);
    }
  });
});
