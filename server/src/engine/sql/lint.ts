import type { CodeIndex } from '../code-index';
import { phaseOfMarker, type PhaseName } from '../phases';
import { applyStatementSuppressions, chainOncePerFile, LeadingComments, placeInStatement, RuleIndex, runRules } from '../rule-runner';
import { byteToCharMapper } from '../text';
import type { EngineSettings, Finding, StatementReport } from '../types';
import { Statement, type RuleContext, type SqlRule, type StatementOrigin } from './context';
import { stringOf, unwrap, type Node } from './ast';
import { withUnknownTablesNamed } from './unknown-tables';
import { parseStatement, plpgsqlQueries } from './parse';
import { placeholderNames, psqlVariableNames, withPlaceholderNames, withStandIns } from './placeholders';
import { sqlRules } from './rules';
import { diffTexts, resplitSql, splitSql, type IncrementalSplit, type SplitResult, type SqlPiece } from './split';
import type { SchemaChange } from './schema';
import { FileState } from './state';
import { partStarts, startState } from './migration-tools';
import { switchMarkerFindings } from './switch-markers';

const rules = new RuleIndex(sqlRules);
const endRules = sqlRules.filter((rule) => rule.atEnd);
const ONCE_PER_FILE = new Set(sqlRules.filter((rule) => rule.oncePerFile).map((rule) => rule.id));

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
  phase?: PhaseName;
  /** The workspace's application code, for column-still-referenced. */
  codeIndex?: CodeIndex;
  /** Told what the file changes in the schema facts, in order: what the files after it in its folder start from (see schema.ts). */
  onSchemaChanges?: (changes: readonly SchemaChange[]) => void;
  /** The file's path, for `assumeInTransaction: auto` (a Prisma migration is known by its folder). */
  fileName?: string;
  /** The migration tool of the file's project, for `assumeInTransaction: auto` (see LintRequest.migrationTool). */
  projectTool?: string;
}

/** Lints one PostgreSQL migration file. The parser must be loaded (see loadParser). */
export function lintSql(text: string, given: EngineSettings, options: LintOptions = {}): Finding[] {
  const memo = options.memo;
  const lastLint = memo && memo.entries.length > 0 ? memo : undefined;
  const split = lastLint ? resplitSql(lastLint.split, text, diffTexts(lastLint.text, text), lastLint.text.length) : undefined;
  const { pieces, comments } = split ?? splitSql(text);
  let state = startState(text, pieces, given, options.fileName, options.projectTool);
  const settings = state.settings;
  // Results depend on the settings and on the application code (column-still-referenced).
  const memoKey = memo ? `${JSON.stringify(settings)}#${options.codeIndex?.version ?? ''}` : '';
  const previous = lastLint?.settingsKey === memoKey ? lastLint : undefined;
  const entries: (MemoEntry | undefined)[] = memo ? new Array<MemoEntry | undefined>(pieces.length) : [];
  let reused = 0;
  if (options.phase) state = state.with({ phase: options.phase });
  const findings: Finding[] = [];
  const leading = new LeadingComments(comments);
  let skipped = false;
  for (let index = 0; index < pieces.length; index++) {
    if (options.isCancelled?.()) break;
    const piece = pieces[index]!;
    const commentsBefore = leading.before(piece);
    // `-- rollout-guard: phase contract` starts a phase: the statements after it belong to it.
    const marker = commentsBefore.map(phaseOfMarker).filter(Boolean).at(-1);
    if (marker) state = state.with({ phase: marker });
    // The rollback part of a goose, sql-migrate or dbmate file, and a Liquibase changeset for another database, are not checked.
    const part = partStarts(state, commentsBefore);
    state = part.state;
    if (part.skipped !== undefined) skipped = part.skipped;
    if (skipped) continue;
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
    state = lintPiece(text, piece, source, state, { commentsBefore, locateUnit, codeIndex: options.codeIndex }, pieceFindings);
    for (const f of pieceFindings) findings.push(f);
    // Findings that point at other statements depend on positions outside this one: not reused.
    if (memo && !pieceFindings.some((f) => f.relatedHere?.length)) entries[index] = { stateBefore, findings: pieceFindings, stateAfter: state };
  }
  if (memo) Object.assign(memo, { text, settingsKey: memoKey, split: { pieces, comments }, entries, reused });
  if (/rollout-guard:[ \t]*switch/i.test(text)) findings.push(...switchMarkerFindings(comments, settings, options.phase));
  if (!options.isCancelled?.()) lintEnd(text, pieces, state, findings);
  options.onSchemaChanges?.(state.schemaChanges);
  // Findings name a template's placeholders, not the stand-ins they were checked with.
  const names = placeholderNames(text);
  const withTables = findings.map((f) => withUnknownTablesNamed(f, state.schemaChanges));
  const named = names.size ? withTables.map((f) => withPlaceholderNames(f, names)) : withTables;
  return chainOncePerFile(applyStatementSuppressions(named, pieces, comments, settings), ONCE_PER_FILE);
}

/** Runs the rules that look at the whole file once its last statement is read (not memoized: they are cheap). */
function lintEnd(text: string, pieces: readonly SqlPiece[], state: FileState, findings: Finding[]): void {
  const locateUnit = (unit: string): { start: number; end: number; semicolon: number } | undefined =>
    pieces.findLast((p) => p.end - p.start === unit.length && text.startsWith(unit, p.start));
  const ctx = { settings: state.settings, state, text, locateUnit };
  const unitStartOf = (offset: number): number => pieces.findLast((p) => p.start <= offset)?.start ?? 0;
  runRules<SqlRule, StatementReport>(
    endRules,
    {
      settings: state.settings,
      phase: state.phase,
      check: (rule, report) => rule.atEnd!(ctx, report),
      place: (report) => placeInStatement(unitStartOf(report.start))(report),
      failure: () => ({ start: 0, end: Math.min(1, text.length), subject: 'the end of the file' }),
    },
    findings,
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
  if (f.unlessEarlier) moved.unlessEarlier = f.unlessEarlier;
  return moved;
}

/** Parses and lints one top-level statement; returns the state after it. */
function lintPiece(text: string, piece: SqlPiece, source: string, state: FileState, context: PieceContext, findings: Finding[]): FileState {
  let outcome = parseStatement(source);
  // Placeholders a tool replaces first (psql variables, templates): checked with stand-ins, or not at
  // all where they do not parse (a placeholder that stands for a keyword).
  let standIns = outcome.ok ? undefined : withStandIns(source);
  let psqlNames: Map<string, string> | undefined;
  if (standIns) {
    outcome = parseStatement(standIns);
    if (!outcome.ok) {
      // A psql variable that stands for a name (`ALTER TABLE :tbl …`): checked as a name.
      standIns = withStandIns(source, true);
      outcome = parseStatement(standIns!);
      if (!outcome.ok) return state;
      psqlNames = psqlVariableNames(source);
    }
  }
  if (!outcome.ok) {
    // PostgreSQL reports the error cursor in characters (code points), unlike node locations (bytes).
    const at = outcome.cursor >= 0 ? piece.start + codePointsToUtf16(source, outcome.cursor) : piece.start;
    findings.push({ ...syntaxError(text, piece.start, piece.end, at, outcome.message), unitStart: piece.start });
    return state;
  }
  // The rules read the statement as parsed (its tokens and its tree agree); the stand-ins have the placeholders' length.
  const checked = standIns ? text.slice(0, piece.start) + standIns + text.slice(piece.end) : text;
  const toOffset = byteMapperAt(standIns ?? source, piece.start);
  const found = psqlNames ? [] : findings;
  for (const parsed of outcome.statements) {
    const stmt = new Statement(parsed, checked, piece.start, piece.end, piece.semicolon, toOffset, 'file', piece.start, source);
    state = lintStatement(stmt, state, context, found);
  }
  // Findings name the variables, not their stand-ins.
  if (psqlNames) for (const f of found) findings.push(withPlaceholderNames(f, psqlNames));
  return state;
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

/** What a statement's rules get besides the statement and the state. */
type PieceContext = Pick<RuleContext, 'commentsBefore' | 'locateUnit' | 'codeIndex'>;

/** Runs the rules on one statement (and the statements of its PL/pgSQL body); returns the state after it. */
function lintStatement(stmt: Statement, state: FileState, context: PieceContext, findings: Finding[]): FileState {
  const ctx: RuleContext = { settings: state.settings, state, ...context };
  const reported = runRules(
    rules.rulesFor(stmt.kind),
    {
      settings: state.settings,
      phase: state.phase,
      reportedOnce: state.reportedOnce,
      check: (rule, report) => rule.check?.(stmt, ctx, report),
      place: placeInStatement(stmt.unitStart),
      failure: () => ({
        start: stmt.start,
        end: Math.max(stmt.start + 1, stmt.tokens[0]?.end ?? stmt.start + 1),
        unitStart: stmt.unitStart,
        subject: 'this statement',
      }),
    },
    findings,
  );
  let after = reported.length > 0 ? state.with({ reportedOnce: [...state.reportedOnce, ...reported] }) : state;
  after = lintEmbeddedBody(stmt, after, context, findings);
  return after.next(stmt.parsed, stmt.unitSource, (location) => stmt.at(location) - stmt.unitStart);
}

/** Lints the SQL inside a DO block or a PL/pgSQL function body, with positions inside the body. */
function lintEmbeddedBody(stmt: Statement, state: FileState, context: PieceContext, findings: Finding[]): FileState {
  let origin: StatementOrigin;
  let body: string | undefined;
  const parsed = stmt.parsed; // other kinds' trees are not read here: a query's tree is decoded when first read
  if (parsed.kind === 'DoStmt') {
    const node = parsed.node;
    const language = optionValue(node.args, 'language') ?? 'plpgsql';
    if (language !== 'plpgsql') return state;
    origin = 'do-block';
    body = optionValue(node.args, 'as');
  } else if (parsed.kind === 'CreateFunctionStmt') {
    const node = parsed.node;
    if (optionValue(node.options, 'language') !== 'plpgsql') return state;
    origin = 'function-body';
    body = optionValue(node.options, 'as');
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
      const inside = new Statement(parsed, stmt.text, start, end, -1, toOffset, origin, stmt.unitStart, stmt.unitSource);
      inner = lintStatement(inside, inner, { ...context, commentsBefore: [] }, findings);
    }
  }
  // A DO block runs now: what it creates, sets and locks carries on; a function body runs later.
  return origin === 'do-block' ? state.afterDoBlock(inner) : state;
}

function optionValue(options: Node[] | undefined, name: string): string | undefined {
  const option = (options ?? []).map((o) => unwrap(o, 'DefElem')).find((o) => o?.defname === name);
  const arg = option?.arg;
  return stringOf(arg) ?? stringOf(unwrap(arg, 'List')?.items?.[0]);
}
