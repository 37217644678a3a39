import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { LineIndex, lintSql, loadParser, mergeSettings } from '../server/src/engine';
import expected from './fixtures/corpus-expected-errors.json';
import { repoRoot } from '../simulators/lsp-client';

const corpus = path.resolve(repoRoot, '../shared/corpus');

function sqlFiles(folder: string): string[] {
  const dir = path.join(corpus, folder);
  assert.ok(fs.existsSync(dir), `corpus folder ${dir} is missing: the tests read ../shared/corpus beside the repository`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

describe('public corpora', () => {
  before(() => loadParser());

  for (const folder of ['pg-regress', 'pg-plpgsql'] as const) {
    it(`${folder}: every statement PostgreSQL accepts parses; no rule crashes`, () => {
      const allowed = expected[folder] as Record<string, string>;
      const unexpected: string[] = [];
      const stale: string[] = [];
      let findingCount = 0;
      for (const file of sqlFiles(folder)) {
        const text = fs.readFileSync(path.join(corpus, folder, file), 'utf8');
        const findings = lintSql(text, mergeSettings());
        findingCount += findings.length;
        const crashes = findings.filter((f) => f.rule === 'internal-error');
        assert.deepEqual(
          crashes.map((f) => f.message),
          [],
          `${file}: a rule crashed`,
        );
        const errors = findings.filter((f) => f.rule === 'syntax-error');
        if (errors.length && !allowed[file]) {
          const index = new LineIndex(text);
          unexpected.push(...errors.map((e) => `${file}:${index.position(e.start).line + 1}: ${e.message}`));
        }
        if (!errors.length && allowed[file]) stale.push(file);
      }
      assert.deepEqual(unexpected, [], 'syntax errors in statements PostgreSQL accepts');
      assert.deepEqual(stale, [], 'files listed in corpus-expected-errors.json that no longer have a syntax error: remove them from the list');
      assert.ok(findingCount > 0, 'the corpus gave no findings at all');
    });
  }
});
