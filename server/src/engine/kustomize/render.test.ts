import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filesOf, kustomizeFixtures, readTree } from '../../../../test/helpers/kustomize-fixtures';
import { get } from '../manifests/model';
import type { ManifestObject } from '../manifests/yaml';
import { parseKustomization } from './kustomization';
import { generatedInfo, renderedSource, renderKustomization, splitImage } from './render';

const texts = readTree(kustomizeFixtures);
const files = filesOf(texts);
const render = (overlay: string) => renderKustomization(files.kustomization(`${kustomizeFixtures}/${overlay}`)!, files);
const byKind = (objects: ManifestObject[], kind: string): ManifestObject => objects.find((o) => o.kind === kind)!;
const relative = (file: string): string => file.slice(kustomizeFixtures.length + 1);

describe('kustomize rendering: the prod overlay (prefix, suffix, namespace, labels, images, replicas, patch, generator merge)', () => {
  const prod = render('overlays/prod');
  const deployment = byKind(prod.objects, 'Deployment');
  const configMap = byKind(prod.objects, 'ConfigMap');

  it('renames with prefix and suffix, generated names end with a hash, and references follow', () => {
    assert.deepEqual(
      prod.objects.map((o) => `${o.kind} ${o.namespace}/${o.name.replace(/-[a-z0-9]{10}$/, '-HASH')}`),
      ['Deployment prod/prod-web-v1', 'Service prod/prod-web-v1', 'ConfigMap prod/prod-web-config-v1-HASH'],
    );
    assert.match(configMap.name, /^prod-web-config-v1-[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    const refs = [
      get(deployment.data, ['spec', 'template', 'spec', 'containers', 0, 'env', 1, 'valueFrom', 'configMapKeyRef', 'name']),
      get(deployment.data, ['spec', 'template', 'spec', 'volumes', 0, 'configMap', 'name']),
    ];
    assert.deepEqual(refs, [configMap.name, configMap.name]);
  });

  it('labels change selectors and templates; images, replicas and the patch apply', () => {
    assert.deepEqual(get(deployment.data, ['spec', 'selector', 'matchLabels']), { component: 'web', app: 'web', env: 'prod' });
    assert.deepEqual(get(deployment.data, ['spec', 'template', 'metadata', 'labels']), { component: 'web', app: 'web', env: 'prod' });
    assert.deepEqual(get(byKind(prod.objects, 'Service').data, ['spec', 'selector']), { component: 'web', app: 'web', env: 'prod' });
    assert.equal(get(deployment.data, ['spec', 'template', 'spec', 'containers', 0, 'image']), 'nginx:1.26');
    assert.equal(get(deployment.data, ['spec', 'replicas']), 2);
    assert.deepEqual(get(deployment.data, ['spec', 'strategy', 'rollingUpdate']), { maxUnavailable: 2, maxSurg: 1 });
    assert.deepEqual(configMap.data.data, { LOG_LEVEL: 'info', EXTRA: '1' });
    // Messages name it without the hash: the hash is Rollout Guard's own, not kustomize's.
    assert.deepEqual(generatedInfo(configMap), { keysUnknown: false, name: 'prod-web-config-v1' });
    assert.equal(generatedInfo(deployment), undefined);
  });

  it('knows which source line set each value', () => {
    const source = (object: ManifestObject, path: (string | number)[]) => {
      const ref = renderedSource(object, path)!;
      return `${relative(ref.object.file)} ${ref.path.join('.')}`;
    };
    assert.equal(
      source(deployment, ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable']),
      'overlays/prod/rollout-patch.yaml spec.strategy.rollingUpdate.maxUnavailable',
    );
    assert.equal(
      source(deployment, ['spec', 'template', 'spec', 'containers', 0, 'env', 1, 'valueFrom', 'configMapKeyRef', 'key']),
      'base/deployment.yaml spec.template.spec.containers.0.env.1.valueFrom.configMapKeyRef.key',
    );
    assert.equal(source(deployment, ['spec', 'replicas']), 'overlays/prod/kustomization.yaml replicas.0.count');
    assert.equal(source(deployment, ['metadata', 'namespace']), 'overlays/prod/kustomization.yaml namespace');
    assert.equal(source(deployment, ['spec', 'template', 'spec', 'containers', 0, 'image']), 'overlays/prod/kustomization.yaml images.0.newTag');
    assert.equal(source(configMap, ['data', 'LOG_LEVEL']), 'base/kustomization.yaml configMapGenerator.0.literals.0');
    assert.equal(source(configMap, ['data', 'EXTRA']), 'overlays/prod/kustomization.yaml configMapGenerator.0.literals.0');
    assert.equal(
      source(deployment, ['spec', 'template', 'spec', 'containers', 0, 'readinessProbe', 'missing']),
      'base/deployment.yaml spec.template.spec.containers.0.readinessProbe.missing',
    );
  });

  it('says which files it read, which are patches, which kustomizations it includes; nothing skipped', () => {
    assert.deepEqual([...prod.patchFiles].map(relative), ['overlays/prod/rollout-patch.yaml']);
    assert.deepEqual([...prod.included].map(relative), ['base/kustomization.yaml']);
    assert.deepEqual([...prod.files].map(relative).sort(), [
      'base/deployment.yaml',
      'base/kustomization.yaml',
      'base/service.yaml',
      'overlays/prod/kustomization.yaml',
      'overlays/prod/rollout-patch.yaml',
    ]);
    assert.deepEqual(prod.notes, []);
    assert.equal(prod.incomplete, false);
  });
});

describe('kustomize rendering: the staging overlay ($patch: delete, JSON 6902, secretGenerator, labels without selectors)', () => {
  const staging = render('overlays/staging');
  const deployment = byKind(staging.objects, 'Deployment');

  it('applies the directives and operations', () => {
    const env = get(deployment.data, ['spec', 'template', 'spec', 'containers', 0, 'env']) as { name: string }[];
    assert.deepEqual(env.map((e) => e.name).sort(), ['DB_PASSWORD', 'FEATURE_FLAGS']);
    assert.equal(get(deployment.data, ['spec', 'template', 'spec', 'containers', 0, 'image']), 'nginx:1.27');
    assert.equal(get(deployment.data, ['spec', 'minReadySeconds']), 5);
    assert.equal(relative(renderedSource(deployment, ['spec', 'minReadySeconds'])!.object.file), 'overlays/staging/image-patch.yaml');
    assert.deepEqual(renderedSource(deployment, ['spec', 'minReadySeconds'])!.path, [1, 'value']);
  });

  it('generates the Secret (base64 data) and points the reference at its hashed name', () => {
    const secret = byKind(staging.objects, 'Secret');
    assert.deepEqual(secret.data.data, { PASSWORD: 'c2VjcmV0' });
    const ref = env(deployment).find((e) => e.name === 'DB_PASSWORD');
    assert.equal(get(ref, ['valueFrom', 'secretKeyRef', 'name']), secret.name);
    assert.match(secret.name, /^db-[a-z0-9]{10}$/);
  });

  it('`labels` without includeSelectors labels objects and templates, not selectors', () => {
    assert.equal(get(deployment.data, ['metadata', 'labels', 'tier']), 'frontend');
    assert.equal(get(deployment.data, ['spec', 'template', 'metadata', 'labels', 'tier']), 'frontend');
    assert.equal(get(deployment.data, ['spec', 'selector', 'matchLabels', 'tier']), undefined);
    assert.equal(get(byKind(staging.objects, 'Service').data, ['spec', 'selector', 'tier']), undefined);
  });
});

const env = (object: ManifestObject) => get(object.data, ['spec', 'template', 'spec', 'containers', 0, 'env']) as Record<string, unknown>[];

describe('kustomize rendering: what it skips', () => {
  const overlay = (text: string, more: Record<string, string> = {}) => {
    const all = new Map(texts);
    all.set('/x/app/kustomization.yaml', text);
    for (const [file, content] of Object.entries(more)) all.set(`/x/app/${file}`, content);
    const filesHere = filesOf(all);
    return renderKustomization(parseKustomization('/x/app/kustomization.yaml', text)!, filesHere);
  };

  it('a remote resource, an unsupported field, a file not in the workspace: one note each, and incomplete', () => {
    const r = overlay(['resources:', '  - https://github.com/org/repo//deploy?ref=v1', '  - missing.yaml', 'replacements:', '  - path: r.yaml', ''].join('\n'));
    assert.deepEqual(
      r.notes.map((n) => `${n.path.join('.')}: ${n.message.split(':')[0]}`),
      [
        'replacements: `replacements` is not modelled by Rollout Guard',
        'resources.0: `https',
        'resources.1: `missing.yaml` is not among the checked files (or has no kustomization)',
      ],
    );
    assert.equal(r.incomplete, true);
  });

  it('an env file the workspace does not hold: the generated ConfigMap exists, its keys are unknown', () => {
    const r = overlay(
      [
        'configMapGenerator:',
        '  - name: settings',
        '    envs: [settings.env]',
        '    files: [nginx.conf, extra=other.txt]',
        'generatorOptions:',
        '  disableNameSuffixHash: true',
        '',
      ].join('\n'),
    );
    const configMap = byKind(r.objects, 'ConfigMap');
    assert.equal(configMap.name, 'settings');
    assert.deepEqual(Object.keys(configMap.data.data as object), ['nginx.conf', 'extra']);
    assert.deepEqual(generatedInfo(configMap), { keysUnknown: true, name: 'settings' });
  });

  it('an env file it holds gives its keys', () => {
    const r = overlay(['configMapGenerator:', '  - name: settings', '    envs: [settings.env]', ''].join('\n'), {
      'settings.env': '# comment\nA=1\nB="two"\n',
    });
    assert.deepEqual(byKind(r.objects, 'ConfigMap').data.data, { A: '1', B: 'two' });
    assert.deepEqual(generatedInfo(byKind(r.objects, 'ConfigMap')), { keysUnknown: false, name: 'settings' });
  });

  it('a patch with a target keeps the kind and name of what it patches, and adds its labels', () => {
    // One patch file, written as a Deployment, applied to every Deployment and every Job (as kustomize does).
    const patch = [
      'kind: Deployment',
      'metadata:',
      '  name: ignored-by-kustomize',
      '  labels: { identity: fwi }',
      'spec:',
      '  template:',
      '    spec:',
      '      volumes: [{ name: ca, configMap: { name: adc } }]',
      '',
    ].join('\n');
    const job = [
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata: { name: init-db }',
      'spec:',
      '  template:',
      '    spec: { containers: [{ name: init, image: init:1 }] }',
      '',
    ];
    const r = overlay(['resources: [job.yaml]', 'patches:', '  - path: add-fwi.yaml', '    target: { kind: Job }', ''].join('\n'), {
      'job.yaml': job.join('\n'),
      'add-fwi.yaml': patch,
    });
    const [rendered] = r.objects;
    assert.deepEqual([rendered!.apiVersion, rendered!.kind, rendered!.name], ['batch/v1', 'Job', 'init-db']);
    assert.deepEqual(get(rendered!.data, ['metadata', 'labels']), { identity: 'fwi' });
    assert.deepEqual(get(rendered!.data, ['spec', 'template', 'spec', 'volumes', 0, 'configMap']), { name: 'adc' });
  });

  it('a kustomization that includes itself is rendered once, with a note', () => {
    const r = overlay(['resources:', '  - .', ''].join('\n'));
    assert.equal(r.objects.length, 0);
    assert.match(r.notes[0]!.message, /includes itself/);
  });
});

describe('image references', () => {
  it('split name, tag and digest; a registry port is not a tag', () => {
    assert.deepEqual(splitImage('nginx'), { name: 'nginx' });
    assert.deepEqual(splitImage('registry:5000/team/app:1.2'), { name: 'registry:5000/team/app', tag: '1.2' });
    assert.deepEqual(splitImage('registry:5000/app@sha256:abc'), { name: 'registry:5000/app', digest: 'sha256:abc' });
  });
});
