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

  it('units set explicitly (manifests.units) replace those Argo CD and Flux objects name', () => {
    const files = { ...apps('WEB_MODE'), '/repo/argocd/web.yaml': argo };
    const workspace = new ManifestWorkspace();
    for (const [file, text] of Object.entries(files)) workspace.update(file, text);
    const deploymentFile = '/repo/apps/web/workloads/deployment.yaml';
    const rules = (): string[] =>
      workspace
        .lint(deploymentFile, mergeSettings({}))
        .map((f) => f.rule)
        .filter((r) => r === 'dangling-config-reference');
    assert.deepEqual(rules(), []);
    assert.ok(workspace.setExplicitUnits(['/repo/apps/web/workloads']).includes(deploymentFile));
    assert.deepEqual(rules(), ['dangling-config-reference'], 'apps/web/workloads alone: its ConfigMap is not in the unit');
    assert.deepEqual(workspace.setExplicitUnits(['/repo/apps/web/workloads']), [], 'unchanged: nothing to check again');
    workspace.setExplicitUnits(['/repo/apps/web']);
    assert.deepEqual(rules(), []);
  });
});
