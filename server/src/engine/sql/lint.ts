import { applySuppressions, parseDirectives } from '../suppress';
import { byteToCharMapper } from '../text';
import type { EngineSettings, Finding, Severity } from '../types';
import { Statement, type Report, type RuleContext, type SqlRule, type StatementOrigin } from './context';
import { parseStatement, plpgsqlQueries, type PgNode } from './parse';
import { sqlRules } from './rules';
import { diffTexts, resplitSql, splitSql, type IncrementalSplit, type SplitResult, type SqlPiece } from './split';
import { FileState, type Phase } from './state';
import type { CodeIndex } from '../code-index';

/** Rules by the statement kinds they look at, built on first use. */
let rulesByKind: Map<string, SqlRule[]> | undefined;
function rulesFor(kind: string): readonly SqlRule[] {
  if (!rulesByKind) {
    rulesByKind = new Map();
    for (const rule of sqlRules) for (const k of rule.kinds) rulesByKind.set(k, [...(rulesByKind.get(k) ?? []), rule]);
  }
  return rulesByKind.get(kind) ?? [];
}

/**
 * What one lint of a document leaves for the next: the text, its split into statements, and for
 * each statement the state before it, its findings and the state after it. The next lint
 * re-splits only around the edit and reuses a statement's results when it lies in text the edit
 * did not touch (before the first changed character, or after the last one, shifted) and the state
 * before it is the same — so editing one statement of a large file re-checks that statement, and
 * the ones after it only if what it establishes changed. The language server keeps one per open
 * document.
 */
export class SqlLintMemo {
  text = '';
  settingsKey = '';
  split: SplitResult = { pieces: [], comments: [] };
  /** Per piece of `split`; undefined where the lint stopped early or the results cannot be reused. */
  entries: (MemoEntry | undefined)[] = [];
  /** Statements whose results the last lint reused. */
  reused = 0;
}

interface MemoEntry {
  stateBefore: FileState;
  /** Offsets in the memo's text. */
  findings: Finding[];
  stateAfter: FileState;
}

export interface LintOptions {
  /** Checked between statements; linting stops early (returning what it has) when it says so. */
  isCancelled?: () => boolean;
  memo?: SqlLintMemo;
  /** The phase of the whole file (from its name: expand.sql, backfill.sql, switch.sql, contract.sql). */
  phase?: Phase;
  /** The workspace's application code, for column-still-referenced. */
  codeIndex?: CodeIndex;
}

const PHASE_MARKER = /rollout-guard:\s*phase\s+(expand|backfill|switch|contract)\b/i;

/** A contract step: contract.sql of a plan, or a file with a `-- rollout-guard: phase contract` marker. */
export function isContractStep(fileName: string, text: string): boolean {
  return phaseOfFile(fileName) === 'contract' || /rollout-guard:\s*phase\s+contract\b/i.test(text);
}

/** The migration phase a file name stands for: migrations/<plan>/expand.sql and so on. */
export function phaseOfFile(fileName: string): Phase | undefined {
  const match = /(?:^|[\\/])(expand|backfill|switch|contract)\.(sql|pgsql|psql)$/i.exec(fileName);
  return match ? (match[1]!.toLowerCase() as Phase) : undefined;
}

/** Lints one PostgreSQL migration file. The parser must be loaded (see loadParser). */
export function lintSql(text: string, settings: EngineSettings, options: LintOptions = {}): Finding[] {
  const memo = options.memo;
  // Results depend on the settings and on the application code (column-still-referenced).
  const memoKey = memo ? `${JSON.stringify(settings)}#${options.codeIndex?.version ?? ''}` : '';
  const previous = memo && memo.settingsKey === memoKey && memo.entries.length > 0 ? memo : undefined;
  const split = previous ? resplitSql(previous.split, text, diffTexts(previous.text, text), previous.text.length) : undefined;
  const { pieces, comments } = split ?? splitSql(text);
  const entries: (MemoEntry | undefined)[] = memo ? new Array<MemoEntry | undefined>(pieces.length) : [];
  let reused = 0;
  let state = new FileState(settings);
  if (options.phase) state = state.with({ phase: options.phase });
  const findings: Finding[] = [];
  let nextComment = 0;
  for (let index = 0; index < pieces.length; index++) {
    if (options.isCancelled?.()) break;
    const piece = pieces[index]!;
    let commentsBefore: string[] | undefined;
    for (; nextComment < comments.length && comments[nextComment]!.start < piece.start; nextComment++) {
      if (comments[nextComment]!.start >= piece.leadingStart) (commentsBefore ??= []).push(comments[nextComment]!.text);
    }
    // `-- rollout-guard: phase contract` starts a phase: the statements after it belong to it.
    const marker = commentsBefore
      ?.map((c) => PHASE_MARKER.exec(c)?.[1])
      .filter(Boolean)
      .at(-1);
    if (marker) state = state.with({ phase: marker.toLowerCase() as Phase });
    const old = previous && split ? reusableEntry(previous, split, index) : undefined;
    if (old && (old.entry.stateBefore === state || old.entry.stateBefore.key() === state.key())) {
      const entry =
        old.delta === 0
          ? old.entry
          : { stateBefore: old.entry.stateBefore, findings: old.entry.findings.map((f) => shift(f, old.delta)), stateAfter: old.entry.stateAfter };
      for (const f of entry.findings) findings.push(f);
      state = entry.stateAfter;
      entries[index] = entry;
      reused++;
      continue;
    }
    const pieceFindings: Finding[] = [];
    const source = text.slice(piece.start, piece.end);
    const locateUnit = (unit: string): { start: number; end: number } | undefined => {
      for (let i = index - 1; i >= 0; i--) {
        const p = pieces[i]!;
        if (p.end - p.start === unit.length && text.startsWith(unit, p.start)) return { start: p.start, end: p.end };
      }
      return undefined;
    };
    const stateBefore = state;
    state = lintPiece(text, piece, source, state, { commentsBefore: commentsBefore ?? [], locateUnit, codeIndex: options.codeIndex }, pieceFindings);
    for (const f of pieceFindings) findings.push(f);
    // Findings that point at other statements depend on positions outside this one: not reused.
    if (memo && !pieceFindings.some((f) => f.relatedHere?.length)) entries[index] = { stateBefore, findings: pieceFindings, stateAfter: state };
  }
  if (memo) Object.assign(memo, { text, settingsKey: memoKey, split: { pieces, comments }, entries, reused });
  const directives = parseDirectives(comments);
  // An ignore comment inside a multi-line statement (above the offending action) covers that statement.
  for (const d of directives) {
    const inside = d.scope === 'next' ? pieces.findIndex((p) => p.start < d.start && d.start < p.end) : -1;
    if (inside >= 0) d.target = { start: pieces[inside]!.start, end: pieces[inside + 1]?.start ?? Number.MAX_SAFE_INTEGER };
  }
  return applySuppressions(findings, directives, settings, { starts: pieces.map((p) => p.start), end: unitEnd(pieces), name: 'statement' }).sort(
    (a, b) => a.start - b.start,
  );
}

/**
 * The remembered results of a piece that lies in unchanged text, and how far it moved: pieces the
 * re-split kept or took over from the old split, or rescanned ones that match an old piece whose
 * statement, leading comments and terminating character all lie outside the edit.
 */
function reusableEntry(memo: SqlLintMemo, split: IncrementalSplit, index: number): { entry: MemoEntry; delta: number } | undefined {
  let oldIndex: number;
  let delta = 0;
  if (index < split.keptBefore) oldIndex = index;
  else if (index >= split.rescannedUpTo) {
    oldIndex = split.oldIndexAfter + (index - split.rescannedUpTo);
    delta = split.delta;
  } else {
    // The statement, the comments before it and the character ending it all lie in unchanged text.
    const piece = split.pieces[index]!;
    const last = (piece.semicolon >= 0 ? piece.semicolon : piece.end) + 1;
    if (last <= split.change.prefix) delta = 0;
    else if (piece.leadingStart >= split.length - split.change.suffix) delta = split.delta;
    else return undefined;
    const oldPieces = memo.split.pieces;
    oldIndex = lowerBound(oldPieces, piece.start - delta);
    const old = oldPieces[oldIndex];
    if (!old || old.start !== piece.start - delta || old.end !== piece.end - delta || old.leadingStart !== piece.leadingStart - delta) return undefined;
  }
  const entry = memo.entries[oldIndex];
  return entry ? { entry, delta } : undefined;
}

/** Index of the first piece starting at or after `offset`. */
function lowerBound(pieces: readonly SqlPiece[], offset: number): number {
  let lo = 0;
  let hi = pieces.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pieces[mid]!.start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A suppression comment inside a multi-line statement covers that statement; otherwise the next. */
function unitEnd(pieces: readonly SqlPiece[]): (start: number) => number {
  return (start) => {
    const i = pieces.findIndex((p) => p.start === start);
    return i >= 0 ? (pieces[i + 1]?.start ?? Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER;
  };
}

/** A finding moved by `delta` (a statement after the edit). */
function shift(f: Finding, delta: number): Finding {
  const moved: Finding = { rule: f.rule, severity: f.severity, start: f.start + delta, end: f.end + delta, message: f.message };
  if (f.fixes)
    moved.fixes = f.fixes.map((fix) => {
      const edits = fix.edits.map((e) => ({ start: e.start + delta, end: e.end + delta, newText: e.newText }));
      return fix.preferred === undefined ? { title: fix.title, edits } : { title: fix.title, edits, preferred: fix.preferred };
    });
  if (f.related) moved.related = f.related;
  if (f.relatedHere) moved.relatedHere = f.relatedHere.map((r) => ({ start: r.start + delta, end: r.end + delta, message: r.message }));
  if (f.unitStart !== undefined) moved.unitStart = f.unitStart + delta;
  return moved;
}

/** Parses and lints one top-level statement; returns the state after it. */
function lintPiece(text: string, piece: SqlPiece, source: string, state: FileState, context: PieceContext, findings: Finding[]): FileState {
  const outcome = parseStatement(source);
  if (!outcome.ok) {
    // psql substitutes :name, :'name' and :"name" before PostgreSQL sees the text.
    if (usesPsqlVariables(source)) return state;
    // PostgreSQL reports the error cursor in characters (code points), unlike node locations (bytes).
    const at = outcome.cursor >= 0 ? piece.start + codePointsToUtf16(source, outcome.cursor) : piece.start;
    findings.push({ ...syntaxError(text, piece.start, piece.end, at, outcome.message), unitStart: piece.start });
    return state;
  }
  const toOffset = byteMapperAt(source, piece.start);
  for (const parsed of outcome.statements) {
    const stmt = new Statement(parsed.kind, parsed.node, text, piece.start, piece.end, piece.semicolon, toOffset, 'file', piece.start, source);
    state = lintStatement(stmt, state, context, findings);
  }
  return state;
}

const PSQL_QUOTED_VARIABLE = /(^|[^:\w]):(['"])[A-Za-z_]\w*\2/;
const PSQL_VARIABLE = /(^|[^:\w]):[A-Za-z_]\w*/;

/** Whether a statement that failed to parse uses psql variables (a fallback check, not a lexer). */
function usesPsqlVariables(source: string): boolean {
  return PSQL_QUOTED_VARIABLE.test(source) || PSQL_VARIABLE.test(source.replace(/'(?:[^']|'')*'/g, "''"));
}

function codePointsToUtf16(source: string, codePoints: number): number {
  let offset = 0;
  for (let i = 0; i < codePoints && offset < source.length; i++) offset += source.codePointAt(offset)! > 0xffff ? 2 : 1;
  return offset;
}

function byteMapperAt(source: string, base: number): (byte: number) => number {
  const map = byteToCharMapper(source);
  return (byte) => base + map(byte);
}

function syntaxError(text: string, start: number, end: number, at: number, message: string): Finding {
  // Squiggle the word at the cursor (or the last character when the error is at the end).
  if (at >= end) return { rule: 'syntax-error', severity: 'error', start: Math.max(start, end - 1), end, message: capitalise(message) };
  let tokenEnd = at;
  while (tokenEnd < end && /[\w$]/.test(text[tokenEnd]!)) tokenEnd++;
  if (tokenEnd === at) tokenEnd = Math.min(at + 1, text.length);
  return { rule: 'syntax-error', severity: 'error', start: at, end: tokenEnd, message: capitalise(message) };
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Runs the rules on one statement (and the statements of its PL/pgSQL body); returns the state after it. */
/** What a statement's rules get besides the statement and the state. */
type PieceContext = Pick<RuleContext, 'commentsBefore' | 'locateUnit' | 'codeIndex'>;

function lintStatement(stmt: Statement, state: FileState, context: PieceContext, findings: Finding[]): FileState {
  const ctx: RuleContext = { settings: state.settings, state, ...context };
  let reportedLockTimeout = false;
  for (const rule of rulesFor(stmt.kind)) {
    let severity = effectiveSeverity(rule, state.settings);
    if (!severity) continue;
    // Before contract, a destructive statement breaks the version still running: always an error.
    if (state.phase && state.phase !== 'contract' && DESTRUCTIVE_RULES.has(rule.id)) severity = 'error';
    const report = (r: Report): void => {
      if (rule.id === 'require-lock-timeout') reportedLockTimeout = true;
      findings.push({
        rule: rule.id,
        severity,
        start: r.start,
        end: Math.max(r.end, r.start + 1),
        message: r.message,
        unitStart: stmt.unitStart,
        ...(r.fixes?.length ? { fixes: r.fixes } : {}),
        ...(r.relatedHere?.length ? { relatedHere: r.relatedHere } : {}),
        ...(r.related?.length ? { related: r.related } : {}),
      });
    };
    try {
      rule.check(stmt, ctx, report);
    } catch (error) {
      findings.push({
        rule: 'internal-error',
        severity: 'error',
        unitStart: stmt.unitStart,
        start: stmt.start,
        end: Math.max(stmt.start + 1, stmt.tokens[0]?.end ?? stmt.start + 1),
        message: `Rule ${rule.id} failed on this statement: ${error instanceof Error ? error.message : String(error)}. Please report it; the other rules still ran.`,
      });
    }
  }
  // One SET lock_timeout at the top covers the whole file, so the rule speaks once.
  let after = reportedLockTimeout ? state.with({ lockTimeoutReported: true }) : state;
  after = lintEmbeddedBody(stmt, after, context, findings);
  return after.next(stmt.kind, stmt.node, stmt.unitSource);
}

const DESTRUCTIVE_RULES = new Set(['ban-drop-column', 'ban-drop-table', 'ban-truncate-cascade', 'renaming-column', 'renaming-table', 'changing-column-type']);

function effectiveSeverity(rule: SqlRule, settings: EngineSettings): Severity | undefined {
  const configured = settings.rules[rule.id];
  if (configured === 'off') return undefined;
  return configured ?? rule.severity;
}

/** Lints the SQL inside a DO block or a PL/pgSQL function body, with positions inside the body. */
function lintEmbeddedBody(stmt: Statement, state: FileState, context: PieceContext, findings: Finding[]): FileState {
  let origin: StatementOrigin;
  let body: string | undefined;
  if (stmt.kind === 'DoStmt') {
    const language = optionValue(stmt.node.args, 'language') ?? 'plpgsql';
    if (language !== 'plpgsql') return state;
    origin = 'do-block';
    body = optionValue(stmt.node.args, 'as');
  } else if (stmt.kind === 'CreateFunctionStmt') {
    if (optionValue(stmt.node.options, 'language') !== 'plpgsql') return state;
    origin = 'function-body';
    body = optionValue(stmt.node.options, 'as');
  } else return state;
  if (!body) return state;
  const source = stmt.source;
  const bodyIndex = source.indexOf(body);
  const result = plpgsqlQueries(source);
  // libpg-query's PL/pgSQL parser has no catalog: it rejects some valid bodies (domain array
  // types, keywords as variable names), so its errors are no evidence of a bad migration.
  // PostgreSQL validates the body itself when the statement runs.
  if ('error' in result) return state;
  // A body written as a '…' string has its quotes doubled; offsets are then approximate.
  let inner = origin === 'do-block' ? state.forDoBlock() : FileState.forFunctionBody(state.settings);
  let cursor = bodyIndex >= 0 ? bodyIndex : 0;
  for (const query of result.queries) {
    const found = bodyIndex >= 0 ? source.indexOf(query, cursor) : -1;
    const start = found >= 0 ? stmt.start + found : stmt.start;
    if (found >= 0) cursor = found + query.length;
    const outcome = parseStatement(query);
    if (!outcome.ok) continue; // PL/pgSQL already accepted it; variables may confuse the plain parser.
    const toOffset = found >= 0 ? byteMapperAt(query, start) : () => stmt.start;
    for (const parsed of outcome.statements) {
      const end = found >= 0 ? start + query.length : stmt.end;
      const inside = new Statement(parsed.kind, parsed.node, stmt.text, start, end, -1, toOffset, origin, stmt.unitStart, stmt.unitSource);
      inner = lintStatement(inside, inner, { ...context, commentsBefore: [] }, findings);
    }
  }
  // A DO block runs now: what it creates, sets and locks carries on; a function body runs later.
  return origin === 'do-block' ? state.afterDoBlock(inner) : state;
}

function optionValue(options: PgNode[] | undefined, name: string): string | undefined {
  const option = (options ?? []).find((o) => o.DefElem?.defname === name)?.DefElem;
  const arg = option?.arg;
  return arg?.String?.sval ?? arg?.List?.items?.[0]?.String?.sval;
}
