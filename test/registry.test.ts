import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ruleRegistry } from '../server/src/engine';
import { repoRoot } from '../simulators/lsp-client';

const ruleFolders = [
  path.join(repoRoot, 'server/src/engine/sql/rules'),
  path.join(repoRoot, 'server/src/engine/manifests/rules'),
  path.join(repoRoot, 'server/src/engine/mysql/rules'),
  path.join(repoRoot, 'server/src/engine/code/rules'),
  path.join(repoRoot, 'server/src/engine/flags/rules'),
];
const mysqlRuleFolder = path.join(repoRoot, 'server/src/engine/mysql/rules');
const ENGINE_RULES = new Set([
  'syntax-error',
  'internal-error',
  'unused-ignore',
  'invalid-switch-marker',
  'unreadable-file',
  'server-dry-run',
  'template-skipped',
  'kustomize-skipped',
  'helm-chart-not-rendered',
  'invalid-config',
  'too-many-findings',
  'duplicate-key',
  'yaml-alias-limit',
  'unknown-workload',
]);

describe('rule registry', () => {
  it('every rule has a docs page listed in the rules index', () => {
    const index = fs.readFileSync(path.join(repoRoot, 'docs/rules/README.md'), 'utf8');
    for (const id of ruleRegistry.keys()) {
      assert.ok(fs.existsSync(path.join(repoRoot, 'docs/rules', `${id}.md`)), `docs/rules/${id}.md is missing`);
      assert.ok(index.includes(`(${id}.md)`), `docs/rules/README.md does not list ${id}`);
    }
  });

  it('every rule has its own file with a test beside it holding an ok and an err case', () => {
    for (const id of ruleRegistry.keys()) {
      if (ENGINE_RULES.has(id)) continue;
      const folder = ruleFolders.find((f) => fs.existsSync(path.join(f, `${id}.ts`)));
      assert.ok(folder, `no rule file ${id}.ts`);
      const testFile = path.join(folder, `${id}.test.ts`);
      assert.ok(fs.existsSync(testFile), `${id} has no test file`);
      const test = fs.readFileSync(testFile, 'utf8');
      assert.match(test, /it\(['"`]ok[:\s]/, `${id}.test.ts has no ok case`);
      assert.match(test, /it\(['"`]err[:\s]/, `${id}.test.ts has no err case`);
    }
  });

  it('every MySQL implementation has its own file with a test beside it, and a MySQL section on the docs page', () => {
    const mysqlIds = [...ruleRegistry.values()].filter((r) => r.dialects?.includes('mysql')).map((r) => r.id);
    assert.ok(mysqlIds.length >= 8, `only ${mysqlIds.length} MySQL rules registered`);
    for (const id of mysqlIds) {
      assert.ok(fs.existsSync(path.join(mysqlRuleFolder, `${id}.ts`)), `no MySQL rule file ${id}.ts`);
      const test = fs.readFileSync(path.join(mysqlRuleFolder, `${id}.test.ts`), 'utf8');
      assert.match(test, /it\(['"`]ok[:\s]/, `mysql/rules/${id}.test.ts has no ok case`);
      assert.match(test, /it\(['"`]err[:\s]/, `mysql/rules/${id}.test.ts has no err case`);
      const page = fs.readFileSync(path.join(repoRoot, 'docs/rules', `${id}.md`), 'utf8');
      // A page shared with PostgreSQL has a MySQL section; a MySQL-only page is about MySQL throughout.
      if (ruleRegistry.get(id)!.dialects!.includes('postgres')) assert.match(page, /^## MySQL/m, `docs/rules/${id}.md has no MySQL section`);
      else assert.match(page, /MySQL/, `docs/rules/${id}.md does not mention MySQL`);
    }
  });

  it('ids are unique kebab-case', () => {
    const ids = [...ruleRegistry.keys()];
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
