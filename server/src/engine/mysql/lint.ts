/** Lints one MySQL / MariaDB migration: split, recognise, check syntax, run the rules, apply suppressions. */
import { phaseOfMarker, type PhaseName } from '../phases';
import { applyStatementSuppressions, LeadingComments, placeInStatement, RuleIndex, runRules } from '../rule-runner';
import type { EngineSettings, Finding } from '../types';
import { MysqlFileState, parseMysqlVersion, type MysqlRuleContext } from './context';
import { checkGrammar, type MysqlDialect } from './parse';
import { mysqlRules } from './rules';
import { splitMysql } from './split';
import { MysqlStatement, type StatementKind } from './statement';

export interface MysqlLintOptions {
  dialect?: MysqlDialect;
  /** The phase of the whole file (expand.sql, contract.sql, …). */
  phase?: PhaseName;
  isCancelled?: () => boolean;
  /** Where the text sits in a larger document (SQL inside a TS/JS string): used for nothing but messages. */
  embedded?: boolean;
}

/** Statements where node-sql-parser's grammar is reliable enough to report its errors. */
const GRAMMAR_CHECKED: ReadonlySet<StatementKind> = new Set(['update', 'delete', 'insert', 'select']);

const rules = new RuleIndex(mysqlRules);

export function lintMysql(text: string, settings: EngineSettings, options: MysqlLintOptions = {}): Finding[] {
  const dialect = options.dialect ?? (settings.dialect === 'mariadb' ? 'mariadb' : 'mysql');
  const version = parseMysqlVersion(settings.mysqlVersion) ?? parseMysqlVersion('8.0')!;
  const { pieces, comments } = splitMysql(text);
  const state = new MysqlFileState();
  if (options.phase) state.phase = options.phase;
  const findings: Finding[] = [];
  const leading = new LeadingComments(comments);
  for (const piece of pieces) {
    if (options.isCancelled?.()) break;
    const commentsBefore = leading.before(piece);
    const marker = commentsBefore.map(phaseOfMarker).filter(Boolean).at(-1);
    if (marker) state.phase = marker;
    const stmt = new MysqlStatement(text, piece.start, piece.end);
    const syntax = syntaxProblem(stmt, dialect);
    if (syntax) {
      // As for PostgreSQL and YAML: a statement that does not parse is an error whatever the configuration says.
      findings.push({ rule: 'syntax-error', severity: 'error', ...syntax, unitStart: piece.start });
      continue;
    }
    const ctx: MysqlRuleContext = { settings, dialect, version, state, commentsBefore };
    const reported = runRules(
      rules.rulesFor(stmt.kind),
      {
        settings,
        phase: state.phase,
        reportedOnce: state.reportedOnce,
        check: (rule, report) => rule.check(stmt, ctx, report),
        place: placeInStatement(piece.start),
        failure: () => ({ start: stmt.start, end: stmt.tokens[0]?.end ?? stmt.start + 1, unitStart: piece.start, subject: 'this statement' }),
      },
      findings,
    );
    state.reportedOnce.push(...reported);
    state.apply(stmt);
  }
  return applyStatementSuppressions(findings, pieces, comments, settings);
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
