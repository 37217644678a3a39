import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, lintWorkspace } from '../../../../test/helpers/manifests';
import { deployment } from '../../../../test/helpers/pod-fixtures';

describe('duplicate-key', () => {
  it('ok: merge keys and the same key in different mappings', () => {
    const base = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, labels: { app: a } }\ndata:\n  x: "1"\n  <<: { y: "2" }\n';
    expectManifestRanges('duplicate-key', { 'a.yaml': base, 'b.yaml': deployment() }, []);
  });

  it('err: a key written twice is reported on the second; the other checks read the last value, and their findings sit on it', () => {
    const text = deployment({ image: 'checkout:2.0.1' }).replace('image: checkout:2.0.1', 'image: checkout:2.0.1\n          image: checkout:latest');
    const found = expectManifestRanges('duplicate-key', { 'a.yaml': text }, ['a.yaml 16:11-16:16']);
    assert.match(found[0]!.message, /`image` is already a key of this mapping: kubectl refuses the file/);
    const latest = lintWorkspace({ 'a.yaml': text }).filter((f) => f.rule === 'latest-image-tag');
    assert.deepEqual(
      latest.map((f) => f.range),
      ['16:18-16:33'],
    );
  });
});

describe('yaml-alias-limit', () => {
  it('ok: anchors and aliases used as manifests use them', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, labels: &labels { app: a }, annotations: *labels }\ndata: { x: "1" }\n';
    expectManifestRanges('yaml-alias-limit', { 'a.yaml': text }, []);
    assert.deepEqual(
      lintWorkspace({ 'a.yaml': text }).filter((f) => f.rule === 'internal-error' || f.rule === 'syntax-error'),
      [],
    );
  });

  it('err: a billion-laughs document is one finding, not an internal error, and the other documents are still checked', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: bomb }\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
    const text = `${bomb}---\n${deployment({ image: 'checkout:latest' })}`;
    const found = expectManifestRanges('yaml-alias-limit', { 'a.yaml': text }, ['a.yaml 1:1-1:2']);
    assert.match(found[0]!.message, /aliases expand to more than 1000 nodes/);
    const all = lintWorkspace({ 'a.yaml': text });
    assert.ok(!all.some((f) => f.rule === 'internal-error'));
    assert.ok(all.some((f) => f.rule === 'latest-image-tag'));
  });
});
