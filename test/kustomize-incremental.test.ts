/**
 * The workspace keeps its deploy units up to date file by file: an edit renders again only the
 * kustomizations that read the changed file. Whatever the sequence of edits, every file's
 * findings equal those of a workspace built from scratch, and every file whose findings changed
 * is among the files the edit said to check again (the language server re-checks only those).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManifestWorkspace, mergeSettings } from '../server/src/engine';

const settings = mergeSettings({});

const deployment = (name: string, maxUnavailable: number, configMap: string): string =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  replicas: 2',
    `  strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: ${maxUnavailable} } }`,
    `  selector: { matchLabels: { app: ${name} } }`,
    '  template:',
    '    metadata:',
    `      labels: { app: ${name} }`,
    '    spec:',
    '      containers:',
    '        - name: app',
    `          image: example/${name}:1.0`,
    `          env: [{ name: MODE, valueFrom: { configMapKeyRef: { name: ${configMap}, key: MODE } } }]`,
    '',
  ].join('\n');

const base = (name: string): Record<string, string> => ({
  [`/r/bases/${name}/kustomization.yaml`]: `resources: [deployment.yaml]\nconfigMapGenerator:\n  - name: ${name}-config\n    literals: [MODE=fast]\n`,
  [`/r/bases/${name}/deployment.yaml`]: deployment(name, 0, `${name}-config`),
});

const overlay = (name: string, bases: string[], namespace = name): Record<string, string> => ({
  [`/r/overlays/${name}/kustomization.yaml`]: `namespace: ${namespace}\nresources:\n${bases.map((b) => `  - ../../bases/${b}`).join('\n')}\n`,
});

const initial: Record<string, string> = {
  ...base('b0'),
  ...base('b1'),
  ...overlay('o0', ['b0']),
  ...overlay('o1', ['b1']),
  ...overlay('o2', ['b0', 'b1']),
  '/r/plain/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: shop }\nspec: { selector: { app: web }, ports: [{ port: 80 }] }\n',
};

const lintAll = (workspace: ManifestWorkspace, files: Record<string, string>): Map<string, string[]> =>
  new Map(Object.keys(files).map((file) => [file, workspace.lint(file, settings).map((f) => `${f.start}-${f.end} ${f.rule} ${f.message}`)]));

function fresh(files: Record<string, string>): ManifestWorkspace {
  const workspace = new ManifestWorkspace();
  for (const [file, text] of Object.entries(files)) workspace.update(file, text);
  return workspace;
}

type Edit = [description: string, file: string, text: string | undefined];

const edits: Edit[] = [
  ['the base makes its rolling update unsafe', '/r/bases/b0/deployment.yaml', deployment('b0', 2, 'b0-config')],
  ['the base references a ConfigMap key its generator lacks', '/r/bases/b1/deployment.yaml', deployment('b1', 0, 'other-config')],
  ['a new overlay over b1', '/r/overlays/o3/kustomization.yaml', overlay('o3', ['b1'])['/r/overlays/o3/kustomization.yaml']],
  ['an overlay lists a resource not in the workspace yet', '/r/overlays/o1/kustomization.yaml', 'namespace: o1\nresources: [../../bases/b1, extra.yaml]\n'],
  ['the missing resource appears', '/r/overlays/o1/extra.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: other-config }\ndata: { MODE: slow }\n'],
  ['an overlay moves to another namespace', '/r/overlays/o2/kustomization.yaml', overlay('o2', ['b0', 'b1'], 'shop')['/r/overlays/o2/kustomization.yaml']],
  ['the base kustomization is removed: its folder is plain again', '/r/bases/b0/kustomization.yaml', undefined],
  ['it comes back', '/r/bases/b0/kustomization.yaml', base('b0')['/r/bases/b0/kustomization.yaml']],
  ['the plain Service is edited', '/r/plain/service.yaml', initial['/r/plain/service.yaml']!.replace('app: web', 'app: b0')],
  ['the base is fixed', '/r/bases/b0/deployment.yaml', deployment('b0', 0, 'b0-config')],
  [
    'a Service selects pods of a chart',
    '/r/plain/podinfo.yaml',
    'apiVersion: v1\nkind: Service\nmetadata: { name: podinfo }\nspec: { selector: { app: podinfo } }\n',
  ],
  [
    'a plain template of the chart, before its Chart.yaml',
    '/r/charts/podinfo/templates/config.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: other-config }\n',
  ],
  ['the chart appears: its pods are unknown, its template is not an object', '/r/charts/podinfo/Chart.yaml', 'apiVersion: v2\nname: podinfo\nversion: 1.0.0\n'],
  ['the chart is renamed: its pods are podinfo no more', '/r/charts/podinfo/Chart.yaml', 'apiVersion: v2\nname: web\nversion: 1.0.0\n'],
  ['a template of the chart names podinfo', '/r/charts/podinfo/templates/config.yaml', 'apiVersion: v1\nkind: Service\nmetadata: { name: podinfo }\n'],
  ['the chart goes away', '/r/charts/podinfo/Chart.yaml', undefined],
  ['a plain app reads a key of a ConfigMap name another app reuses', '/r/apps/web/deploy/deployment.yaml', deployment('web', 0, 'shared')],
  [
    'the other app’s copy, first in the workspace',
    '/r/apps/api/shared.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: shared }\ndata: { OTHER: x }\n',
  ],
  ['the app’s own copy', '/r/apps/web/shared.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: shared }\ndata: { MODE: x }\n'],
  [
    'an Argo CD Application deploys apps/web as one unit',
    '/r/argocd/web.yaml',
    'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: web }\nspec: { source: { path: apps/web } }\n',
  ],
  [
    'it deploys another folder',
    '/r/argocd/web.yaml',
    'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: web }\nspec: { source: { path: apps/api } }\n',
  ],
  ['it goes away', '/r/argocd/web.yaml', undefined],
];

describe('deploy units kept up to date file by file', () => {
  it('after each edit: findings equal a fresh workspace, and every changed file was named to check again', () => {
    const files = { ...initial };
    const workspace = fresh(files);
    let before = lintAll(workspace, files);
    for (const [description, file, text] of edits) {
      const dependents = new Set(text === undefined ? workspace.remove(file) : workspace.update(file, text));
      if (text === undefined) delete files[file];
      else files[file] = text;
      const after = lintAll(workspace, files);
      assert.deepEqual(after, lintAll(fresh(files), files), `${description}: findings differ from a fresh workspace`);
      for (const [name, findings] of after) {
        if (name === file) continue;
        if (JSON.stringify(findings) !== JSON.stringify(before.get(name) ?? []))
          assert.ok(dependents.has(name), `${description}: ${name} changed but was not named`);
      }
      before = after;
    }
  });

  it('editing a base renders again only the overlays over it', () => {
    const workspace = fresh(initial);
    lintAll(workspace, initial);
    const rootOf = (name: string) => workspace.units().renderings.find((r) => r.root.file === `/r/overlays/${name}/kustomization.yaml`)!;
    const [o0, o1, o2] = [rootOf('o0'), rootOf('o1'), rootOf('o2')];
    workspace.update('/r/bases/b0/deployment.yaml', deployment('b0', 2, 'b0-config'));
    assert.notEqual(rootOf('o0'), o0);
    assert.notEqual(rootOf('o2'), o2);
    assert.equal(rootOf('o1'), o1, 'o1 does not read b0: kept as rendered');
  });

  it('editing a base re-checks the files of the rendered objects that changed, not every file of the overlays over it', () => {
    const workspace = fresh(initial);
    lintAll(workspace, initial);
    const dependents = workspace.update('/r/bases/b0/deployment.yaml', deployment('b0', 2, 'b0-config'));
    // o2 renders b0 and b1 again; b1's Deployment comes out the same, so its file keeps its findings.
    assert.ok(dependents.includes('/r/overlays/o2/kustomization.yaml'), 'the overlay set the namespace of the changed Deployment');
    assert.ok(!dependents.includes('/r/bases/b1/deployment.yaml'), 'b1 is rendered again by o2 unchanged');
    assert.ok(!dependents.includes('/r/bases/b1/kustomization.yaml'), 'b1 is rendered again by o2 unchanged');
  });

  it('an edit in one namespace does not re-check lookups in another', () => {
    const files = {
      '/r/a/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: a }\nspec: { selector: { app: web }, ports: [{ port: 80 }] }\n',
      '/r/b/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: b }\nspec: { selector: { app: web }, ports: [{ port: 80 }] }\n',
      '/r/b/deployment.yaml': deployment('web', 0, 'web-config').replace('metadata:\n  name: web', 'metadata:\n  name: web\n  namespace: b'),
    };
    const workspace = fresh(files);
    lintAll(workspace, files);
    const dependents = workspace.update(
      '/r/a/deployment.yaml',
      deployment('web', 0, 'web-config').replace('metadata:\n  name: web', 'metadata:\n  name: web\n  namespace: a'),
    );
    assert.ok(dependents.includes('/r/a/service.yaml'), 'the Service in a selects the new pods');
    assert.ok(!dependents.includes('/r/b/service.yaml'), 'the Service in b looks only in b');
  });

  it('a patch dropped from a kustomization becomes a plain manifest: the lookups its objects answer are checked again', () => {
    // eks-workshop-v2: vpc-lattice/abtesting patched a Service without a namespace; once not a patch, it is applied wherever it is, so pss's namespace has a Service.
    const kustomization = 'namespace: checkout\nresources: [deployment.yaml]\npatches:\n  - path: service.yaml\n';
    const files: Record<string, string> = {
      '/r/abtesting/kustomization.yaml': kustomization,
      '/r/abtesting/deployment.yaml': deployment('checkout', 0, 'checkout-config'),
      '/r/abtesting/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: checkout }\nspec: { ports: [{ port: 80 }] }\n',
      '/r/pss/deployment.yaml': deployment('pss', 0, 'pss-config')
        .replace('metadata:\n  name: pss', 'metadata:\n  name: pss\n  namespace: pss')
        .replace('          env:', '          ports: [{ containerPort: 80 }]\n          env:'),
    };
    const workspace = fresh(files);
    const before = lintAll(workspace, files);
    assert.ok(
      before.get('/r/pss/deployment.yaml')!.some((f) => f.includes('missing-prestop-hook')),
      'no Service in pss: its declared port says it serves',
    );
    files['/r/abtesting/kustomization.yaml'] = kustomization.replace('patches:\n  - path: service.yaml\n', '');
    const dependents = workspace.update('/r/abtesting/kustomization.yaml', files['/r/abtesting/kustomization.yaml']);
    assert.ok(dependents.includes('/r/pss/deployment.yaml'), 'the Service now applied wherever it is answers the lookup in pss');
    assert.deepEqual(lintAll(workspace, files), lintAll(fresh(files), files));
  });
});
