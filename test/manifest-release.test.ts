/**
 * Released workspace files (text dropped, objects kept, text read again on demand) are checked
 * exactly as files kept whole, and no longer keep their text in memory.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManifestWorkspace, mergeSettings, type Finding } from '../server/src/engine';
import { repoRoot } from '../simulators/lsp-client';
import { deployment } from './helpers/workloads';

const corpus = path.resolve(repoRoot, '../shared/corpus');

/** Every YAML file under the folders, by path. */
function yamlFiles(...folders: string[]): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    assert.ok(fs.existsSync(dir), `${dir} is missing: the tests read ../shared/corpus beside the repository`);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) files.set(full, fs.readFileSync(full, 'utf8'));
    }
  };
  folders.forEach(walk);
  return files;
}

/** Findings of every file, linted with or without releasing every file first. */
function lintAll(files: Map<string, string>, release: boolean): { findings: Map<string, Finding[]>; rereads: number } {
  let rereads = 0;
  const workspace = new ManifestWorkspace({
    reread: (file) => {
      rereads++;
      return files.get(file);
    },
  });
  for (const [file, text] of files) workspace.update(file, text);
  if (release) for (const file of files.keys()) workspace.release(file);
  const findings = new Map<string, Finding[]>();
  for (const file of files.keys()) {
    findings.set(file, workspace.lint(file, mergeSettings({})));
    if (release) workspace.releaseRestored(() => false);
  }
  return { findings, rereads };
}

describe('released manifest files', () => {
  it('give the same findings, ranges and related locations on real manifests as files kept whole', () => {
    const files = yamlFiles(path.join(corpus, 'istio-bookinfo'), path.join(corpus, 'argo-rollouts-examples'), path.join(repoRoot, 'test/fixtures'));
    // A cross-file finding whose related location is in another (released) file.
    files.set(
      '/extra/vs.yaml',
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: shop\nspec:\n  hosts: [shop]\n  http:\n    - route:\n        - destination: { host: shop, subset: v3 }\n',
    );
    files.set(
      '/extra/dr.yaml',
      '# rules for shop\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: shop\nspec:\n  host: shop\n  subsets:\n    - name: v1\n      labels: { version: v1 }\n',
    );
    const whole = lintAll(files, false);
    const released = lintAll(files, true);
    assert.ok(
      [...whole.findings.values()].flat().some((f) => f.related?.length),
      'the corpus has cross-file findings with related locations',
    );
    assert.deepEqual(released.findings, whole.findings);
    assert.equal(whole.rereads, 0);
    assert.ok(released.rereads >= files.size, `each released file is read again for its lint (${released.rereads} reads, ${files.size} files)`);
  });

  it('read again only what a lookup needs: objects answer from memory', () => {
    const reads: string[] = [];
    const texts: Record<string, string> = {
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n',
      'deploy.yaml': deployment('web', { image: 'web:1', environment: ['envFrom: [{ configMapRef: { name: settings } }]'] }),
    };
    const workspace = new ManifestWorkspace({ reread: (file) => (reads.push(file), texts[file]) });
    for (const [file, text] of Object.entries(texts)) workspace.update(file, text);
    for (const file of Object.keys(texts)) workspace.release(file);
    assert.equal(workspace.objects('cm.yaml')[0]?.name, 'settings');
    assert.deepEqual(reads, []);
    assert.ok(!workspace.lint('deploy.yaml', mergeSettings({})).some((f) => f.rule === 'dangling-config-reference'));
    assert.deepEqual(reads, ['deploy.yaml']);
  });

  it('a file changed on disk since it was indexed has no text until indexed again (no findings at stale positions)', () => {
    let onDisk = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  sessionAffinity: ClientIP\n';
    const workspace = new ManifestWorkspace({ reread: () => onDisk });
    workspace.update('svc.yaml', onDisk);
    workspace.release('svc.yaml');
    onDisk = `# a comment moves everything\n${onDisk}`;
    assert.equal(workspace.text('svc.yaml'), undefined);
    assert.deepEqual(workspace.lint('svc.yaml', mergeSettings({})), []);
    workspace.update('svc.yaml', onDisk);
    assert.equal(workspace.text('svc.yaml'), onDisk);
  });

  it('without a way to read files again, release keeps the text', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n';
    const workspace = new ManifestWorkspace();
    workspace.update('cm.yaml', text);
    workspace.release('cm.yaml');
    assert.equal(workspace.text('cm.yaml'), text);
  });

  it('memory: a released file keeps its objects, not its text', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // 16 MB of comments around one object whose long strings were sliced out of the text.
    const comments = `# ${'x'.repeat(78)}\n`.repeat(200_000);
    const text = `${comments}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a-name-long-enough-to-be-sliced\ndata:\n  key: a-value-long-enough-to-be-sliced\n`;
    let onDisk: string | undefined = text.slice();
    const workspace = new ManifestWorkspace({ reread: () => onDisk });
    workspace.update('big.yaml', (' ' + text).slice(1));
    gc();
    const kept = process.memoryUsage().heapUsed;
    workspace.release('big.yaml');
    onDisk = undefined; // the "disk" copy goes too: what remains is the workspace's
    gc();
    const released = process.memoryUsage().heapUsed;
    const freedMegabytes = (kept - released) / 1024 / 1024;
    assert.ok(freedMegabytes > 12, `releasing a 16 MB file freed ${freedMegabytes.toFixed(1)} MB`);
    assert.equal(
      workspace.objects('big.yaml')[0]?.data.data && (workspace.objects('big.yaml')[0]!.data.data as Record<string, string>).key,
      'a-value-long-enough-to-be-sliced',
    );
  });
});
