import type { EngineSettings, Finding, Severity } from '../types';
import { byteToCharMapper } from '../text';
import { FileState, Statement, type Report, type SqlRule, type StatementOrigin } from './context';
import { parseStatement, plpgsqlQueries, type PgNode } from './parse';
import { sqlRules } from './rules';
import { splitSql } from './split';
import { applySuppressions, parseDirectives } from '../suppress';

/** Rules indexed by the statement kinds they look at. */
const rulesByKind = new Map<string, SqlRule[]>();
for (const rule of sqlRules) {
  for (const kind of rule.kinds) {
    const list = rulesByKind.get(kind) ?? [];
    list.push(rule);
    rulesByKind.set(kind, list);
  }
}
const rulesForAll = rulesByKind.get('*') ?? [];

export interface LintOptions {
  /** Checked between statements; linting stops early (returning what it has) when it says so. */
  isCancelled?: () => boolean;
}

/** Lints one PostgreSQL migration file. The parser must be loaded (see loadParser). */
export function lintSql(text: string, settings: EngineSettings, options: LintOptions = {}): Finding[] {
  const { pieces, comments } = splitSql(text);
  const directives = parseDirectives(comments);
  const state = new FileState(settings);
  const findings: Finding[] = [];
  const previous: Statement[] = [];
  const statementStarts: number[] = [];
  let nextComment = 0;
  for (const piece of pieces) {
    if (options.isCancelled?.()) break;
    statementStarts.push(piece.start);
    const source = text.slice(piece.start, piece.end);
    const outcome = parseStatement(source);
    const toOffset = byteMapperAt(source, piece.start);
    if (!outcome.ok) {
      // psql substitutes :name, :'name' and :"name" before PostgreSQL sees the text.
      if (usesPsqlVariables(source)) continue;
      findings.push({
        // PostgreSQL reports the error cursor in characters (code points), unlike node locations (bytes).
        ...syntaxError(text, piece.start, piece.end, outcome.cursor >= 0 ? piece.start + codePointsToUtf16(source, outcome.cursor) : piece.start, outcome.message),
        unitStart: piece.start,
      });
      continue;
    }
    const commentsBefore: string[] = [];
    for (; nextComment < comments.length && comments[nextComment]!.start < piece.start; nextComment++) {
      if (comments[nextComment]!.start >= piece.leadingStart) commentsBefore.push(comments[nextComment]!.text);
    }
    for (const parsed of outcome.statements) {
      const stmt = new Statement(parsed.kind, parsed.node, text, piece.start, piece.end, piece.semicolon, toOffset, 'file', piece.start);
      lintStatement(stmt, state, previous, commentsBefore, findings);
      previous.push(stmt);
    }
  }
  return applySuppressions(findings, directives, settings, { starts: statementStarts, name: 'statement' }).sort((a, b) => a.start - b.start);
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
  // Squiggle the word at the cursor (or the rest of the line when the error is at the end).
  let tokenEnd = at;
  while (tokenEnd < end && /[\w$]/.test(text[tokenEnd]!)) tokenEnd++;
  if (tokenEnd === at) tokenEnd = Math.min(at + 1, Math.max(end, at + 1), text.length);
  if (at >= end) {
    // "syntax error at end of input": mark the last character of the statement.
    return { rule: 'syntax-error', severity: 'error', start: Math.max(start, end - 1), end, message: capitalise(message) };
  }
  return { rule: 'syntax-error', severity: 'error', start: at, end: tokenEnd, message: capitalise(message) };
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function lintStatement(stmt: Statement, state: FileState, previous: readonly Statement[], commentsBefore: readonly string[], findings: Finding[]): void {
  const rules = [...(rulesByKind.get(stmt.kind) ?? []), ...rulesForAll];
  const ctx = { settings: state.settings, state, text: stmt.text, previous, commentsBefore };
  for (const rule of rules) {
    const severity = effectiveSeverity(rule, state.settings);
    if (!severity) continue;
    const report = (r: Report): void => {
      findings.push({
        rule: rule.id,
        severity,
        start: r.start,
        end: Math.max(r.end, r.start + 1),
        message: r.message,
        unitStart: stmt.unitStart,
        ...(r.fixes?.length ? { fixes: r.fixes } : {}),
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
  lintEmbeddedBody(stmt, state, previous, findings);
  updateState(stmt, state);
}

function effectiveSeverity(rule: SqlRule, settings: EngineSettings): Severity | undefined {
  const configured = settings.rules[rule.id];
  if (configured === 'off') return undefined;
  return configured ?? rule.severity;
}

/** Lints the SQL inside a DO block or a PL/pgSQL function body, with positions inside the body. */
function lintEmbeddedBody(stmt: Statement, state: FileState, previous: readonly Statement[], findings: Finding[]): void {
  let origin: StatementOrigin;
  let body: string | undefined;
  if (stmt.kind === 'DoStmt') {
    const language = optionValue(stmt.node.args, 'language') ?? 'plpgsql';
    if (language !== 'plpgsql') return;
    origin = 'do-block';
    body = optionValue(stmt.node.args, 'as');
  } else if (stmt.kind === 'CreateFunctionStmt') {
    if (optionValue(stmt.node.options, 'language') !== 'plpgsql') return;
    origin = 'function-body';
    body = optionValue(stmt.node.options, 'as');
  } else return;
  if (!body) return;
  const source = stmt.source;
  const bodyIndex = source.indexOf(body);
  const result = plpgsqlQueries(source);
  // libpg-query's PL/pgSQL parser has no catalog: it rejects some valid bodies (domain array
  // types, keywords as variable names), so its errors are no evidence of a bad migration.
  // PostgreSQL validates the body itself when the statement runs.
  if ('error' in result) return;
  // A body written as a '…' string has its quotes doubled; offsets are then approximate.
  const inner = origin === 'do-block' ? state.fork() : functionState(state);
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
      const inside = new Statement(parsed.kind, parsed.node, stmt.text, start, end, -1, toOffset, origin, stmt.unitStart);
      lintStatement(inside, inner, previous, [], findings);
    }
  }
  if (origin === 'do-block') {
    // A DO block runs now: what it creates exists for the rest of the file.
    for (const table of inner.createdTables) if (!state.isNewTable(table)) state.createdTables.push(table);
    state.lockTimeoutSet ||= inner.lockTimeoutSet;
  }
}

/** A function body runs later, against the tables as they will be then: nothing is new. */
function functionState(state: FileState): FileState {
  const inner = new FileState(state.settings);
  inner.explicitTransaction = true;
  inner.lockTimeoutSet = true; // the caller's setting applies, not this file's
  inner.lockTimeoutReported = true;
  return inner;
}

function optionValue(options: PgNode[] | undefined, name: string): string | undefined {
  const option = (options ?? []).find((o) => o.DefElem?.defname === name)?.DefElem;
  const arg = option?.arg;
  return arg?.String?.sval ?? arg?.List?.items?.[0]?.String?.sval;
}

/** Carries what this statement establishes to the statements after it. */
export function updateState(stmt: Statement, state: FileState): void {
  const n = stmt.node;
  switch (stmt.kind) {
    case 'TransactionStmt':
      if (n.kind === 'TRANS_STMT_BEGIN' || n.kind === 'TRANS_STMT_START') state.explicitTransaction = true;
      else if (['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_PREPARE', 'TRANS_STMT_COMMIT_PREPARED'].includes(n.kind)) {
        state.explicitTransaction = false;
        state.exclusiveLocks = [];
        state.notValidInTransaction.clear();
      }
      break;
    case 'CreateStmt':
    case 'CreateTableAsStmt': {
      const relation = n.relation ?? n.into?.rel;
      if (relation) state.createdTables.push(relation.schemaname ? { schema: relation.schemaname, name: relation.relname } : { name: relation.relname });
      break;
    }
    case 'AlterTableStmt':
      for (const item of n.cmds ?? []) {
        const cmd = item.AlterTableCmd;
        if (cmd?.subtype === 'AT_DropConstraint' && cmd.missing_ok) state.droppedConstraintsIfExists.add(cmd.name);
      }
      break;
    case 'VariableSetStmt':
      if (n.name === 'lock_timeout' && n.kind !== 'VAR_RESET') state.lockTimeoutSet = true;
      break;
    default:
      break;
  }
  if (state.inTransaction()) recordExclusiveLock(stmt, state);
}

function recordExclusiveLock(stmt: Statement, state: FileState): void {
  const n = stmt.node;
  const relation =
    stmt.kind === 'AlterTableStmt' || stmt.kind === 'RenameStmt' ? n.relation : stmt.kind === 'TruncateStmt' ? n.relations?.[0]?.RangeVar : undefined;
  if (!relation) {
    if (stmt.kind === 'DropStmt' && (n.removeType === 'OBJECT_TABLE' || (n.removeType === 'OBJECT_INDEX' && !n.concurrent))) {
      state.exclusiveLocks.push({ table: 'a dropped object', start: stmt.start, end: stmt.end });
    }
    return;
  }
  if (state.isNewTable({ schema: relation.schemaname, name: relation.relname })) return;
  if (stmt.kind === 'AlterTableStmt') {
    for (const c of n.cmds ?? []) {
      const con = c.AlterTableCmd?.def?.Constraint;
      if (c.AlterTableCmd?.subtype === 'AT_AddConstraint' && con?.skip_validation && con.conname) state.notValidInTransaction.add(con.conname);
    }
    const onlyWeak = (n.cmds ?? []).every(
      (c: PgNode) =>
        ['AT_ValidateConstraint', 'AT_SetStatistics', 'AT_AttachPartition'].includes(c.AlterTableCmd?.subtype) ||
        (c.AlterTableCmd?.subtype === 'AT_AddConstraint' && c.AlterTableCmd.def?.Constraint?.contype === 'CONSTR_FOREIGN'),
    );
    if (onlyWeak) return;
  }
  state.exclusiveLocks.push({ table: relation.schemaname ? `${relation.schemaname}.${relation.relname}` : relation.relname, start: stmt.start, end: stmt.end });
}
