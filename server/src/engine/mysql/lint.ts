/** Lints one MySQL / MariaDB migration: split, recognise, check syntax, run the rules, apply suppressions. */
import { applySuppressions, parseDirectives } from '../suppress';
import type { EngineSettings, Finding, Severity } from '../types';
import { MysqlFileState, parseMysqlVersion, type MysqlRule, type MysqlRuleContext, type Phase } from './context';
import { checkGrammar, type MysqlDialect } from './parse';
import { mysqlRules } from './rules';
import { splitMysql } from './split';
import { MysqlStatement, type StatementKind } from './statement';

export interface MysqlLintOptions {
  dialect?: MysqlDialect;
  /** The phase of the whole file (expand.sql, contract.sql, …). */
  phase?: Phase;
  isCancelled?: () => boolean;
  /** Where the text sits in a larger document (SQL inside a TS/JS string): used for nothing but messages. */
  embedded?: boolean;
}

const PHASE_MARKER = /rollout-guard:\s*phase\s+(expand|backfill|switch|contract)\b/i;
const DESTRUCTIVE_RULES = new Set(['ban-drop-column', 'ban-drop-table', 'renaming-column', 'renaming-table', 'changing-column-type']);
/** Statements where node-sql-parser's grammar is reliable enough to report its errors. */
const GRAMMAR_CHECKED: ReadonlySet<StatementKind> = new Set(['update', 'delete', 'insert', 'select']);

let rulesByKind: Map<string, MysqlRule[]> | undefined;
function rulesFor(kind: StatementKind): readonly MysqlRule[] {
  if (!rulesByKind) {
    rulesByKind = new Map();
    for (const rule of mysqlRules) for (const k of rule.kinds) rulesByKind.set(k, [...(rulesByKind.get(k) ?? []), rule]);
  }
  return rulesByKind.get(kind) ?? [];
}

export function lintMysql(text: string, settings: EngineSettings, options: MysqlLintOptions = {}): Finding[] {
  const dialect = options.dialect ?? (settings.dialect === 'mariadb' ? 'mariadb' : 'mysql');
  const version = parseMysqlVersion(settings.mysqlVersion) ?? parseMysqlVersion('8.0')!;
  const { pieces, comments } = splitMysql(text);
  const state = new MysqlFileState();
  if (options.phase) state.phase = options.phase;
  const findings: Finding[] = [];
  let nextComment = 0;
  for (const piece of pieces) {
    if (options.isCancelled?.()) break;
    const commentsBefore: string[] = [];
    for (; nextComment < comments.length && comments[nextComment]!.start < piece.start; nextComment++) {
      if (comments[nextComment]!.start >= piece.leadingStart) commentsBefore.push(comments[nextComment]!.text);
    }
    const marker = commentsBefore
      .map((c) => PHASE_MARKER.exec(c)?.[1])
      .filter(Boolean)
      .at(-1);
    if (marker) state.phase = marker.toLowerCase() as Phase;
    const stmt = new MysqlStatement(text, piece.start, piece.end);
    const syntax = syntaxProblem(stmt, dialect);
    if (syntax) {
      if (settings.rules['syntax-error'] !== 'off')
        findings.push({ rule: 'syntax-error', severity: settings.rules['syntax-error'] ?? 'error', ...syntax, unitStart: piece.start });
      continue;
    }
    const ctx: MysqlRuleContext = { settings, dialect, version, state, commentsBefore };
    for (const rule of rulesFor(stmt.kind)) {
      let severity = effectiveSeverity(rule, settings);
      if (!severity) continue;
      if (state.phase && state.phase !== 'contract' && DESTRUCTIVE_RULES.has(rule.id)) severity = 'error';
      try {
        rule.check(stmt, ctx, (r) =>
          findings.push({
            rule: rule.id,
            severity: severity!,
            start: r.start,
            end: Math.max(r.end, r.start + 1),
            message: r.message,
            unitStart: piece.start,
            ...(r.fixes?.length ? { fixes: r.fixes } : {}),
          }),
        );
      } catch (error) {
        findings.push({
          rule: 'internal-error',
          severity: 'error',
          unitStart: piece.start,
          start: stmt.start,
          end: stmt.tokens[0]?.end ?? stmt.start + 1,
          message: `Rule ${rule.id} failed on this statement: ${error instanceof Error ? error.message : String(error)}. Please report it; the other rules still ran.`,
        });
      }
    }
    state.apply(stmt);
  }
  const directives = parseDirectives(comments);
  for (const d of directives) {
    const inside = d.scope === 'next' ? pieces.findIndex((p) => p.start < d.start && d.start < p.end) : -1;
    if (inside >= 0) d.target = { start: pieces[inside]!.start, end: pieces[inside + 1]?.start ?? Number.MAX_SAFE_INTEGER };
  }
  const starts = pieces.map((p) => p.start);
  return applySuppressions(findings, directives, settings, { starts, name: 'statement' }).sort((a, b) => a.start - b.start);
}

function effectiveSeverity(rule: MysqlRule, settings: EngineSettings): Severity | undefined {
  const configured = settings.rules[rule.id];
  if (configured === 'off') return undefined;
  return configured ?? rule.severity;
}

/**
 * Why a statement is malformed, or undefined. node-sql-parser rejects valid MySQL, so its
 * error alone is never enough: it must agree with the recogniser, or be one of the plain
 * cases (a DML statement that ends too early or has a stray comma).
 */
export function syntaxProblem(stmt: MysqlStatement, dialect: MysqlDialect): { start: number; end: number; message: string } | undefined {
  const lexical = stmt.lexProblems[0];
  if (lexical) return lexical;
  const paren = unbalancedParen(stmt);
  if (paren) return paren;
  if (stmt.problems.length > 0) {
    const grammar = checkGrammar(stmt.source, dialect);
    return grammar.ok ? undefined : stmt.problems[0];
  }
  if (!GRAMMAR_CHECKED.has(stmt.kind)) return undefined;
  const grammar = checkGrammar(stmt.source, dialect);
  if (grammar.ok) return undefined;
  const at = stmt.start + grammar.offset;
  const token = stmt.tokens.find((t) => t.start >= at);
  const before = stmt.tokens.findLast((t) => t.end <= at);
  if (grammar.found === null || !token) {
    const last = stmt.tokens[stmt.tokens.length - 1]!;
    return { start: last.start, end: last.end, message: `The statement ends too early after ${stmt.text.slice(last.start, last.end)}.` };
  }
  if ((token.text === ',' || token.text === ')') && (before?.text === ',' || before?.text === '(') && token.start === at) {
    return { start: token.start, end: token.end, message: `Unexpected ${token.text} after ${before.text}.` };
  }
  return undefined;
}

function unbalancedParen(stmt: MysqlStatement): { start: number; end: number; message: string } | undefined {
  const open: number[] = [];
  for (const [k, t] of stmt.tokens.entries()) {
    if (t.text === '(') open.push(k);
    else if (t.text === ')') {
      if (open.length === 0) return { start: t.start, end: t.end, message: 'This ) closes no parenthesis.' };
      open.pop();
    }
  }
  if (open.length > 0) {
    const t = stmt.tokens[open[open.length - 1]!]!;
    return { start: t.start, end: t.end, message: 'This ( is never closed.' };
  }
  return undefined;
}
