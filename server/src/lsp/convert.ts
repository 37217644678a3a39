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

/**
 * What a diagnostic carries for its code actions: the line for an ignore comment when it is not
 * the diagnostic's own line. Fixes stay on the server (see FixStore): large files have thousands
 * of diagnostics, and every byte of them travels on each keystroke.
 */
export interface DiagnosticData {
  ignoreLine: number;
}

export function toRange(doc: TextDocument, start: number, end: number): Range {
  return { start: doc.positionAt(start), end: doc.positionAt(Math.max(end, start)) };
}

export function toDiagnostic(doc: TextDocument, finding: Finding): Diagnostic {
  const range = toRange(doc, finding.start, finding.end);
  const ignoreLine = finding.unitStart === undefined ? range.start.line : doc.positionAt(finding.unitStart).line;
  return {
    range,
    severity: SEVERITY[finding.severity],
    code: finding.rule,
    codeDescription: { href: docsUrl(finding.rule) },
    source: 'rollout-guard',
    message: finding.message,
    ...(finding.rule === 'unused-ignore' ? { tags: [DiagnosticTag.Unnecessary] } : {}),
    ...(finding.related?.length || finding.relatedHere?.length
      ? {
          relatedInformation: [
            ...(finding.related ?? []).map((r) => ({ location: { uri: r.file, range: { start: r.start, end: r.end } }, message: r.message })),
            ...(finding.relatedHere ?? []).map((r) => ({ location: { uri: doc.uri, range: toRange(doc, r.start, r.end) }, message: r.message })),
          ],
        }
      : {}),
    ...(ignoreLine !== range.start.line ? { data: { ignoreLine } satisfies DiagnosticData } : {}),
  };
}

/** The fixes of the findings last published for a document, found again from a diagnostic. */
export class FixStore {
  private readonly byDocument = new Map<string, { version: number | undefined; findings: Finding[] }>();

  set(uri: string, version: number | undefined, findings: Finding[]): void {
    this.byDocument.set(uri, { version, findings: findings.filter((f) => f.fixes?.length) });
  }

  delete(uri: string): void {
    this.byDocument.delete(uri);
  }

  /** Fixes for a diagnostic of the current version of `doc`, as LSP edits. */
  fixesFor(doc: TextDocument, diagnostic: Diagnostic): { title: string; preferred?: boolean; edits: TextEdit[] }[] {
    const stored = this.byDocument.get(doc.uri);
    if (!stored || stored.version !== doc.version) return [];
    const start = doc.offsetAt(diagnostic.range.start);
    const end = doc.offsetAt(diagnostic.range.end);
    const finding = stored.findings.find((f) => f.rule === diagnostic.code && f.start === start && Math.max(f.end, f.start) === end);
    return (finding?.fixes ?? []).map((fix: Fix) => ({
      title: fix.title,
      preferred: fix.preferred,
      edits: fix.edits.map((e) => ({ range: toRange(doc, e.start, e.end), newText: e.newText })),
    }));
  }
}

/** Quick fixes from the diagnostics in range, then "ignore" actions for each rule. */
export function codeActions(doc: TextDocument, diagnostics: Diagnostic[], fixes: FixStore): CodeAction[] {
  const actions: CodeAction[] = [];
  const ignored = new Set<string>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== 'rollout-guard') continue;
    for (const fix of fixes.fixesFor(doc, diagnostic)) {
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
    if (diagnostic.source !== 'rollout-guard' || ['syntax-error', 'internal-error', 'unused-ignore'].includes(rule)) continue;
    const ignoreLine = (diagnostic.data as DiagnosticData | undefined)?.ignoreLine ?? diagnostic.range.start.line;
    const key = `${rule}@${ignoreLine}`;
    if (ignored.has(key)) continue;
    ignored.add(key);
    const lineText = doc.getText({ start: { line: ignoreLine, character: 0 }, end: { line: ignoreLine + 1, character: 0 } });
    const indent = /^[ \t]*(- )?/.exec(lineText)?.[0].replace('- ', '  ') ?? '';
    const comment = doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.uri) ? '#' : /^(typescript|javascript)/.test(doc.languageId) ? '//' : '--';
    const at = { line: ignoreLine, character: 0 };
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

/**
 * The JSON text of a document's diagnostics, as toDiagnostic would give it, built from text kept
 * per finding: a large file has thousands of findings and most of them only move as the user types
 * elsewhere, so only their positions are formatted again. One per open document.
 */
export class DiagnosticsJson {
  /** The part of a diagnostic after its range, by message (then rule and severity). */
  private tails = new Map<string, { rule: string; severity: Severity; text: string }[]>();

  encode(doc: TextDocument, findings: readonly Finding[]): string {
    const used = new Map<string, { rule: string; severity: Severity; text: string }[]>();
    const parts: string[] = new Array<string>(findings.length);
    for (let i = 0; i < findings.length; i++) {
      const f = findings[i]!;
      const start = doc.positionAt(f.start);
      const end = doc.positionAt(Math.max(f.end, f.start));
      const ignoreLine = f.unitStart === undefined ? start.line : doc.positionAt(f.unitStart).line;
      let text = `{"range":{"start":{"line":${start.line},"character":${start.character}},"end":{"line":${end.line},"character":${end.character}}},${this.tail(f, used)}`;
      if (f.related?.length || f.relatedHere?.length) text += `,"relatedInformation":${JSON.stringify(toDiagnostic(doc, f).relatedInformation)}`;
      if (ignoreLine !== start.line) text += `,"data":{"ignoreLine":${ignoreLine}}`;
      parts[i] = `${text}}`;
    }
    // Only what this publish used stays cached.
    this.tails = used;
    return `[${parts.join(',')}]`;
  }

  private tail(f: Finding, used: Map<string, { rule: string; severity: Severity; text: string }[]>): string {
    const matches = (t: { rule: string; severity: Severity }): boolean => t.rule === f.rule && t.severity === f.severity;
    let entry = this.tails.get(f.message)?.find(matches) ?? used.get(f.message)?.find(matches);
    if (!entry) {
      const text =
        `"severity":${SEVERITY[f.severity]},"code":${JSON.stringify(f.rule)},"codeDescription":{"href":${JSON.stringify(docsUrl(f.rule))}},` +
        `"source":"rollout-guard","message":${JSON.stringify(f.message)}${f.rule === 'unused-ignore' ? `,"tags":[${DiagnosticTag.Unnecessary}]` : ''}`;
      entry = { rule: f.rule, severity: f.severity, text };
    }
    const list = used.get(f.message);
    if (!list) used.set(f.message, [entry]);
    else if (!list.includes(entry)) list.push(entry);
    return entry.text;
  }
}
