import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ruleRegistry } from '../server/src/engine';
import { repoRoot } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';

const docsScript = path.join(repoRoot, 'scripts/docs.mjs');
const runDocs = (...args: string[]) => spawnSync(process.execPath, [docsScript, ...args], { cwd: repoRoot, encoding: 'utf8' });

/** What the generator reads and writes, in a temporary directory: the engine, the docs and the prettier settings. */
function copyOfDocsAndEngine(): string {
  const dir = temporaryDirectory('rollout-guard-docs-test-');
  for (const part of ['server/src/engine', 'docs/rules', 'README.md', 'CHANGELOG.md', '.prettierrc.json']) {
    fs.cpSync(path.join(repoRoot, part), path.join(dir, part), { recursive: true });
  }
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

describe('generated docs', () => {
  it('the rule tables, the CHANGELOG count and each page’s default severity match the rule registry', () => {
    const check = runDocs('--check');
    assert.equal(check.status, 0, check.stderr);
  });

  it('every rule has a docs page, and every page is a rule’s', () => {
    const pages = fs
      .readdirSync(path.join(repoRoot, 'docs/rules'))
      .filter((name) => name.endsWith('.md') && name !== 'README.md')
      .map((name) => name.replace(/\.md$/, ''));
    assert.deepEqual(pages.sort(), [...ruleRegistry.keys()].sort());
  });

  it('a summary or severity written by hand is found, and npm run docs writes the registry’s back', () => {
    const copy = copyOfDocsAndEngine();
    const index = path.join(copy, 'docs/rules/README.md');
    const page = path.join(copy, 'docs/rules/prefer-jsonb.md');
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace('Identifiers longer than 63 bytes', 'Long identifiers'));
    fs.writeFileSync(page, fs.readFileSync(page, 'utf8').replace('Default severity: **info**', 'Default severity: **error**'));

    const check = runDocs('--check', '--root', copy);
    assert.equal(check.status, 1);
    assert.equal(
      check.stderr,
      [
        'docs/rules/README.md differs from the rule registry: run `npm run docs`.',
        'docs/rules/prefer-jsonb.md differs from the rule registry: run `npm run docs`.',
        '',
      ].join('\n'),
    );

    const write = runDocs('--root', copy);
    assert.equal(write.status, 0, write.stderr);
    assert.equal(write.stdout, 'updated docs/rules/README.md\nupdated docs/rules/prefer-jsonb.md\n');
    assert.equal(fs.readFileSync(index, 'utf8'), fs.readFileSync(path.join(repoRoot, 'docs/rules/README.md'), 'utf8'));
    assert.equal(fs.readFileSync(page, 'utf8'), fs.readFileSync(path.join(repoRoot, 'docs/rules/prefer-jsonb.md'), 'utf8'));
  });

  it('the destructive rules named in the rules index are the registry’s (a name left out is found)', () => {
    const copy = copyOfDocsAndEngine();
    const index = path.join(copy, 'docs/rules/README.md');
    const text = fs.readFileSync(index, 'utf8');
    assert.match(text, /destructive statements \(<!-- rules:destructive:start -->`ban-drop-column`, .*`changing-column-type`<!-- rules:destructive:end -->\)/);
    fs.writeFileSync(index, text.replace('`renaming-table`, ', ''));
    const check = runDocs('--check', '--root', copy);
    assert.equal(check.status, 1);
    assert.equal(check.stderr, 'docs/rules/README.md differs from the rule registry: run `npm run docs`.\n');
  });

  it('a rule without a page, or a page without a rule, is refused with the file named', () => {
    const copy = copyOfDocsAndEngine();
    fs.renameSync(path.join(copy, 'docs/rules/prefer-jsonb.md'), path.join(copy, 'docs/rules/prefer-json.md'));
    const write = runDocs('--root', copy);
    assert.equal(write.status, 1);
    assert.equal(
      write.stderr,
      'docs/rules/prefer-jsonb.md is missing: every rule has a docs page (npm run new-rule writes one).\ndocs/rules/prefer-json.md documents no registered rule.\n',
    );
  });
});
