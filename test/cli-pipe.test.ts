import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';

describe('the CLI in a pipeline', () => {
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
});
