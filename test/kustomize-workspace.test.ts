/**
 * A base and two overlays checked as deployed: the rules run on the rendered overlays, and each
 * finding lands on the source line that causes it (the base, or the overlay's patch), naming the
 * overlay(s) it applies to; patch files are not checked as whole objects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManifestWorkspace, mergeSettings } from '../server/src/engine';
import { kustomizeFixtures, readTree } from './helpers/kustomize-fixtures';
import { lintWorkspace } from './helpers/manifests';

const files = Object.fromEntries([...readTree(kustomizeFixtures)].filter(([file]) => /\.ya?ml$/.test(file)));
const relative = (file: string): string => file.slice(kustomizeFixtures.length + 1);
const shown = (findings: ReturnType<typeof lintWorkspace>): string[] =>
  findings.map((f) => `${relative(f.file)} ${f.range} ${f.rule}${(f.finding.related ?? []).map((r) => ` [${r.message}]`).join('')}`);

describe('kustomize base + two overlays, checked as deployed', () => {
  const findings = lintWorkspace(files);

  it('each finding on the line that causes it, naming the overlays; nothing on generated names, nothing whole-object on patches', () => {
    assert.deepEqual(shown(findings), [
      // staging keeps the base's 3 replicas; prod sets 2 in its kustomization: each finding where its replicas are written.
      'base/deployment.yaml 6:3-6:11 missing-pod-disruption-budget [in overlays/staging: Deployment staging/web]',
      'base/deployment.yaml 16:17-16:20 missing-prestop-hook [in overlays/prod: Deployment prod/prod-web-v1] [in overlays/staging: Deployment staging/web]',
      // The missing key of the generated ConfigMap, on the base line, once for both overlays.
      'base/deployment.yaml 30:24-30:32 dangling-config-reference [ConfigMap prod-web-config-v1] [in overlays/prod: Deployment prod/prod-web-v1] [in overlays/staging: Deployment staging/web]',
      'overlays/prod/kustomization.yaml 15:5-15:10 missing-pod-disruption-budget [in overlays/prod: Deployment prod/prod-web-v1]',
      // The overlay's patch makes the rolling update unsafe (2 of 2 replicas), and misspells maxSurge.
      'overlays/prod/rollout-patch.yaml 8:23-8:24 unsafe-rolling-update [in overlays/prod: Deployment prod/prod-web-v1]',
      'overlays/prod/rollout-patch.yaml 9:7-9:14 unknown-field [in overlays/prod: Deployment prod/prod-web-v1]',
    ]);
    assert.match(findings.find((f) => f.rule === 'dangling-config-reference')!.message, /FEATURES/);
    assert.match(findings.find((f) => f.rule === 'unknown-field')!.message, /Unknown field `maxSurg`.*did you mean `maxSurge`/);
  });

  it('the related locations point at the generator entry and at each overlay', () => {
    const related = findings.find((f) => f.rule === 'dangling-config-reference')!.finding.related!;
    assert.deepEqual(
      related.map((r) => `${relative(r.file)} ${r.start.line + 1}`),
      ['base/kustomization.yaml 7', 'overlays/prod/kustomization.yaml 1', 'overlays/staging/kustomization.yaml 1'],
    );
  });

  it('released files (text read again on demand) give the same findings', () => {
    const workspace = new ManifestWorkspace({ reread: (file) => files[file] });
    for (const [file, text] of Object.entries(files)) workspace.update(file, text);
    for (const file of Object.keys(files)) workspace.release(file);
    const again = Object.keys(files).flatMap((file) => workspace.lint(file, mergeSettings({})).map((f) => `${relative(file)} ${f.start} ${f.rule}`));
    assert.equal(again.length, findings.length);
    assert.deepEqual(
      again,
      findings.map((f) => `${relative(f.file)} ${f.finding.start} ${f.rule}`),
    );
  });

  it('editing the base re-checks the overlays files rendered with it', () => {
    const workspace = new ManifestWorkspace();
    for (const [file, text] of Object.entries(files)) workspace.update(file, text);
    workspace.lint(`${kustomizeFixtures}/base/deployment.yaml`, mergeSettings({}));
    const dependents = workspace.update(`${kustomizeFixtures}/base/deployment.yaml`, files[`${kustomizeFixtures}/base/deployment.yaml`]!);
    assert.ok(dependents.map(relative).includes('overlays/prod/rollout-patch.yaml'), dependents.join(', '));
    assert.ok(dependents.map(relative).includes('overlays/staging/env-patch.yaml'), dependents.join(', '));
  });
});

/** A folder with a Deployment and the ConfigMap `settings` holding one key. */
const unit = (dir: string, key: string): Record<string, string> => ({
  [`/u/${dir}/kustomization.yaml`]: ['resources: [deployment.yaml, config.yaml]', ''].join('\n'),
  [`/u/${dir}/config.yaml`]: ['apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: settings }', `data: { ${key}: "1" }`, ''].join('\n'),
  [`/u/${dir}/deployment.yaml`]: [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: ${dir} }`,
    'spec:',
    `  selector: { matchLabels: { app: ${dir} } }`,
    '  template:',
    `    metadata: { labels: { app: ${dir} } }`,
    '    spec:',
    '      containers:',
    `        - name: ${dir}`,
    '          image: nginx:1.25',
    `          env: [{ name: X, valueFrom: { configMapKeyRef: { name: settings, key: ${key} } } }]`,
    '',
  ].join('\n'),
});

describe('kustomize units with something skipped, and units reusing names', () => {
  it('a remote base: one kustomize-skipped note on it, and no dangling finding for what the unit cannot see', () => {
    const found = lintWorkspace({
      '/r/app/kustomization.yaml': ['resources:', '  - github.com/org/base?ref=v1', '  - deployment.yaml', ''].join('\n'),
      '/r/app/deployment.yaml': files[`${kustomizeFixtures}/base/deployment.yaml`]!,
    });
    assert.deepEqual(
      found.filter((f) => f.rule !== 'missing-prestop-hook').map((f) => `${f.file} ${f.range} ${f.rule}`),
      ['/r/app/kustomization.yaml 2:5-2:31 kustomize-skipped'],
    );
  });

  it('two units defining the same name: each reference resolves in its own unit', () => {
    const found = lintWorkspace({ ...unit('one', 'ONE'), ...unit('two', 'TWO') }).filter((f) => f.rule === 'dangling-config-reference');
    assert.deepEqual(found, []);
  });

  it('two folders of plain manifests defining the same name: each reference resolves in its own folder', () => {
    const plain = Object.fromEntries(Object.entries({ ...unit('one', 'ONE'), ...unit('two', 'TWO') }).filter(([file]) => !file.endsWith('kustomization.yaml')));
    assert.deepEqual(
      lintWorkspace(plain).filter((f) => f.rule === 'dangling-config-reference'),
      [],
    );
  });

  it('a component nobody uses is no unit: its patch files are checked field by field only', () => {
    const found = lintWorkspace({
      '/c/component/kustomization.yaml': ['apiVersion: kustomize.config.k8s.io/v1alpha1', 'kind: Component', 'patches:', '  - path: patch.yaml', ''].join('\n'),
      '/c/component/patch.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: web }',
        'spec:',
        '  replicass: 2',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: web',
        '          $patch: delete',
        '',
      ].join('\n'),
    });
    assert.deepEqual(
      found.map((f) => `${f.file} ${f.range} ${f.rule}`),
      ['/c/component/patch.yaml 5:3-5:12 unknown-field'],
    );
  });

  it('a patch with a target that matches nothing is accepted, as kustomize does', () => {
    const found = lintWorkspace({
      '/t/kustomization.yaml': [
        'resources: [cm.yaml]',
        'patches:',
        '  - target: { kind: Deployment }',
        '    patch: |',
        '      - op: add',
        '        path: /spec/replicas',
        '        value: 1',
        '',
      ].join('\n'),
      '/t/cm.yaml': ['apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: c }', ''].join('\n'),
    });
    assert.deepEqual(found, []);
  });
});
