/**
 * Argo CD Applications and Flux Kustomizations define deploy units: the folder they deploy, with
 * its subfolders, is one unit, and a reference prefers its own unit's copy of a name another
 * unit reuses (modelled on argocd-example-apps and flux2-kustomize-helm-example).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManifestWorkspace, mergeSettings } from '../server/src/engine';
import { lintWorkspace } from './helpers/manifests';
import { deployment } from './helpers/workloads';

const configMap = (key: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  ${key}: "1"\n`;

const webDeployment = (key: string): string =>
  deployment('web', { environment: [`env: [{ name: MODE, valueFrom: { configMapKeyRef: { name: settings, key: ${key} } } }]`] });

// Two apps reuse the ConfigMap name `settings`; the api's comes first in the workspace.
const apps = (webKey: string): Record<string, string> => ({
  '/repo/apps/api/settings.yaml': configMap('API_MODE'),
  '/repo/apps/web/config/settings.yaml': configMap('WEB_MODE'),
  '/repo/apps/web/workloads/deployment.yaml': webDeployment(webKey),
});

const argo =
  'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: web, namespace: argocd }\nspec:\n  source: { repoURL: "https://github.com/example/deploy.git", path: apps/web }\n  destination: { server: "https://kubernetes.default.svc", namespace: web }\n';
const flux =
  'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: web, namespace: flux-system }\nspec:\n  interval: 10m\n  path: ./apps/web\n  prune: true\n  sourceRef: { kind: GitRepository, name: flux-system }\n';

/** A workspace of `files` to edit, and the web Deployment's dangling-config-reference findings as it stands. */
function editableWorkspace(files: Record<string, string>): { workspace: ManifestWorkspace; deploymentFile: string; rules: () => string[] } {
  const workspace = new ManifestWorkspace();
  for (const [file, text] of Object.entries(files)) workspace.update(file, text);
  const deploymentFile = '/repo/apps/web/workloads/deployment.yaml';
  const rules = (): string[] =>
    workspace
      .lint(deploymentFile, mergeSettings({}))
      .map((f) => f.rule)
      .filter((r) => r === 'dangling-config-reference');
  return { workspace, deploymentFile, rules };
}

const references = (files: Record<string, string>): string[] =>
  lintWorkspace(files)
    .filter((f) => f.rule === 'dangling-config-reference')
    .map((f) => `${f.file} ${f.range}`);

describe('deploy units from Argo CD and Flux', () => {
  it('without them, a folder is its own unit: the other app’s ConfigMap is taken and its key is missing', () => {
    assert.deepEqual(references(apps('WEB_MODE')), ['/repo/apps/web/workloads/deployment.yaml 12:84-12:92']);
  });

  it('an Argo CD Application deploys apps/web with its subfolders: the reference finds its own unit’s ConfigMap', () => {
    assert.deepEqual(references({ ...apps('WEB_MODE'), '/repo/argocd/web.yaml': argo }), []);
    // A key its own ConfigMap lacks is still missing.
    assert.deepEqual(references({ ...apps('API_MODE'), '/repo/argocd/web.yaml': argo }), ['/repo/apps/web/workloads/deployment.yaml 12:84-12:92']);
  });

  it('a Flux Kustomization (spec.path ./apps/web) does the same', () => {
    assert.deepEqual(references({ ...apps('WEB_MODE'), '/repo/clusters/prod/web.yaml': flux }), []);
  });

  it('a path that names no folder of the workspace (another repository) is ignored', () => {
    assert.deepEqual(references({ ...apps('WEB_MODE'), '/repo/argocd/web.yaml': argo.replace('path: apps/web', 'path: guestbook') }), [
      '/repo/apps/web/workloads/deployment.yaml 12:84-12:92',
    ]);
  });

  // An app of apps written as a Helm chart (argocd-example-apps' apps/ before 2025): helm is not
  // run, but a template's Application whose path is written literally still names its unit.
  const appOfApps = (path: string): Record<string, string> => ({
    '/repo/apps-chart/Chart.yaml': 'apiVersion: v2\nname: apps\nversion: 0.1.0\n',
    '/repo/apps-chart/values.yaml': 'spec:\n  source: { repoURL: "https://github.com/example/deploy.git", targetRevision: HEAD }\n',
    '/repo/apps-chart/templates/web.yaml': [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      '  name: web',
      '  namespace: argocd',
      'spec:',
      '  destination:',
      '    namespace: web',
      '    server: {{ .Values.spec.destination.server }}',
      '  project: default',
      '  source:',
      `    path: ${path}`,
      '    repoURL: {{ .Values.spec.source.repoURL }}',
      '    targetRevision: {{ .Values.spec.source.targetRevision }}',
      '',
    ].join('\n'),
  });

  it('an Application in a template of an unrendered chart deploys the literal path it names', () => {
    assert.deepEqual(references({ ...apps('WEB_MODE'), ...appOfApps('apps/web') }), []);
    assert.deepEqual(references({ ...apps('API_MODE'), ...appOfApps('apps/web') }), ['/repo/apps/web/workloads/deployment.yaml 12:84-12:92']);
  });

  it('a path a template expression builds is unknown: it names no unit (each folder is its own, as without it)', () => {
    assert.deepEqual(references({ ...apps('WEB_MODE'), ...appOfApps('apps/{{ .Values.app }}') }), ['/repo/apps/web/workloads/deployment.yaml 12:84-12:92']);
    assert.deepEqual(references({ ...apps('WEB_MODE'), ...appOfApps('{{ .path | default .name | quote }}') }), [
      '/repo/apps/web/workloads/deployment.yaml 12:84-12:92',
    ]);
  });

  it('editing the template moves the unit: every file is checked again', () => {
    const { workspace, deploymentFile, rules } = editableWorkspace({ ...apps('WEB_MODE'), ...appOfApps('apps/api') });
    assert.deepEqual(rules(), ['dangling-config-reference']);
    const template = '/repo/apps-chart/templates/web.yaml';
    assert.ok(workspace.update(template, appOfApps('apps/web')[template]!).includes(deploymentFile));
    assert.deepEqual(rules(), []);
  });

  it('units set explicitly (manifests.units) replace those Argo CD and Flux objects name', () => {
    const { workspace, deploymentFile, rules } = editableWorkspace({ ...apps('WEB_MODE'), '/repo/argocd/web.yaml': argo });
    assert.deepEqual(rules(), []);
    assert.ok(workspace.setExplicitUnits(['/repo/apps/web/workloads']).includes(deploymentFile));
    assert.deepEqual(rules(), ['dangling-config-reference'], 'apps/web/workloads alone: its ConfigMap is not in the unit');
    assert.deepEqual(workspace.setExplicitUnits(['/repo/apps/web/workloads']), [], 'unchanged: nothing to check again');
    workspace.setExplicitUnits(['/repo/apps/web']);
    assert.deepEqual(rules(), []);
  });
});
