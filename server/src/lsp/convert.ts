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

/**
 * VS Code shows at most 1,000 diagnostics per file (errors first, then warnings, information,
 * hints, each in file order) and drops the rest after converting them all; a larger file's
 * findings beyond that would cost every keystroke and show nothing.
 */
export const EDITOR_DIAGNOSTICS_LIMIT = 1000;

const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

/**
 * The findings to publish for at most `limit` diagnostics: all of them when they fit; otherwise
 * the ones the editor would keep, one fewer, in file order, after a too-many-findings notice at
 * the top of the file that says how many are not shown.
 */
export function findingsToPublish(findings: readonly Finding[], limit: number): readonly Finding[] {
  if (findings.length <= limit) return findings;
  const keep = new Set<Finding>();
  for (const severity of SEVERITY_ORDER) {
    for (const f of findings) {
      if (keep.size === limit - 1) break;
      if (f.severity === severity) keep.add(f);
    }
  }
  const count = (n: number): string => n.toLocaleString('en-US');
  const notice: Finding = {
    rule: 'too-many-findings',
    severity: 'info',
    start: 0,
    end: 0,
    message:
      `Showing ${count(keep.size)} of ${count(findings.length)} findings in this file, errors first. ` +
      '`rollout-guard check` lists them all; rolloutGuard.maxDiagnosticsPerFile sets how many the editor shows.',
  };
  return [notice, ...findings.filter((f) => keep.has(f))];
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
    if (diagnostic.source !== 'rollout-guard' || ['syntax-error', 'internal-error', 'unused-ignore', 'too-many-findings'].includes(rule)) continue;
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
 * The JSON of a document's diagnostics, as toDiagnostic would give it, built from text kept per
 * finding: a large file has thousands of findings and most of them are unchanged or only move as
 * the user types elsewhere, so only their positions are formatted again. One per open document.
 */
export class DiagnosticsJson {
  /**
   * What was built, by message and then by position: a finding with the same message, rule,
   * severity and positions as one of the last lint (the same finding, or one that moved with the
   * text) reuses its text.
   */
  private built = new Map<string, ByMessage>();
  private size = 0;
  private generation = 0;

  encode(doc: TextDocument, findings: readonly Finding[]): EncodedDiagnostics {
    const generation = ++this.generation;
    const parts = new Array<Buffer>(findings.length);
    let bytes = 0;
    const positions = new Positions(doc);
    let unitOffset = -1;
    let unitLine = 0;
    for (let i = 0; i < findings.length; i++) {
      const f = findings[i]!;
      const startLine = positions.line(f.start);
      const startCharacter = positions.character(f.start, startLine);
      const end = Math.max(f.end, f.start);
      const endLine = positions.line(end);
      const endCharacter = positions.character(end, endLine);
      // Findings of one statement share their unit: its line is looked up once.
      if (f.unitStart !== undefined && f.unitStart !== unitOffset) {
        unitOffset = f.unitStart;
        unitLine = positions.line(unitOffset);
      }
      const ignoreLine = f.unitStart === undefined ? startLine : unitLine;
      const same = (b: Built): boolean =>
        b.rule === f.rule &&
        b.severity === f.severity &&
        b.startLine === startLine &&
        b.startCharacter === startCharacter &&
        b.endLine === endLine &&
        b.endCharacter === endCharacter &&
        b.ignoreLine === ignoreLine;
      let byMessage = this.built.get(f.message);
      if (!byMessage) this.built.set(f.message, (byMessage = new Map()));
      // Keyed by where it starts (a number hashes fast); the rest is compared.
      const at = startLine * 0x10000 + startCharacter;
      const candidates = byMessage.get(at);
      let entry = candidates?.find(same);
      // Related places are positions of their own: always built.
      const related = Boolean(f.related?.length || f.relatedHere?.length);
      if (!entry || related) {
        let text = `{"range":{"start":{"line":${startLine},"character":${startCharacter}},"end":{"line":${endLine},"character":${endCharacter}}},${tailOf(f)}`;
        if (related) text += `,"relatedInformation":${JSON.stringify(toDiagnostic(doc, f).relatedInformation)}`;
        if (ignoreLine !== startLine) text += `,"data":{"ignoreLine":${ignoreLine}}`;
        text += '}';
        entry = {
          rule: f.rule,
          severity: f.severity,
          startLine,
          startCharacter,
          endLine,
          endCharacter,
          ignoreLine,
          json: Buffer.from(text, 'utf8'),
          used: 0,
        };
        if (!related) {
          if (candidates) candidates.push(entry);
          else byMessage.set(at, [entry]);
          this.size++;
        }
      }
      entry.used = generation;
      parts[i] = entry.json;
      bytes += entry.json.length;
    }
    if (this.size > 2 * findings.length + 1000) this.forgetAllBut(generation);
    return { parts, bytes: bytes + Math.max(0, parts.length - 1) + 2 };
  }

  /** Keeps only what the last encode used. */
  private forgetAllBut(generation: number): void {
    this.size = 0;
    for (const [message, byMessage] of this.built) {
      for (const [at, candidates] of byMessage) {
        const used = candidates.filter((b) => b.used === generation);
        if (used.length) byMessage.set(at, used);
        else byMessage.delete(at);
        this.size += used.length;
      }
      if (byMessage.size === 0) this.built.delete(message);
    }
  }
}

/** The part of a diagnostic after its range. */
function tailOf(f: Finding): string {
  return (
    `"severity":${SEVERITY[f.severity]},"code":${JSON.stringify(f.rule)},"codeDescription":{"href":${JSON.stringify(docsUrl(f.rule))}},` +
    `"source":"rollout-guard","message":${JSON.stringify(f.message)}${f.rule === 'unused-ignore' ? `,"tags":[${DiagnosticTag.Unnecessary}]` : ''}`
  );
}

/** A JSON array of diagnostics: the UTF-8 JSON of each, and the length of the whole array. */
export interface EncodedDiagnostics {
  parts: Buffer[];
  bytes: number;
}

/** The JSON array as one string. */
export const diagnosticsArrayJson = (encoded: EncodedDiagnostics): string => `[${encoded.parts.map((p) => p.toString('utf8')).join(',')}]`;

/** The diagnostics built for one message, by where they start (line × 0x10000 + character). */
type ByMessage = Map<number, Built[]>;

interface Built {
  rule: string;
  severity: Severity;
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  ignoreLine: number;
  /** The diagnostic's JSON, UTF-8 (copied into each message as it is). */
  json: Buffer;
  /** The last encode that used it. */
  used: number;
}

/**
 * Lines of offsets that mostly come in order (findings sorted by start): a cursor walks the
 * document's line offsets instead of a search per offset. Same answers as TextDocument.positionAt.
 */
class Positions {
  private readonly lineStarts: readonly number[];
  private readonly text: string;
  private cursor = 0;

  constructor(private readonly doc: TextDocument) {
    this.text = doc.getText();
    // The document's own line offsets (kept up to date on each edit) where the implementation exposes them.
    this.lineStarts = (doc as Partial<{ getLineOffsets(): number[] }>).getLineOffsets?.() ?? lineStartsOf(this.text);
  }

  line(offset: number): number {
    const starts = this.lineStarts;
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let line = this.cursor;
    if (starts[line]! > clamped) {
      // Backwards (a statement's start, or a finding spanning lines): search.
      let lo = 0;
      let hi = line;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= clamped) lo = mid;
        else hi = mid - 1;
      }
      line = lo;
    }
    while (line + 1 < starts.length && starts[line + 1]! <= clamped) line++;
    this.cursor = line;
    return line;
  }

  character(offset: number, line: number): number {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const lineStart = this.lineStarts[line]!;
    // After a line break character (inside \r\n), TextDocument moves the position before it.
    const before = this.text.charCodeAt(clamped - 1);
    if (clamped > lineStart && (before === 13 || before === 10)) return this.doc.positionAt(clamped).character;
    return clamped - lineStart;
  }
}

/** Offsets where lines start; \r\n, \r and \n end a line, as in TextDocument. */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || c === 10) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}
