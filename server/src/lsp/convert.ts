/** Engine findings ↔ LSP types: the one place offsets become line/character. */
import { type CodeAction, CodeActionKind, type Diagnostic, DiagnosticSeverity, DiagnosticTag, type Range, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { docsUrl, type Finding, type Fix, type Severity } from '../engine';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What a diagnostic carries for its code actions. */
export interface DiagnosticData {
  fixes: { title: string; preferred?: boolean; edits: TextEdit[] }[];
  /** Line where an ignore comment for this finding goes. */
  ignoreLine: number;
}

export function toRange(doc: TextDocument, start: number, end: number): Range {
  return { start: doc.positionAt(start), end: doc.positionAt(Math.max(end, start)) };
}

export function toDiagnostic(doc: TextDocument, finding: Finding): Diagnostic {
  const data: DiagnosticData = {
    fixes: (finding.fixes ?? []).map((fix: Fix) => ({
      title: fix.title,
      preferred: fix.preferred,
      edits: fix.edits.map((e) => ({ range: toRange(doc, e.start, e.end), newText: e.newText })),
    })),
    ignoreLine: doc.positionAt(finding.unitStart ?? finding.start).line,
  };
  return {
    range: toRange(doc, finding.start, finding.end),
    severity: SEVERITY[finding.severity],
    code: finding.rule,
    codeDescription: { href: docsUrl(finding.rule) },
    source: 'rollout-guard',
    message: finding.message,
    ...(finding.rule === 'unused-ignore' ? { tags: [DiagnosticTag.Unnecessary] } : {}),
    ...(finding.related?.length
      ? {
          relatedInformation: finding.related.map((r) => ({
            location: { uri: r.file, range: { start: r.start, end: r.end } },
            message: r.message,
          })),
        }
      : {}),
    data,
  };
}

/** Quick fixes from the diagnostics in range, then "ignore" actions for each rule. */
export function codeActions(doc: TextDocument, diagnostics: Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  const ignored = new Set<string>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== 'rollout-guard') continue;
    const data = diagnostic.data as DiagnosticData | undefined;
    for (const fix of data?.fixes ?? []) {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fix.preferred,
        edit: { changes: { [doc.uri]: fix.edits } },
      });
    }
  }
  for (const diagnostic of diagnostics) {
    const rule = String(diagnostic.code ?? '');
    const data = diagnostic.data as DiagnosticData | undefined;
    if (diagnostic.source !== 'rollout-guard' || !data || ['syntax-error', 'internal-error', 'unused-ignore'].includes(rule)) continue;
    const key = `${rule}@${data.ignoreLine}`;
    if (ignored.has(key)) continue;
    ignored.add(key);
    const lineText = doc.getText({ start: { line: data.ignoreLine, character: 0 }, end: { line: data.ignoreLine + 1, character: 0 } });
    const indent = /^[ \t]*(- )?/.exec(lineText)?.[0].replace('- ', '  ') ?? '';
    const comment = doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.uri) ? '#' : '--';
    const at = { line: data.ignoreLine, character: 0 };
    actions.push({
      title: `Ignore ${rule} for this statement`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [doc.uri]: [{ range: { start: at, end: at }, newText: `${indent}${comment} rollout-guard-ignore ${rule}\n` }] } },
    });
    const top = { line: 0, character: 0 };
    actions.push({
      title: `Ignore ${rule} for this file`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [doc.uri]: [{ range: { start: top, end: top }, newText: `${comment} rollout-guard-ignore-file ${rule}\n` }] } },
    });
  }
  return actions;
}
