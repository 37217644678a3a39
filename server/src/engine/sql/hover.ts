import type { EngineSettings } from '../types';
import { byteToCharMapper } from '../text';
import { LeadingComments } from '../rule-runner';
import { Statement, type FileState } from './context';
import { alterActionLock, describeLock, statementLock } from './locks';
import { unwrap } from './ast';
import { parseStatement } from './parse';
import { SchemaFacts, type SchemaCondition } from './schema';
import { splitSql } from './split';
import { namedTables } from './unknown-tables';
import { partStarts, startState } from './migration-tools';
import { displayTable, tableRef } from './context';

export interface StatementHover {
  start: number;
  end: number;
  /** Markdown. */
  contents: string;
}

/**
 * What the statement at `offset` locks, for how long, and what that blocks. `earlier`: what the
 * earlier migrations of its folder establish (a type change they make rewrite-free is quick, as the findings say).
 */
export function hoverSql(
  text: string,
  offset: number,
  settings: EngineSettings,
  earlier = new SchemaFacts(),
  file: { fileName?: string; migrationTool?: string } = {},
): StatementHover | undefined {
  const { pieces, comments } = splitSql(text);
  // The file runs as the findings say it does (its tool's transaction, or none, changeset by changeset).
  let state = startState(text, pieces, settings, file.fileName, file.migrationTool);
  const leading = new LeadingComments(comments);
  for (const piece of pieces) {
    if (piece.start > offset) return undefined;
    state = partStarts(state, leading.before(piece)).state;
    const source = text.slice(piece.start, piece.end);
    const outcome = parseStatement(source);
    if (!outcome.ok) continue;
    const map = byteToCharMapper(source);
    for (const parsed of outcome.statements) {
      const stmt = new Statement(parsed, text, piece.start, piece.end, piece.semicolon, (b) => piece.start + map(b), 'file');
      if (offset <= piece.end) return describe(stmt, state, earlier);
      state = state.next(stmt.parsed, source);
    }
  }
  return undefined;
}

function describe(stmt: Statement, state: FileState, earlier: SchemaFacts): StatementHover | undefined {
  const facts = earlier.copy();
  for (const change of state.schemaChanges) facts.apply(change);
  const holds = (condition: SchemaCondition): boolean => facts.holds(condition);
  const guessed = statementLock(stmt, state, holds);
  if (!guessed) return undefined;
  // "the table of <index>", "the table <constraint> references": the earlier migrations, or this file before it, may say which.
  const lock = { ...guessed, table: namedTables(guessed.table, [], facts) };
  const lines = [`**${describeLock(lock)}.**`];
  const { kind, node } = stmt.parsed;
  if (kind === 'AlterTableStmt' && node.cmds && node.cmds.length > 1) {
    const table = displayTable(tableRef(node.relation));
    for (const item of node.cmds) {
      const cmd = unwrap(item, 'AlterTableCmd') ?? {};
      const action = alterActionLock(cmd, state.settings.pgVersion, { table: tableRef(node.relation), holds });
      const label = String(cmd.subtype ?? '')
        .replace(/^AT_/, '')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toUpperCase();
      lines.push(`- ${label}${cmd.name ? ` ${cmd.name}` : ''}: ${action.mode} on ${table}, ${action.duration}`);
    }
  }
  // A foreign key locks the table it references too.
  if (kind === 'AlterTableStmt') {
    for (const item of node.cmds ?? []) {
      const cmd = unwrap(item, 'AlterTableCmd') ?? {};
      const c = cmd.subtype === 'AT_AddConstraint' ? unwrap(cmd.def, 'Constraint') : undefined;
      if (c?.contype !== 'CONSTR_FOREIGN') continue;
      const action = alterActionLock(cmd, state.settings.pgVersion);
      lines.push('', `The foreign key also takes ${describeLock({ ...action, table: displayTable(tableRef(c.pktable)) })} (the referenced table).`);
    }
  }
  // REINDEX locks each index it rebuilds ACCESS EXCLUSIVE, and the planner locks every index of a table it plans for.
  if (kind === 'ReindexStmt') {
    lines.push('', 'Each index being rebuilt is locked ACCESS EXCLUSIVE: queries on the table wait too, since the planner locks every index of the table.');
  }
  // Every statement with a `relation` names its table there (RangeTableSample, the one other node with one, is no statement).
  const relation = kind !== 'RangeTableSample' && 'relation' in node ? node.relation : undefined;
  if (state.isNewTable(relation ? tableRef(relation) : { name: '' })) {
    lines.push('', 'The table is created earlier in this file, so nobody else can be using it yet.');
  } else if (state.inTransaction()) {
    lines.push('', 'Inside a transaction: the lock is held until COMMIT.');
  }
  return { start: stmt.start, end: stmt.end, contents: lines.join('\n') };
}
