import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';

const bin = path.join(repoRoot, 'bin/rollout-guard.js');

/** `check <dir> --format json`: each finding as `file:line rule`. */
function check(dir: string, ...args: string[]): string[] {
  const r = spawnSync(process.execPath, [bin, 'check', '.', '--format', 'json', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.ok(r.stdout, r.stderr);
  return (JSON.parse(r.stdout) as { findings: { file: string; line: number; rule: string }[] }).findings.map((f) => `${f.file}:${f.line} ${f.rule}`);
}

function write(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
}

const deployment = (configMap: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          envFrom:
            - configMapRef:
                name: ${configMap}
`;

describe('rollout-guard check: deploy units', () => {
  let tmp: string;
  before(() => {
    tmp = temporaryDirectory('rg-units-');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a kustomization file named Kustomization (no extension) is read: its generated ConfigMap exists', () => {
    const dir = path.join(tmp, 'kustomization-file');
    write(dir, {
      'app/Kustomization': 'resources:\n  - deployment.yaml\nconfigMapGenerator:\n  - name: web-config\n    literals: [MODE=prod]\n',
      'app/deployment.yaml': deployment('web-config'),
    });
    assert.deepEqual(
      check(dir).filter((f) => f.includes('dangling')),
      [],
    );
    // The same reference to a name nothing generates is still found.
    write(dir, { 'app/deployment.yaml': deployment('other-config') });
    assert.deepEqual(
      check(dir).filter((f) => f.includes('dangling')),
      ['app/deployment.yaml:18 dangling-config-reference'],
    );
  });
});
