/**
 * The kustomize model against kustomize itself: the fixtures rendered by `kubectl kustomize` and
 * by the model give the same objects (names, namespaces, labels, selectors, images, replicas,
 * ConfigMap/Secret data and the references pods make to them). Generated names are compared
 * without their hash, which the model does not reproduce (every reference is rewritten to it).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import * as jsYaml from 'js-yaml';
import { renderKustomization } from '../server/src/engine/kustomize/render';
import { filesOf, kustomizeFixtures, readTree } from './helpers/kustomize-fixtures';

type Json = Record<string, unknown>;

function kubectlKustomize(dir: string): Json[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      assert.fail(
        'kubectl is not installed: the kustomize conformance test needs it (apt-get install kubectl, or see https://kubernetes.io/docs/tasks/tools/).',
      );
    throw error;
  }
  return jsYaml.loadAll(output) as Json[];
}

const get = (data: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), data);

/** What the comparison looks at, by object; generated names without their hash. */
function view(objects: Json[]): Record<string, unknown> {
  const generated = objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret').map((o) => String(get(o, 'metadata', 'name')));
  const unhash = (name: unknown): unknown => (typeof name === 'string' && generated.includes(name) ? name.replace(/-[a-z0-9]{10}$/, '-HASH') : name);
  const entries = objects.map((o) => {
    const pod = get(o, 'spec', 'template', 'spec') as Json | undefined;
    const containers = (get(pod, 'containers') ?? []) as Json[];
    const refs = containers.flatMap((c) =>
      ((c.env ?? []) as Json[]).map(
        (e) => `${String(e.name)}=${String(unhash(get(e, 'valueFrom', 'configMapKeyRef', 'name') ?? get(e, 'valueFrom', 'secretKeyRef', 'name') ?? e.value))}`,
      ),
    );
    return [
      `${String(o.kind)} ${String(get(o, 'metadata', 'namespace'))}/${String(unhash(get(o, 'metadata', 'name')))}`,
      {
        labels: get(o, 'metadata', 'labels'),
        selector: get(o, 'spec', 'selector'),
        templateLabels: get(o, 'spec', 'template', 'metadata', 'labels'),
        replicas: get(o, 'spec', 'replicas'),
        strategy: get(o, 'spec', 'strategy'),
        minReadySeconds: get(o, 'spec', 'minReadySeconds'),
        images: containers.map((c) => c.image),
        env: refs.sort(),
        volumes: ((get(pod, 'volumes') ?? []) as Json[]).map((v) => unhash(get(v, 'configMap', 'name') ?? get(v, 'secret', 'secretName'))),
        data: o.data,
      },
    ] as const;
  });
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

describe('kustomize model conformance with kubectl kustomize', () => {
  const files = filesOf(readTree(kustomizeFixtures));
  for (const dir of ['base', 'overlays/prod', 'overlays/staging']) {
    it(`renders test/fixtures/kustomize/${dir} as kustomize does`, () => {
      const expected = view(kubectlKustomize(`${kustomizeFixtures}/${dir}`));
      assert.ok(Object.keys(expected).length >= 3, 'kubectl rendered the fixture');
      const rendering = renderKustomization(files.kustomization(`${kustomizeFixtures}/${dir}`)!, files);
      // Through JSON: kustomize's output has no undefined fields.
      assert.deepEqual(JSON.parse(JSON.stringify(view(rendering.objects.map((o) => o.data)))), JSON.parse(JSON.stringify(expected)));
      assert.deepEqual(rendering.notes, []);
    });
  }
});
