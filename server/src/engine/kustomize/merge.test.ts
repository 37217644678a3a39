import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManifestObject } from '../manifests/yaml';
import { applyJsonPatch, pointerPath, strategicMerge } from './merge';
import { Provenance } from './provenance';

const base = { object: { file: 'base.yaml' } as ManifestObject, path: [] };
const patchAt = { object: { file: 'patch.yaml' } as ManifestObject, path: [] };

function merged(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
): { data: Record<string, unknown>; provenance: Provenance; result: string | undefined } {
  const provenance = new Provenance();
  const data = provenance.copy(target, base);
  const result = strategicMerge(data, patch, patchAt, provenance);
  return { data, provenance, result };
}

const pod = (containers: unknown[]) => ({ spec: { containers } });

describe('strategic merge patches', () => {
  it('merges containers by name, env by name, ports by containerPort, volumeMounts by mountPath; other lists are replaced', () => {
    const { data } = merged(
      pod([
        {
          name: 'a',
          image: 'a:1',
          env: [{ name: 'X', value: '1' }],
          ports: [{ containerPort: 80, name: 'http' }],
          volumeMounts: [{ name: 'v', mountPath: '/v' }],
          args: ['--a'],
        },
      ]),
      pod([
        {
          name: 'a',
          env: [{ name: 'Y', value: '2' }],
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          volumeMounts: [{ name: 'w', mountPath: '/v' }],
          args: ['--b'],
        },
        { name: 'b', image: 'b:1' },
      ]),
    );
    assert.deepEqual(
      data,
      pod([
        {
          name: 'a',
          image: 'a:1',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
          ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
          volumeMounts: [{ name: 'w', mountPath: '/v' }],
          args: ['--b'],
        },
        { name: 'b', image: 'b:1' },
      ]),
    );
  });

  it('$patch: delete removes a list item, a map, or the whole object; $patch: replace replaces', () => {
    assert.deepEqual(merged(pod([{ name: 'a' }, { name: 'b' }]), pod([{ name: 'a', $patch: 'delete' }])).data, pod([{ name: 'b' }]));
    assert.deepEqual(merged({ spec: { strategy: { type: 'Recreate' }, x: 1 } }, { spec: { strategy: { $patch: 'delete' } } }).data, { spec: { x: 1 } });
    assert.equal(merged({ kind: 'Deployment' }, { $patch: 'delete' }).result, 'delete');
    assert.deepEqual(merged({ spec: { a: { b: 1, c: 2 } } }, { spec: { a: { $patch: 'replace', d: 3 } } }).data, { spec: { a: { d: 3 } } });
    assert.deepEqual(merged(pod([{ name: 'a' }, { name: 'b' }]), pod([{ $patch: 'replace' }, { name: 'c' }])).data, pod([{ name: 'c' }]));
  });

  it('null deletes a key; $retainKeys keeps only the keys named; $deleteFromPrimitiveList removes values; $setElementOrder is ignored', () => {
    assert.deepEqual(merged({ a: 1, b: 2 }, { a: null }).data, { b: 2 });
    assert.deepEqual(merged({ s: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }, { s: { type: 'Recreate', $retainKeys: ['type'] } }).data, {
      s: { type: 'Recreate' },
    });
    assert.deepEqual(merged({ finalizers: ['a', 'b'] }, { '$deleteFromPrimitiveList/finalizers': ['a'] }).data, { finalizers: ['b'] });
    assert.deepEqual(merged(pod([{ name: 'a' }]), { spec: { '$setElementOrder/containers': [{ name: 'a' }] } }).data, pod([{ name: 'a' }]));
  });

  it('a value the patch sets comes from the patch; values it leaves come from the base', () => {
    const { data, provenance } = merged(
      { spec: { replicas: 3, strategy: { rollingUpdate: { maxSurge: 1 } } } },
      { spec: { strategy: { rollingUpdate: { maxUnavailable: 2 } }, template: { x: 1 } } },
    );
    const where = (path: string[]) => {
      const r = provenance.sourceOf(data, path)!;
      return `${r.object.file} ${r.path.join('.')}`;
    };
    assert.equal(where(['spec', 'replicas']), 'base.yaml spec.replicas');
    assert.equal(where(['spec', 'strategy', 'rollingUpdate', 'maxSurge']), 'base.yaml spec.strategy.rollingUpdate.maxSurge');
    assert.equal(where(['spec', 'strategy', 'rollingUpdate', 'maxUnavailable']), 'patch.yaml spec.strategy.rollingUpdate.maxUnavailable');
    assert.equal(where(['spec', 'template', 'x']), 'patch.yaml spec.template.x');
  });
});

describe('JSON 6902 patches', () => {
  const apply = (target: Record<string, unknown>, op: Parameters<typeof applyJsonPatch>[1]) => {
    const provenance = new Provenance();
    const data = provenance.copy(target, base);
    return { problem: applyJsonPatch(data, op, patchAt, provenance), data };
  };

  it('add, replace, remove, move, copy on JSON pointers (~1 is /)', () => {
    assert.deepEqual(apply({ a: [1, 3] }, { op: 'add', path: '/a/1', value: 2 }).data, { a: [1, 2, 3] });
    assert.deepEqual(apply({ a: [1] }, { op: 'add', path: '/a/-', value: 2 }).data, { a: [1, 2] });
    assert.deepEqual(apply({ m: { 'x/y': 1 } }, { op: 'replace', path: '/m/x~1y', value: 2 }).data, { m: { 'x/y': 2 } });
    assert.deepEqual(apply({ a: 1, b: 2 }, { op: 'remove', path: '/a' }).data, { b: 2 });
    assert.deepEqual(apply({ a: 1 }, { op: 'move', from: '/a', path: '/b' }).data, { b: 1 });
    assert.deepEqual(apply({ a: { x: 1 } }, { op: 'copy', from: '/a', path: '/b' }).data, { a: { x: 1 }, b: { x: 1 } });
    assert.deepEqual(pointerPath('/a/0/b~0c'), ['a', '0', 'b~c']);
  });

  it('an operation that does not apply says why and changes nothing', () => {
    assert.deepEqual(apply({ a: 1 }, { op: 'replace', path: '/b', value: 2 }), { problem: 'path b does not exist', data: { a: 1 } });
    assert.deepEqual(apply({ a: [] }, { op: 'remove', path: '/a/3' }), { problem: 'index 3 is out of range', data: { a: [] } });
    assert.equal(apply({}, { op: 'frobnicate', path: '/a' }).problem, 'unknown operation frobnicate');
    // Written YAML while it is typed (bank-of-anthos, a patch's path line deleted): no path, or a from that is not a string.
    assert.deepEqual(apply({ a: 1 }, { op: 'remove' } as unknown as Parameters<typeof applyJsonPatch>[1]), {
      problem: 'the operation has no path',
      data: { a: 1 },
    });
    assert.deepEqual(apply({ a: 1 }, { op: 'move', path: '/b', from: 3 } as unknown as Parameters<typeof applyJsonPatch>[1]), {
      problem: 'from 3 does not exist',
      data: { a: 1 },
    });
  });
});
