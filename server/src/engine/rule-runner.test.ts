import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RuleIndex, ruleSeverity, runRules, type RuleRun } from './rule-runner';
import { defaultSettings, type EngineSettings, type Finding, type RuleMeta, type StatementReport } from './types';

interface FakeRule extends RuleMeta {
  reports: StatementReport[] | Error;
}

const rule = (id: string, extra: Partial<FakeRule> = {}): FakeRule => ({
  id,
  severity: 'warning',
  summary: id,
  kinds: ['stmt'],
  reports: [{ start: 10, end: 14, message: `${id} found` }],
  ...extra,
});

function run(
  rules: FakeRule[],
  options: Partial<RuleRun<FakeRule, StatementReport>> & { settings?: EngineSettings } = {},
): { findings: Finding[]; reported: string[] } {
  const findings: Finding[] = [];
  const reported = runRules(
    rules,
    {
      settings: defaultSettings,
      check: (r, report) => {
        if (r.reports instanceof Error) throw r.reports;
        r.reports.forEach(report);
      },
      place: (r) => ({ ...r, unitStart: 10 }),
      failure: () => ({ start: 10, end: 16, unitStart: 10, subject: 'this statement' }),
      ...options,
    },
    findings,
  );
  return { findings, reported };
}

const summary = (findings: Finding[]): string[] => findings.map((f) => `${f.rule}:${f.severity}:${f.start}-${f.end}`);

describe('rule runner', () => {
  it('reports at the rule severity, the configured one, or not at all when off', () => {
    const rules = [rule('a'), rule('b'), rule('c')];
    const settings = { ...defaultSettings, rules: { b: 'error' as const, c: 'off' as const } };
    assert.deepEqual(summary(run(rules, { settings }).findings), ['a:warning:10-14', 'b:error:10-14']);
  });

  it('a finding can be milder than its rule, unless the configuration sets the rule severity', () => {
    const mixed = rule('mixed', { severity: 'error' });
    const place = (r: StatementReport): { start: number; end: number; message: string; severity?: 'hint' } => ({
      ...r,
      ...(r.message.includes('numeric') ? { severity: 'hint' as const } : {}),
    });
    mixed.reports = [
      { start: 1, end: 2, message: 'named port' },
      { start: 3, end: 4, message: 'numeric port' },
    ];
    assert.deepEqual(summary(run([mixed], { place }).findings), ['mixed:error:1-2', 'mixed:hint:3-4']);
    const settings = { ...defaultSettings, rules: { mixed: 'warning' as const } };
    assert.deepEqual(summary(run([mixed], { place, settings }).findings), ['mixed:warning:1-2', 'mixed:warning:3-4']);
  });

  it('a destructive rule is an error in every phase before contract, even when configured lower; never when off', () => {
    const drop = rule('drop', { destructive: true });
    const settings = { ...defaultSettings, rules: { drop: 'info' as const } };
    assert.equal(ruleSeverity(drop, settings, 'expand'), 'error');
    assert.equal(ruleSeverity(drop, settings, 'backfill'), 'error');
    assert.equal(ruleSeverity(drop, settings, 'switch'), 'error');
    assert.equal(ruleSeverity(drop, settings, 'contract'), 'info');
    assert.equal(ruleSeverity(drop, settings, ''), 'info');
    assert.equal(ruleSeverity(drop, { ...defaultSettings, rules: { drop: 'off' } }, 'expand'), undefined);
    // The property decides, not the id: a rule that is not destructive keeps its severity.
    assert.equal(ruleSeverity(rule('rename'), settings, 'expand'), 'warning');
  });

  it('a once-per-file rule is skipped once it reported, and says when it did', () => {
    const once = rule('once', {
      oncePerFile: true,
      reports: [
        { start: 1, end: 2, message: 'x' },
        { start: 3, end: 4, message: 'y' },
      ],
    });
    const first = run([once, rule('other')]);
    assert.deepEqual(first.reported, ['once']);
    assert.equal(first.findings.length, 3);
    const later = run([once, rule('other')], { reportedOnce: ['once'] });
    assert.deepEqual(later.reported, []);
    assert.deepEqual(summary(later.findings), ['other:warning:10-14']);
    assert.deepEqual(run([rule('other')]).reported, [], 'other rules are not remembered');
  });

  it('a rule that throws becomes one internal-error finding and the other rules still run', () => {
    const { findings } = run([rule('broken', { reports: new Error('boom') }), rule('fine')]);
    assert.deepEqual(summary(findings), ['internal-error:error:10-16', 'fine:warning:10-14']);
    assert.equal(findings[0]!.message, 'Rule broken failed on this statement: boom. Please report it; the other rules still ran.');
    assert.equal(findings[0]!.unitStart, 10);
  });

  it('widens an empty range to one character', () => {
    assert.deepEqual(summary(run([rule('empty', { reports: [{ start: 5, end: 5, message: 'here' }] })]).findings), ['empty:warning:5-6']);
  });

  it('indexes rules by kind, with rules for every kind (*) after the others', () => {
    const index = new RuleIndex([rule('any', { kinds: ['*'] }), rule('svc', { kinds: ['Service'] }), rule('both', { kinds: ['Service', 'Pod'] })]);
    assert.deepEqual(
      index.rulesFor('Service').map((r) => r.id),
      ['svc', 'both', 'any'],
    );
    assert.deepEqual(
      index.rulesFor('Pod').map((r) => r.id),
      ['both', 'any'],
    );
    assert.deepEqual(
      index.rulesFor('ConfigMap').map((r) => r.id),
      ['any'],
    );
  });
});
