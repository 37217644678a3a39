import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';

describe('the CLI as a process (its bundles as shipped)', () => {
  let tmp: string;
  before(() => {
    tmp = temporaryDirectory('rg-pipe-');
    // Thousands of findings: far more output than a pipe buffer holds.
    const statements = Array.from({ length: 3000 }, (_, i) => `CREATE INDEX orders_${i}_idx ON orders (c${i});`);
    fs.writeFileSync(path.join(tmp, 'indexes.sql'), statements.join('\n') + '\n');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a reader that stops early (`check | head -1`) ends the run quietly, with its own exit status', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/rollout-guard.js'), 'check', '.'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    assert.match(first.toString(), /require-concurrent-index-creation/);
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(stderr, '');
    assert.equal(code, 1);
  });

  it('a configuration problem found by a command bundle (the flags: section) is a plain message and exit 2, not an internal error', () => {
    fs.writeFileSync(path.join(tmp, 'flags-config.yaml'), 'flags:\n  provider: flagd\n');
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'bin/rollout-guard.js'), 'check', 'indexes.sql', '--config', 'flags-config.yaml'], {
      cwd: tmp,
      encoding: 'utf8',
    });
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr.trim(),
      'rollout-guard: flags-config.yaml:1: flags.file or flags.featureFlag is missing: the flagd flag-definition file (e.g. flags/flags.flagd.json) or the FeatureFlag resource holding it (namespace/name).',
    );
  });
});
