import type { Fix } from '../../types';
import { unwrap, type IndexStmt } from '../ast';
import { tableRef, type SqlRule, type Statement } from '../context';
import { alterActions, ident } from './_shared';

export const preferRobustStmts: SqlRule<'AlterTableStmt' | 'IndexStmt' | 'CreateStmt' | 'DropStmt'> = {
  id: 'prefer-robust-stmts',
  severity: 'info',
  summary: 'Outside a transaction, a migration that fails half-way can only be re-run if each statement is idempotent (IF [NOT] EXISTS).',
  kinds: ['AlterTableStmt', 'IndexStmt', 'CreateStmt', 'DropStmt'],
  check(stmt, ctx, report) {
    if (ctx.state.inTransaction() || stmt.origin !== 'file') return;
    const { kind, node: n } = stmt.parsed;
    // A file of one statement is applied whole or not at all (Prisma's one-statement migrations): a re-run meets nothing
    // it left behind, except the INVALID index a failed CREATE INDEX CONCURRENTLY leaves under its name.
    const failedConcurrentBuild = kind === 'IndexStmt' && !!n.concurrent;
    if (ctx.state.soleStatement && !failedConcurrentBuild) return;
    const why = ctx.state.soleStatement
      ? 'if it fails, it leaves an INVALID index behind, so the migration cannot simply be re-run'
      : 'this migration runs outside a transaction, so if a later statement fails it cannot simply be re-run';
    const problem = (range: { start: number; end: number }, what: string, fix?: Fix): void =>
      report({ ...range, message: `${what}: ${why}. Make it idempotent.`, fixes: fix ? [fix] : [] });
    switch (kind) {
      case 'IndexStmt': {
        const word = n.concurrent ? 'concurrently' : 'index';
        if (!n.idxname) {
          // A re-run builds a second, identical index.
          const name = defaultIndexName(n);
          problem(
            stmt.headRange(word),
            'CREATE INDEX without a name (a re-run adds a duplicate index)',
            name ? insertAfter(stmt, word, ` IF NOT EXISTS ${name}`, `Name it ${name} and add IF NOT EXISTS`) : undefined,
          );
        } else if (!n.if_not_exists) problem(stmt.headRange(word), 'CREATE INDEX without IF NOT EXISTS', insertAfter(stmt, word, ' IF NOT EXISTS'));
        break;
      }
      case 'CreateStmt':
        if (!n.if_not_exists) problem(stmt.headRange('table'), 'CREATE TABLE without IF NOT EXISTS', insertAfter(stmt, 'table', ' IF NOT EXISTS'));
        break;
      case 'DropStmt':
        if (!n.missing_ok && (n.removeType === 'OBJECT_TABLE' || n.removeType === 'OBJECT_INDEX')) {
          const word = n.removeType === 'OBJECT_TABLE' ? 'table' : n.concurrent ? 'concurrently' : 'index';
          problem(stmt.headRange(word), `DROP ${n.removeType === 'OBJECT_TABLE' ? 'TABLE' : 'INDEX'} without IF EXISTS`, insertAfter(stmt, word, ' IF EXISTS'));
        }
        break;
      case 'AlterTableStmt': {
        if (ctx.state.isNewTable(tableRef(n.relation))) break;
        for (const action of alterActions(n)) {
          const range = stmt.actionRange(action.index);
          const constraintName = action.subtype === 'AT_AddConstraint' ? unwrap(action.cmd.def, 'Constraint')?.conname : undefined;
          if (action.subtype === 'AT_AddColumn' && !action.cmd.missing_ok) {
            problem(
              range,
              'ADD COLUMN without IF NOT EXISTS',
              insertBeforeColumnName(stmt, range, unwrap(action.cmd.def, 'ColumnDef')?.location, ' IF NOT EXISTS'),
            );
          } else if (action.subtype === 'AT_DropColumn' && !action.cmd.missing_ok) {
            problem(range, 'DROP COLUMN without IF EXISTS', insertAfterIn(stmt, range, ['column', 'drop'], ' IF EXISTS'));
          } else if (action.subtype === 'AT_DropConstraint' && !action.cmd.missing_ok) {
            problem(range, 'DROP CONSTRAINT without IF EXISTS', insertAfterIn(stmt, range, ['constraint'], ' IF EXISTS'));
          } else if (constraintName) {
            const name = constraintName;
            const droppedBefore = ctx.state.droppedIfExists(n.relation?.relname ?? '', name);
            if (!droppedBefore) {
              const table = stmt.nameRange(stmt.at(n.relation?.location));
              const drop = `ALTER TABLE ${stmt.text.slice(table.start, table.end)} DROP CONSTRAINT IF EXISTS ${ident(name)};\n`;
              problem(range, `ADD CONSTRAINT ${name} with no DROP CONSTRAINT IF EXISTS ${name} before it`, {
                title: `Drop ${name} if it exists first`,
                edits: [{ start: stmt.start, end: stmt.start, newText: drop }],
                preferred: true,
              });
            }
          }
        }
        break;
      }
    }
  },
};

/** The name PostgreSQL gives an unnamed index on plain columns: <table>_<columns>_idx. */
function defaultIndexName(n: IndexStmt): string | undefined {
  const columns = (n.indexParams ?? []).map((p) => unwrap(p, 'IndexElem')?.name);
  if (columns.length === 0 || columns.some((c) => !c)) return undefined;
  const name = `${n.relation?.relname}_${columns.join('_')}_idx`;
  return Buffer.byteLength(name) <= 63 ? ident(name) : undefined;
}

function insertAfter(stmt: Statement, word: string, text: string, title = `Add${text}`): Fix | undefined {
  const token = stmt.findWord(word);
  return token && { title, edits: [{ start: token.end, end: token.end, newText: text }], preferred: true };
}

function insertAfterIn(stmt: Statement, range: { start: number; end: number }, words: string[], text: string): Fix | undefined {
  for (const word of words) {
    const token = stmt.tokens.find((t) => t.start >= range.start && t.end <= range.end && t.kind === 'word' && t.text === word);
    if (token) return { title: `Add${text}`, edits: [{ start: token.end, end: token.end, newText: text }], preferred: true };
  }
  return undefined;
}

function insertBeforeColumnName(stmt: Statement, range: { start: number; end: number }, location: number | undefined, text: string): Fix | undefined {
  if (location === undefined) return undefined;
  // ColumnDef.location is the column name: IF NOT EXISTS goes right before it.
  const at = stmt.at(location);
  if (at < range.start || at > range.end) return undefined;
  return { title: `Add${text}`, edits: [{ start: at, end: at, newText: `${text.trim()} ` }], preferred: true };
}
