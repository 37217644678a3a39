import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ManifestWorkspace, mergeSettings, type Finding } from '../server/src/engine';
import { repoRoot } from '../simulators/lsp-client';

const corpus = path.resolve(repoRoot, '../shared/corpus');

/** Lints a corpus folder as one workspace; findings by file name. */
function lintFolder(folder: string): Map<string, Finding[]> {
  const dir = path.join(corpus, folder);
  assert.ok(fs.existsSync(dir), `corpus folder ${dir} is missing: the tests read ../shared/corpus beside the repository`);
  const workspace = new ManifestWorkspace();
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  for (const f of files) workspace.update(f, fs.readFileSync(path.join(dir, f), 'utf8'));
  return new Map(files.map((f) => [f, workspace.lint(f, mergeSettings({}))]));
}

const all = (byFile: Map<string, Finding[]>): Finding[] => [...byFile.values()].flat();

describe('manifest corpora', () => {
  it('Istio Bookinfo: no unknown subsets with its DestinationRules present; every Deployment lacks a readiness probe', () => {
    const byFile = lintFolder('istio-bookinfo');
    const findings = all(byFile);
    assert.deepEqual(
      findings
        .filter((f) => ['internal-error', 'syntax-error', 'unknown-subset', 'unknown-destination-host', 'unknown-field', 'invalid-type'].includes(f.rule))
        .map((f) => f.message),
      [],
    );
    const bookinfo = byFile.get('bookinfo.yaml')!;
    // details-v1, ratings-v1, reviews-v1/v2/v3, productpage-v1: six containers without readinessProbe.
    assert.equal(bookinfo.filter((f) => f.rule === 'missing-readiness-probe').length, 6);
  });

  it('Argo Rollouts examples: no crash, and every reference resolves where the referenced files are present', () => {
    const findings = all(lintFolder('argo-rollouts-examples'));
    assert.deepEqual(
      findings
        .filter((f) => ['internal-error', 'syntax-error', 'rollout-dangling-reference', 'unknown-field', 'invalid-type'].includes(f.rule))
        .map((f) => f.message),
      [],
    );
    assert.ok(findings.some((f) => f.rule === 'missing-readiness-probe'));
  });

  it('a Rollout checked without the file of its AnalysisTemplates reports them; with it, they resolve', () => {
    const read = (f: string): string => fs.readFileSync(path.join(corpus, 'argo-rollouts-examples', f), 'utf8');
    const alone = new ManifestWorkspace();
    alone.update('rollout-analysis-step.yaml', read('rollout-analysis-step.yaml'));
    const missing = alone.lint('rollout-analysis-step.yaml', mergeSettings({})).filter((f) => f.rule === 'rollout-dangling-reference');
    assert.ok(
      missing.some((f) => /random-fail/.test(f.message)),
      missing.map((f) => f.message).join('\n'),
    );
    alone.update('analysis-templates.yaml', read('analysis-templates.yaml'));
    const resolved = alone
      .lint('rollout-analysis-step.yaml', mergeSettings({}))
      .filter((f) => f.rule === 'rollout-dangling-reference' && /random-fail/.test(f.message));
    assert.deepEqual(resolved, []);
  });
});
