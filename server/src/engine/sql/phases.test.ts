import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { lintText, loadParser, mergeSettings } from '../index';

const lint = (fileName: string, text: string, rules: Record<string, 'warning'> = {}): string[] =>
  lintText({ fileName, text, settings: mergeSettings({ rules }) })
    .filter((f) => f.rule !== 'require-lock-timeout' && f.rule !== 'prefer-robust-stmts')
    .map((f) => `${f.rule}:${f.severity}`);

describe('migration phases', () => {
  before(() => loadParser());
  const drop = "SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN old_payment_status;\n";

  it('contract.sql: dropping the replaced column is expected', () => {
    assert.deepEqual(lint('migrations/payment/contract.sql', drop), []);
  });

  it('expand.sql: a drop is an error even when configured lower', () => {
    assert.deepEqual(lint('migrations/payment/expand.sql', drop, { 'ban-drop-column': 'warning' }), ['ban-drop-column:error']);
    assert.deepEqual(lint('migrations/0042_payment.sql', drop, { 'ban-drop-column': 'warning' }), ['ban-drop-column:warning']);
  });

  it('phase markers in one file', () => {
    const text = `-- rollout-guard: phase expand\nALTER TABLE orders ADD COLUMN new_payment_status text;\n-- rollout-guard: phase contract\n${drop}`;
    assert.deepEqual(lint('migrations/payment.sql', text), []);
    assert.deepEqual(lint('migrations/payment.sql', text.replace('phase contract', 'phase switch')), ['ban-drop-column:error']);
  });
});
