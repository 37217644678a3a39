import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';
import { temporaryDirectory, writeFiles } from '../simulators/temp';

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
    writeFiles(dir, {
      'app/Kustomization': 'resources:\n  - deployment.yaml\nconfigMapGenerator:\n  - name: web-config\n    literals: [MODE=prod]\n',
      'app/deployment.yaml': deployment('web-config'),
    });
    assert.deepEqual(
      check(dir).filter((f) => f.includes('dangling')),
      [],
    );
    // The same reference to a name nothing generates is still found.
    writeFiles(dir, { 'app/deployment.yaml': deployment('other-config') });
    assert.deepEqual(
      check(dir).filter((f) => f.includes('dangling')),
      ['app/deployment.yaml:18 dangling-config-reference'],
    );
  });

  it('manifests.exclude: excluded YAML files are neither checked nor indexed', () => {
    const dir = path.join(tmp, 'exclude');
    writeFiles(dir, {
      '.rollout-guard.yaml': 'manifests:\n  exclude:\n    - test/fixtures\n    - "**/*.generated.yaml"\n',
      'test/fixtures/broken/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  labls: {}\n',
      'app/config.generated.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  labls: {}\n',
      'app/deployment.yaml': deployment('web-config'),
    });
    // Nothing reported in the excluded files, and their ConfigMap does not count.
    assert.deepEqual(
      check(dir).filter((f) => !/missing-|latest-/.test(f)),
      ['app/deployment.yaml:18 dangling-config-reference'],
    );
    writeFiles(dir, { '.rollout-guard.yaml': 'manifests:\n  exclude: []\n' });
    assert.deepEqual(
      check(dir).filter((f) => !/missing-|latest-/.test(f)),
      ['app/config.generated.yaml:5 unknown-field', 'test/fixtures/broken/config.yaml:5 unknown-field'],
    );
  });

  it('manifests.exclude: a glob outside the folder is an error on its line', () => {
    const dir = path.join(tmp, 'exclude-error');
    writeFiles(dir, { '.rollout-guard.yaml': 'manifests:\n  exclude:\n    - ../shared\n', 'app/deployment.yaml': deployment('web-config') });
    const r = spawnSync(process.execPath, [bin, 'check', '.'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /\.rollout-guard\.yaml:3: manifests\.exclude\[0\] "\.\.\/shared" must be relative to the configuration file's folder and stay inside it\./,
    );
  });

  it("manifests.units: a folder deployed as one unit, its own ConfigMap preferred over another app's copy of the name", () => {
    const dir = path.join(tmp, 'units');
    const configMap = (key: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  ${key}: "1"\n`;
    writeFiles(dir, {
      'apps/api/config.yaml': configMap('API_MODE'),
      'apps/web/config/config.yaml': configMap('WEB_MODE'),
      'apps/web/workloads/deployment.yaml': deployment('web-config').replace(
        'envFrom:\n            - configMapRef:\n                name: web-config',
        'env:\n            - name: MODE\n              valueFrom: { configMapKeyRef: { name: web-config, key: WEB_MODE } }',
      ),
    });
    assert.deepEqual(
      check(dir).filter((f) => f.includes('dangling')),
      ['apps/web/workloads/deployment.yaml:18 dangling-config-reference'],
    );
    writeFiles(dir, { '.rollout-guard.yaml': 'manifests:\n  units: [apps/web, apps/api]\n' });
    assert.deepEqual(
      check(dir).filter((f) => f.includes('dangling')),
      [],
    );
  });
});
