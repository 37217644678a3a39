/**
 * A migration plan: a folder with expand.sql, backfill.sql, switch.sql (optional) and
 * contract.sql, or one file with `-- rollout-guard: phase <name>` markers. Each phase is
 * split into units the runner applies one at a time: one statement, a BEGIN … COMMIT
 * block, or a declared backfill.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isPhaseName, PHASES, phaseFileName, phaseMarker, switchMarker, type PhaseName, type SwitchBinding } from '../../server/src/engine/phases';
import { stringOf, unwrap } from '../../server/src/engine/sql/ast';
import { loadParser, parseStatement, type ParsedStatement } from '../../server/src/engine/sql/parse';
import { splitSql } from '../../server/src/engine/sql/split';
import { declarationIn } from '../../server/src/engine/backfill';
import { backfillJob, BackfillDeclarationError, quoteIdent, type BackfillJob } from './backfill-spec';

export { isPhaseName, PHASES, type PhaseName, type SwitchBinding };

export interface PlanStatement {
  sql: string;
  /** 1-based line in the file. */
  line: number;
  /** Parse-tree node kind, e.g. `AlterTableStmt`. */
  kind: string;
  /**
   * For CREATE INDEX CONCURRENTLY with a name: the index, quoted. A failed build leaves an
   * invalid index behind that IF NOT EXISTS would then skip, so the runner drops it first.
   */
  concurrentIndex?: string;
}

export interface PlanUnit {
  /** Statements applied together: in one transaction when `transactional`, else alone. */
  statements: PlanStatement[];
  /** False for statements PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM…). */
  transactional: boolean;
  /** A declared backfill: one UPDATE run in key-range batches. */
  backfill?: BackfillJob;
  /** Text of the unit's statements, for checksums of what was applied. */
  text: string;
  /** 1-based line of the first statement. */
  line: number;
}

export interface PlanPhase {
  name: PhaseName;
  /** Absolute path of the file holding the phase. */
  file: string;
  /** The file (relative to the plan) and, for a marker file, the marker's line: for messages. */
  label: string;
  /** The phase's SQL (line endings normalised to \n). */
  sql: string;
  /** sha256 of `sql`, hex. */
  checksum: string;
  units: PlanUnit[];
  /** The switch phase's flag (`-- rollout-guard: switch flag=KEY …`): the runner ramps it after the phase's statements. */
  binding?: SwitchBinding;
}

export interface MigrationPlan {
  /** The ledger key: the folder name, or the file name without extension. */
  name: string;
  /** The folder or file the plan was read from. */
  source: string;
  /** Phases present, in the order expand, backfill, switch, contract. */
  phases: PlanPhase[];
}

/** A plan that cannot be read or run as written. `notFound`: the path is not a plan at all. */
export class PlanError extends Error {
  override name = 'PlanError';
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
  }
}

export function checksumOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Checksum of what the first `count` units apply, to tell whether an edited failed phase kept them. */
export function appliedChecksum(phase: PlanPhase, count: number): string {
  return checksumOf(
    phase.units
      .slice(0, count)
      .map((u) => u.text)
      .join('\n;\n'),
  );
}

export function findPhase(plan: MigrationPlan, name: PhaseName): PlanPhase | undefined {
  return plan.phases.find((p) => p.name === name);
}

/** The flag the plan's switch phase ramps, if it binds one. */
export function switchBinding(plan: MigrationPlan): SwitchBinding | undefined {
  return findPhase(plan, 'switch')?.binding;
}

/** Reads a plan folder, or a single file with phase markers. */
export async function loadPlan(source: string): Promise<MigrationPlan> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch {
    throw new PlanError(`${source}: no such plan folder or file`, true);
  }
  await loadParser();
  if (stat.isDirectory()) return loadFolder(source);
  return loadMarkedFile(source);
}

function loadFolder(dir: string): MigrationPlan {
  const phases: PlanPhase[] = [];
  for (const name of PHASES) {
    const file = path.join(dir, phaseFileName(name));
    if (!fs.existsSync(file)) continue;
    const sql = readText(file);
    phases.push(buildPhase(name, file, phaseFileName(name), sql, 0));
  }
  if (phases.length === 0) {
    throw new PlanError(`${dir} is not a migration plan: it has none of expand.sql, backfill.sql, switch.sql, contract.sql`, true);
  }
  return { name: path.basename(path.resolve(dir)), source: dir, phases };
}

function loadMarkedFile(file: string): MigrationPlan {
  const text = readText(file);
  const markers = splitSql(text).comments.filter((c) => phaseMarker(c.text) !== undefined);
  const base = path.basename(file);
  if (markers.length === 0) {
    throw new PlanError(
      `${file} has no "-- rollout-guard: phase <name>" markers; a plan is a folder with expand.sql, backfill.sql, switch.sql, contract.sql or one file with phase markers`,
      true,
    );
  }
  const before = text.slice(0, markers[0]!.start);
  const looseSwitch = splitSql(before).comments.find((c) => switchMarker(c.text) !== undefined);
  if (looseSwitch)
    throw new PlanError(`${base}:${lineAt(text, looseSwitch.start)}: a "rollout-guard: switch" marker belongs after "-- rollout-guard: phase switch"`);
  if (splitSql(before).pieces.length > 0) {
    throw new PlanError(
      `${base}:${lineAt(text, splitSql(before).pieces[0]!.start)}: statements before the first "-- rollout-guard: phase" marker belong to no phase`,
    );
  }
  const phases: PlanPhase[] = [];
  markers.forEach((marker, i) => {
    const written = phaseMarker(marker.text)!;
    const name = written.toLowerCase();
    const line = lineAt(text, marker.start);
    if (!isPhaseName(name)) throw new PlanError(`${base}:${line}: unknown phase "${written}"; phases are ${PHASES.join(', ')}`);
    if (phases.some((p) => p.name === name)) throw new PlanError(`${base}:${line}: phase ${name} appears twice`);
    const start = marker.end;
    const end = i + 1 < markers.length ? markers[i + 1]!.start : text.length;
    phases.push(buildPhase(name, file, `${base} (phase ${name}, line ${line})`, text.slice(start, end), line - 1, base));
  });
  phases.sort((a, b) => PHASES.indexOf(a.name) - PHASES.indexOf(b.name));
  return { name: base.replace(/\.[^.]+$/, ''), source: file, phases };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').replace(/\r\n?/g, '\n');
  } catch (error) {
    throw new PlanError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Splits and parses one phase. `lineOffset` is the number of file lines before `sql`;
 * `fileLabel` names the file in statement positions (`expand.sql:3`, `plan.sql:14`).
 */
function buildPhase(name: PhaseName, file: string, label: string, sql: string, lineOffset: number, fileLabel = phaseFileName(name)): PlanPhase {
  const { pieces, comments } = splitSql(sql);
  const units: PlanUnit[] = [];
  let block: PlanUnit | undefined;
  let blockLine = 0;
  for (const piece of pieces) {
    const text = sql.slice(piece.start, piece.end);
    const line = lineOffset + lineAt(sql, piece.start);
    const where = `${fileLabel}:${line}`;
    const parsed = parseStatement(text);
    if (!parsed.ok) throw new PlanError(`${where}: syntax error: ${parsed.message}`);
    const stmt = parsed.statements[0];
    if (!stmt) continue;
    const declaration = comments
      .filter((c) => c.start >= piece.leadingStart && c.end <= piece.start)
      .map((c) => declarationIn(c.text))
      .find((d) => d !== undefined);
    const transaction = stmt.kind === 'TransactionStmt' ? stmt.node.kind : undefined;

    if (transaction === 'TRANS_STMT_BEGIN' || transaction === 'TRANS_STMT_START') {
      if (block) throw new PlanError(`${where}: BEGIN inside the transaction block opened at line ${blockLine}`);
      block = { statements: [], transactional: true, text: '', line };
      blockLine = line;
      continue;
    }
    if (transaction === 'TRANS_STMT_COMMIT') {
      if (!block) throw new PlanError(`${where}: COMMIT without BEGIN`);
      if (block.statements.length > 0) units.push({ ...block, text: block.statements.map((s) => s.sql).join('\n;\n') });
      block = undefined;
      continue;
    }
    if (transaction)
      throw new PlanError(`${where}: ${text.split(/\s+/)[0]!.toUpperCase()} in a phase file: the runner commits each statement or BEGIN … COMMIT block itself`);

    const statement: PlanStatement = { sql: text, line, kind: stmt.kind, concurrentIndex: concurrentIndexName(stmt) };
    if (declaration !== undefined) {
      if (name !== 'backfill') throw new PlanError(`${where}: a declared backfill belongs in the backfill phase, not ${name}`);
      if (block) throw new PlanError(`${where}: a declared backfill cannot run inside BEGIN … COMMIT: each batch is its own short transaction`);
      let job: BackfillJob;
      try {
        job = backfillJob(declaration, text, stmt);
      } catch (error) {
        if (error instanceof BackfillDeclarationError) throw new PlanError(`${where}: ${error.message}`);
        throw error;
      }
      units.push({ statements: [statement], transactional: false, backfill: job, text, line });
      continue;
    }
    const transactional = runsInTransaction(stmt);
    if (block) {
      if (!transactional) throw new PlanError(`${where}: this statement cannot run inside a transaction block; move it out of BEGIN … COMMIT`);
      block.statements.push(statement);
    } else units.push({ statements: [statement], transactional, text, line });
  }
  if (block) throw new PlanError(`${fileLabel}:${blockLine}: BEGIN without COMMIT`);
  return { name, file, label, sql, checksum: checksumOf(sql), units, binding: bindingOf(name, sql, comments, lineOffset, fileLabel) };
}

/** The phase's switch marker read (at most one, in the switch phase), or a PlanError naming its line. */
function bindingOf(
  name: PhaseName,
  sql: string,
  comments: { text: string; start: number }[],
  lineOffset: number,
  fileLabel: string,
): SwitchBinding | undefined {
  let binding: SwitchBinding | undefined;
  for (const comment of comments) {
    const marker = switchMarker(comment.text);
    if (!marker) continue;
    const where = `${fileLabel}:${lineOffset + lineAt(sql, comment.start)}`;
    if ('error' in marker) throw new PlanError(`${where}: ${marker.error}`);
    if (name !== 'switch') throw new PlanError(`${where}: a "rollout-guard: switch" marker belongs in the switch phase, not ${name}`);
    if (binding) throw new PlanError(`${where}: the switch phase already binds flag ${binding.flag}; one flag per switch phase`);
    binding = marker.binding;
  }
  return binding;
}

/** Whether PostgreSQL accepts the statement inside a transaction block. */
function runsInTransaction({ kind, node }: ParsedStatement): boolean {
  switch (kind) {
    case 'IndexStmt':
    case 'DropStmt':
      return !node.concurrent;
    case 'ReindexStmt':
      return !(node.params ?? []).some((p) => unwrap(p, 'DefElem')?.defname === 'concurrently');
    case 'VacuumStmt':
      return !node.is_vacuumcmd;
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'AlterSystemStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
    case 'CallStmt': // a procedure may COMMIT, which it can only do outside a transaction block
      return false;
    case 'DoStmt': {
      const body = (node.args ?? []).map((a) => stringOf(unwrap(a, 'DefElem')?.arg) ?? '').join(' ');
      return !/\b(commit|rollback)\b/i.test(body);
    }
    default:
      return true;
  }
}

function concurrentIndexName({ kind, node }: ParsedStatement): string | undefined {
  if (kind !== 'IndexStmt' || !node.concurrent || !node.idxname) return undefined;
  const schema = node.relation?.schemaname;
  return (schema ? `${quoteIdent(schema)}.` : '') + quoteIdent(node.idxname);
}

/** 1-based line of an offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
