import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parsedRangeAt, parseYamlFile, type ManifestObject, type Path } from '../server/src/engine/manifests/yaml';
import { repoRoot } from '../simulators/lsp-client';

const corpus = path.resolve(repoRoot, '../shared/corpus');

/** Every path of an object's data, keys and list indices, to some depth. */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (prefix.length > 8 || !value || typeof value !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, child] of entries) {
    const at = [...prefix, key];
    out.push(at);
    pathsOf(child, at, out);
  }
  return out;
}

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(dir, f));
}

/** For every object and path: the range read from the lines, where there is one, equals the syntax tree's. Returns how many answered. */
function compare(file: string, text: string): { answered: number; asked: number } {
  let answered = 0;
  let asked = 0;
  // Each object twice: lines first (before its tree exists), then the tree of a fresh parse.
  const quick = parseYamlFile(file, text).objects;
  const parsed = parseYamlFile(file, text).objects;
  quick.forEach((object: ManifestObject, i) => {
    for (const at of pathsOf(object.data)) {
      for (const on of ['key', 'value'] as const) {
        asked++;
        const lines = object.quickRange?.(at, on);
        if (!lines) continue;
        answered++;
        assert.deepEqual(lines, parsedRangeAt(parsed[i]!, at, on), `${file} ${object.kind}/${object.name} ${at.join('.')} (${on})`);
      }
    }
  });
  return { answered, asked };
}

describe('finding places read from the lines (quick-range)', () => {
  it("equal the syntax tree's on every path of real manifests (Istio bookinfo, Argo Rollouts examples, the test fixtures)", () => {
    const files = [
      ...yamlFiles(path.join(corpus, 'istio-bookinfo')),
      ...yamlFiles(path.join(corpus, 'argo-rollouts-examples')),
      ...yamlFiles(path.join(repoRoot, 'test/fixtures')),
    ];
    assert.ok(files.length > 50, `corpus missing: ${files.length} YAML files`);
    let answered = 0;
    let asked = 0;
    for (const file of files) {
      const result = compare(file, fs.readFileSync(file, 'utf8'));
      answered += result.answered;
      asked += result.asked;
    }
    // Most paths end in collections, lists or quoted values the lines leave to the parser; enough are read to matter.
    assert.ok(answered > 2000, `${answered} of ${asked} answered from the lines`);
  });

  it('leaves to the parser what the lines cannot tell for certain', () => {
    const cases: [string, Path][] = [
      // A quoted value going on past its line holds text that looks like a key.
      ['kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "one\n  b: two"\n  b: three\n', ['data', 'b']],
      // A key written twice: the parser keeps the last.
      ['kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  b: one\n  b: two\n', ['data', 'b']],
      // A flow mapping on the way, an anchor, a list item at the key's indentation.
      ['kind: Service\nmetadata: { name: s }\n', ['metadata', 'name']],
      ['kind: ConfigMap\nmetadata:\n  name: c\ndata: &d\n  b: one\n', ['data', 'b']],
      ['kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n  restartPolicy: Never\n', ['spec', 'restartPolicy']],
      // A value continued on the next line.
      ['kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  b: one\n    two\n', ['data', 'b']],
    ];
    for (const [text, at] of cases) {
      const [object] = parseYamlFile('/c.yaml', text).objects;
      assert.ok(object, text);
      assert.equal(object.quickRange?.(at, 'value'), undefined, text);
    }
  });

  it('answers the common shape, trailing comments and several documents included', () => {
    const text =
      '# header\n---\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkind: Deployment\nmetadata:\n  name: web # the app\nspec:\n  replicas: 3 # scaled by HPA\n';
    const objects = parseYamlFile('/d.yaml', text).objects;
    const range = objects[1]!.quickRange?.(['spec', 'replicas'], 'value');
    assert.deepEqual(range && text.slice(range.start, range.end), '3');
    const key = objects[1]!.quickRange?.(['spec', 'replicas'], 'key');
    assert.deepEqual(key && text.slice(key.start, key.end), 'replicas');
  });
});
