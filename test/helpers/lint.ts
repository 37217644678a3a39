/** Test helpers over the engine: lint SQL and compare findings by rule and exact 1-based range. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { before } from 'node:test';
import {
  LineIndex,
  lintSql,
  loadParser,
  mergeSettings,
  withEarlierFiles,
  type Finding,
  type PartialSettings,
  type SchemaChange,
} from '../../server/src/engine';

before(() => loadParser());

export interface Located {
  rule: string;
  /** "line:col-endLine:endCol", 1-based, end exclusive. */
  range: string;
  message: string;
  finding: Finding;
}

export function lint(sql: string, settings: PartialSettings = {}): Located[] {
  return located(sql, lintSql(sql, mergeSettings(settings)));
}

function located(sql: string, findings: Finding[]): Located[] {
  const index = new LineIndex(sql);
  return findings.map((finding) => {
    const s = index.position(finding.start);
    const e = index.position(finding.end);
    return { rule: finding.rule, range: `${s.line + 1}:${s.character + 1}-${e.line + 1}:${e.character + 1}`, message: finding.message, finding };
  });
}

/**
 * Asserts the findings of `rule` in `sql`, the last file of a migration folder whose earlier files
 * are `earlier` (in order), are exactly at these ranges once the earlier files' schema facts
 * withdrew what they answer, as `check` does.
 */
export function expectRangesAfter(rule: string, earlier: string[], sql: string, ranges: string[], settings: PartialSettings = {}): Located[] {
  const files = [...earlier, sql].map((text, i) => {
    let changes: readonly SchemaChange[] = [];
    const findings = lintSql(text, mergeSettings(settings), { onSchemaChanges: (made) => (changes = made) });
    return { file: `/app/migrations/${String(i + 1).padStart(3, '0')}_step.sql`, findings, changes };
  });
  const found = located(sql, withEarlierFiles(files).at(-1)!).filter((f) => f.rule === rule);
  assert.deepEqual(
    found.map((f) => f.range),
    ranges,
    `${rule} findings after ${earlier.length} earlier files:\n${found.map((f) => `  ${f.range} ${f.message}`).join('\n') || '  (none)'}`,
  );
  return found;
}

/** Findings of one rule only. */
export function lintRule(rule: string, sql: string, settings: PartialSettings = {}): Located[] {
  return lint(sql, settings).filter((f) => f.rule === rule);
}

/** A rule test's case as expectRanges saw it: test/trace-honest.test.ts traces the err ones. */
export interface RecordedCase {
  rule: string;
  sql: string;
  ranges: string[];
  settings: PartialSettings;
}

/** Where expectRanges appends its cases, one JSON line each, when a test asks for them (see trace-honest). */
export const RECORD_CASES_ENV = 'ROLLOUT_GUARD_RECORD_CASES';

/** Asserts the findings of `rule` are exactly at these ranges ("line:col-endLine:endCol"). */
export function expectRanges(rule: string, sql: string, ranges: string[], settings: PartialSettings = {}): Located[] {
  const recordTo = process.env[RECORD_CASES_ENV];
  if (recordTo) fs.appendFileSync(recordTo, `${JSON.stringify({ rule, sql, ranges, settings } satisfies RecordedCase)}\n`);
  const found = lintRule(rule, sql, settings);
  assert.deepEqual(
    found.map((f) => f.range),
    ranges,
    `${rule} findings:\n${found.map((f) => `  ${f.range} ${f.message}`).join('\n') || '  (none)'}`,
  );
  return found;
}

/** The text a fix produces when all its edits are applied. */
export function applyFix(sql: string, finding: Finding, index = 0): string {
  const fix = finding.fixes?.[index];
  assert.ok(fix, `finding ${finding.rule} has no fix #${index}`);
  let out = sql;
  for (const edit of [...fix.edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.newText + out.slice(edit.end);
  return out;
}
