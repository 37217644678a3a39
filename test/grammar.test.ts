import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

describe('directive highlighting grammar', () => {
  const contribution = manifest.contributes.grammars.find((g: { scopeName: string }) => g.scopeName === 'rollout-guard.directives.injection');
  const grammar = JSON.parse(fs.readFileSync(path.join(repoRoot, contribution.path), 'utf8'));
  const directive = new RegExp(grammar.patterns[0].match);

  it('is contributed as an injection into SQL comments', () => {
    assert.deepEqual(contribution.injectTo, ['source.sql', 'source.yaml']);
    assert.match(grammar.injectionSelector, /comment\.line\.double-dash\.sql/);
  });

  it('captures the directive and its rule ids', () => {
    const m = directive.exec('-- rollout-guard-ignore ban-drop-column, require-lock-timeout');
    assert.equal(m?.[1], 'rollout-guard-ignore');
    assert.equal(m?.[2]?.trim(), 'ban-drop-column, require-lock-timeout');
    assert.equal(directive.exec('-- rollout-guard-ignore-file prefer-robust-stmts')?.[1], 'rollout-guard-ignore-file');
    assert.equal(directive.exec('-- nothing to see'), null);
  });
});
