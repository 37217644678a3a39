import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalRuleId, RULE_ALIASES, ruleRegistry } from './registry';

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
      'renaming-type',
      'set-schema',
    ]);
  });
});

describe("Squawk's ids for our rules", () => {
  it('name existing rules and are no rule id themselves (docs/peers.md lists them)', () => {
    assert.deepEqual(Object.fromEntries(RULE_ALIASES), {
      'adding-serial-primary-key-field': 'adding-primary-key-constraint',
      'prefer-timestamp-tz': 'prefer-timestamptz',
    });
    assert.equal(canonicalRuleId('prefer-timestamp-tz'), 'prefer-timestamptz');
    assert.equal(canonicalRuleId('ban-drop-column'), 'ban-drop-column');
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
