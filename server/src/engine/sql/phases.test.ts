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

  it('invalid-switch-marker: an unreadable switch marker, one outside the switch phase, a second one; on the comment', () => {
    const findings = (fileName: string, text: string): string[] =>
      lintText({ fileName, text, settings: mergeSettings({}) })
        .filter((f) => f.rule === 'invalid-switch-marker')
        .map((f) => `${text.slice(f.start, f.end)} | ${f.severity} | ${f.message}`);
    assert.deepEqual(findings('migrations/payment/switch.sql', '-- rollout-guard: switch flag=payment-new-flow steps=10,50,100 interval=1m\n'), []);
    assert.deepEqual(findings('migrations/payment/switch.sql', '-- the switch\n-- rollout-guard: switch flag=payment-new-flow steps=10,50\n'), [
      '-- rollout-guard: switch flag=payment-new-flow steps=10,50 | error | The switch marker cannot be read: steps=10,50 must end at 100: contract waits until the flag is fully on.',
    ]);
    assert.deepEqual(findings('migrations/payment/expand.sql', `-- rollout-guard: switch flag=a\n${drop}`), [
      '-- rollout-guard: switch flag=a | error | A switch marker belongs in the switch phase (switch.sql, or after "-- rollout-guard: phase switch"), not in expand.',
    ]);
    const marked =
      '-- rollout-guard: phase expand\nSELECT 1;\n-- rollout-guard: phase switch\n-- rollout-guard: switch flag=a\n-- rollout-guard: switch flag=b\n';
    assert.deepEqual(findings('migrations/payment.sql', marked), [
      '-- rollout-guard: switch flag=b | error | The switch phase already binds flag a: one flag per switch phase.',
    ]);
    assert.deepEqual(
      lintText({
        fileName: 'migrations/payment/switch.sql',
        text: '-- rollout-guard: switch\n',
        settings: mergeSettings({ rules: { 'invalid-switch-marker': 'off' } }),
      }),
      [],
    );
  });
});
