import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { lintText, loadParser, mergeSettings } from './index';

describe('syntax-error', () => {
  before(() => loadParser());

  it('is an error whatever the configuration says, in every language (docs/rules/syntax-error.md)', () => {
    const settings = (dialect: 'postgres' | 'mysql') => mergeSettings({ dialect, rules: { 'syntax-error': 'off' } });
    const files: [string, string, 'postgres' | 'mysql'][] = [
      ['m/postgres.sql', 'SELEC 1;\n', 'postgres'],
      ['m/mysql.sql', 'UPDATE orders SET a = 1,;\n', 'mysql'],
      ['k8s/broken.yaml', 'kind: [\n', 'postgres'],
    ];
    for (const [fileName, text, dialect] of files) {
      const found = lintText({ fileName, text, settings: settings(dialect) }).filter((f) => f.rule === 'syntax-error');
      assert.deepEqual(
        found.map((f) => f.severity),
        ['error'],
        fileName,
      );
    }
  });
});
