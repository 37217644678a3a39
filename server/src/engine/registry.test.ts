import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ruleRegistry } from './registry';

const destructive = (): string[] => [...ruleRegistry.values()].filter((r) => r.destructive).map((r) => r.id);

describe('destructive rules', () => {
  it('are the drops, renames and type changes (the registry refuses a rule destructive in one dialect only)', () => {
    assert.deepEqual(destructive().sort(), [
      'ban-drop-column',
      'ban-drop-table',
      'ban-truncate-cascade',
      'changing-column-type',
      'renaming-column',
      'renaming-enum-value',
      'renaming-schema',
      'renaming-table',
      'set-schema',
    ]);
  });
});

describe('once-per-file rules', () => {
  it('are the ones one statement at the top fixes for the whole file', () => {
    assert.deepEqual(
      [...ruleRegistry.values()].filter((r) => r.oncePerFile).map((r) => r.id),
      ['require-lock-timeout', 'require-statement-timeout'],
    );
  });
});
