/** Test helpers for rules on application code: a TS/JS file of a workspace under /repo, with `workloads:`, exact ranges. */
import assert from 'node:assert/strict';
import {
  fileKind,
  LineIndex,
  lintText,
  ManifestWorkspace,
  mergeSettings,
  type Finding,
  type PartialSettings,
  type WorkloadMapping,
} from '../../server/src/engine';

export interface LocatedCodeFinding {
  rule: string;
  /** "line:col-endLine:endCol severity", 1-based, end exclusive. */
  at: string;
  finding: Finding;
}

/**
 * Lints `file` of a workspace given as { '/repo/…': text } (YAML files are its manifests, the
 * others what helpers are read from), the configuration file's folder being /repo.
 */
export function lintCodeFile(files: Record<string, string>, file: string, workloads: WorkloadMapping[], settings: PartialSettings = {}): LocatedCodeFinding[] {
  const workspace = new ManifestWorkspace();
  for (const [name, text] of Object.entries(files)) if (fileKind(name) === 'yaml') workspace.update(name, text);
  const text = files[file]!;
  const lines = new LineIndex(text);
  const findings = lintText({
    fileName: file,
    text,
    settings: mergeSettings(settings),
    workspace,
    workloads: { workloads, configDir: '/repo', codeText: (name) => files[name] },
  });
  return findings.map((finding) => {
    const s = lines.position(finding.start);
    const e = lines.position(finding.end);
    return { rule: finding.rule, at: `${s.line + 1}:${s.character + 1}-${e.line + 1}:${e.character + 1} ${finding.severity}`, finding };
  });
}

/** Asserts the findings of `rule` in `file` are exactly these "line:col-endLine:endCol severity" entries. */
export function expectCodeRanges(
  rule: string,
  files: Record<string, string>,
  file: string,
  workloads: WorkloadMapping[],
  expected: string[],
): LocatedCodeFinding[] {
  const found = lintCodeFile(files, file, workloads).filter((f) => f.rule === rule);
  assert.deepEqual(
    found.map((f) => f.at),
    expected,
    `${rule} findings:\n${found.map((f) => `  ${f.at} ${f.finding.message}`).join('\n') || '  (none)'}`,
  );
  return found;
}
