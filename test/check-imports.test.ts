import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';
import { temporaryTree } from '../simulators/temp';

const checkImports = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'scripts/check-imports.mjs'), ...args], { cwd: repoRoot, encoding: 'utf8' });

/** A source tree of `files` (repo-relative path → text) in a temporary directory. */
const tree = (files: Record<string, string>): string => temporaryTree('rollout-guard-imports-', files);

describe('import graph check (npm run lint)', () => {
  it('passes on this repository: no cycle, no import across a layer', () => {
    const run = checkImports();
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^imports: \d+ files, \d+ edges, 0 cycles, 0 layer violations \([\d.]+ s\)\n$/);
  });

  it('names the files of a cycle, type-only imports and import types included', () => {
    const root = tree({
      'operations/a.ts': "import type { B } from './b';\nexport type A = B[];\n",
      'operations/b.ts': "export type B = import('./c').C;\n",
      'operations/c.ts': "import { type A } from './a';\nexport type C = A | string;\n",
      'operations/d.ts': "import type { A } from './a';\nexport type D = A;\n",
    });
    const run = checkImports('--root', root);
    assert.equal(run.status, 1);
    assert.deepEqual(run.stderr.split('\n').slice(0, 4), [
      'import cycle among 3 files: operations/a.ts → operations/b.ts → operations/c.ts → operations/a.ts',
      '  operations/a.ts',
      '  operations/b.ts',
      '  operations/c.ts',
    ]);
    assert.match(run.stderr, /\nimports: 4 files, 4 edges, 1 cycles, 0 layer violations \([\d.]+ s\)\n$/);
  });

  it('refuses vscode or the client outside the client, test or bench code outside the tests, CLI code in the simulators, and editor, LSP, CLI, operations or disk code in the engine', () => {
    const root = tree({
      'client/src/view.ts': "import * as vscode from 'vscode';\nexport const view = vscode.window;\n",
      'test/view.test.ts': "import { view } from '../client/src/view';\nimport 'vscode';\nvoid view;\n",
      'cli/src/main.ts': "import { view } from '../../client/src/view';\nvoid view;\n",
      'operations/cluster.ts': "export const client = require('vscode');\n",
      'server/src/workspace/config-file.ts': "import fs from 'node:fs';\nexport const read = fs.readFileSync;\n",
      'server/src/engine/lint.ts': [
        "import { read } from '../workspace/config-file';",
        "import type { Connection } from 'vscode-languageserver/node';",
        "export type Client = typeof import('../../../operations/cluster');",
        'export const lint = (c: Connection): unknown => [c, read];',
        '',
      ].join('\n'),
      'server/src/engine/lint.test.ts': "import { client } from '../../../operations/cluster';\nimport '../../../test/helpers/lint';\nvoid client;\n",
      'test/helpers/lint.ts': 'export {};\n',
      'playground/rig.ts': "import '../test/helpers/lint';\nimport '../bench/run';\n",
      'bench/run.ts': "import '../simulators/stand-in';\n",
      'simulators/stand-in.ts': "import '../cli/src/main';\n",
    });
    const run = checkImports('--root', root);
    assert.equal(run.status, 1);
    const engine = 'the lint engine (server/src/engine) imports no editor, LSP, CLI, operations or disk access (server/src/workspace)';
    assert.deepEqual(run.stderr.split('\n').slice(0, -2), [
      'cli/src/main.ts imports client/src/view.ts: nothing outside the VS Code client (client/) and its tests imports it',
      'operations/cluster.ts imports vscode: only the VS Code client (client/) and its tests import vscode',
      'playground/rig.ts imports test/helpers/lint.ts: only tests import test/ code: what the playground, the bench and the tests share is in simulators/',
      'playground/rig.ts imports bench/run.ts: only the bench and the tests import bench/ code',
      `server/src/engine/lint.ts imports server/src/workspace/config-file.ts: ${engine}`,
      `server/src/engine/lint.ts imports operations/cluster.ts: ${engine}`,
      `server/src/engine/lint.ts imports vscode-languageserver: ${engine}`,
      'simulators/stand-in.ts imports cli/src/main.ts: the simulators (simulators/) stand in for servers: no CLI code',
    ]);
    assert.match(run.stderr, /\nimports: 11 files, 14 edges, 0 cycles, 8 layer violations/);
  });
});
