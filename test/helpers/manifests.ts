/** Test helpers for manifest rules: lint YAML files as one workspace, compare exact ranges. */
import assert from 'node:assert/strict';
import { LineIndex, ManifestWorkspace, mergeSettings, type Finding, type PartialSettings } from '../../server/src/engine';

export interface LocatedManifestFinding {
  file: string;
  rule: string;
  /** "line:col-endLine:endCol", 1-based, end exclusive. */
  range: string;
  message: string;
  finding: Finding;
}

/** Lints every file of a workspace given as { fileName: yamlText }. */
export function lintWorkspace(files: Record<string, string>, settings: PartialSettings = {}): LocatedManifestFinding[] {
  const workspace = new ManifestWorkspace();
  for (const [name, text] of Object.entries(files)) workspace.update(name, text);
  const out: LocatedManifestFinding[] = [];
  for (const [name, text] of Object.entries(files)) {
    const index = new LineIndex(text);
    for (const finding of workspace.lint(name, mergeSettings(settings))) {
      const s = index.position(finding.start);
      const e = index.position(finding.end);
      out.push({
        file: name,
        rule: finding.rule,
        range: `${s.line + 1}:${s.character + 1}-${e.line + 1}:${e.character + 1}`,
        message: finding.message,
        finding,
      });
    }
  }
  return out;
}

/** Asserts the findings of `rule` are exactly these "file line:col-endLine:endCol" entries. */
export function expectManifestRanges(
  rule: string,
  files: Record<string, string>,
  expected: string[],
  settings: PartialSettings = {},
): LocatedManifestFinding[] {
  const found = lintWorkspace(files, settings).filter((f) => f.rule === rule);
  assert.deepEqual(
    found.map((f) => `${f.file} ${f.range}`),
    expected,
    `${rule} findings:\n${found.map((f) => `  ${f.file} ${f.range} ${f.message}`).join('\n') || '  (none)'}`,
  );
  return found;
}

/** Text after applying fix #index of a finding. */
export function applyManifestFix(text: string, finding: Finding, index = 0): string {
  const fix = finding.fixes?.[index];
  assert.ok(fix, `finding ${finding.rule} has no fix #${index}`);
  let out = text;
  for (const edit of [...fix.edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.newText + out.slice(edit.end);
  return out;
}

/** Joins lines into a YAML text (keeps tests readable). */
export const yaml = (...lines: string[]): string => lines.join('\n') + '\n';
