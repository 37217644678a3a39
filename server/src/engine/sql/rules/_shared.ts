/** Helpers shared by the SQL rules (not a rule itself). */
import type { Fix, StatementReport } from '../../types';
import { displayTable, tableRef, type EndContext, type RuleContext, type Statement } from '../context';
import { describeLock } from '../locks';
import { migrationToolNamed } from '../migration-tools';
import {
  stringOf,
  unwrap,
  type AlterTableCmd,
  type AlterTableStmt,
  type AlterTableType,
  type ColumnDef,
  type Constraint,
  type RangeVar,
  type TypeName,
} from '../ast';

/** True when the relation existed before this file (rules about live tables apply). */
export function isExisting(ctx: RuleContext, rangeVar: RangeVar | undefined): boolean {
  return !!rangeVar && !ctx.state.isNewTable(tableRef(rangeVar));
}

/** System catalogs (`UPDATE pg_index SET indisready = …`): a handful of rows, no application traffic. */
export const isCatalog = (relation: RangeVar | undefined): boolean =>
  relation?.schemaname === 'pg_catalog' || (!relation?.schemaname && /^pg_/.test(relation?.relname ?? ''));

export const tableOf = (rangeVar: RangeVar | undefined): string => displayTable(tableRef(rangeVar));

/** Whether two relations name the same table (an unqualified name matches any schema). */
export function sameTable(a: RangeVar | undefined, b: RangeVar | undefined): boolean {
  const x = tableRef(a);
  const y = tableRef(b);
  return x.name === y.name && (!x.schema || !y.schema || x.schema === y.schema);
}

/** Each ALTER TABLE action with its index, subtype and definition. */
export function alterActions(alter: AlterTableStmt): { index: number; subtype: AlterTableType | undefined; cmd: AlterTableCmd }[] {
  return (alter.cmds ?? []).map((c, index) => {
    const cmd = unwrap(c, 'AlterTableCmd') ?? {};
    return { index, subtype: cmd.subtype, cmd };
  });
}

/** Constraints declared on a column definition. */
export const columnConstraints = (column: ColumnDef | undefined): Constraint[] => (column?.constraints ?? []).map((c) => unwrap(c, 'Constraint') ?? {});

/**
 * Reports each column an ALTER TABLE adds to a live table that makes PostgreSQL rewrite it:
 * `rewrite` says why and what to do instead, or undefined when the column writes nothing. A
 * foreign table stores nothing here to rewrite; a table created earlier in the file is empty.
 */
export function reportRewritingColumns(
  stmt: Statement<'AlterTableStmt'>,
  ctx: RuleContext,
  report: (finding: StatementReport) => void,
  rewrite: (column: ColumnDef | undefined, constraints: Constraint[]) => { why: string; instead: string } | undefined,
): void {
  if (stmt.node.objtype === 'OBJECT_FOREIGN_TABLE' || !isExisting(ctx, stmt.node.relation)) return;
  const table = tableOf(stmt.node.relation);
  for (const action of alterActions(stmt.node)) {
    if (action.subtype !== 'AT_AddColumn') continue;
    const column = unwrap(action.cmd.def, 'ColumnDef');
    const found = rewrite(column, columnConstraints(column));
    if (!found) continue;
    const lock = describeLock({ mode: 'ACCESS EXCLUSIVE', table, duration: 'until the table is rewritten' });
    report({ ...stmt.actionRange(action.index), message: `Adding ${table}.${column?.colname}: ${found.why}. ${lock}. ${found.instead}` });
  }
}

/** Last part of a type name (`pg_catalog.int4` → `int4`). */
export function typeNameOf(typeName: TypeName | undefined): string {
  const names = typeName?.names ?? [];
  return stringOf(names[names.length - 1]) ?? '';
}

/** Integer type modifiers as written: `varchar(100)` → [100], `timestamp(0)` → [0]. */
export const typeModifiers = (typeName: TypeName | undefined): number[] => (typeName?.typmods ?? []).map((m) => unwrap(m, 'A_Const')?.ival?.ival ?? 0);

const TYPE_WORDS = new Set(['varying', 'precision', 'with', 'without', 'time', 'zone', 'character', 'double', 'bit', 'national', 'char']);

/** Range of a type as written, from its parser location: `character varying(20)`, `timestamp without time zone`. */
export function typeRange(stmt: Statement, location: number | undefined): { start: number; end: number } {
  const start = stmt.at(location);
  const tokens = stmt.tokens;
  let i = tokens.findIndex((t) => t.start >= start);
  if (i < 0) return { start, end: start + 1 };
  let end = tokens[i]!.end;
  // schema-qualified
  while (tokens[i + 1]?.text === '.' && tokens[i + 2]) {
    i += 2;
    end = tokens[i]!.end;
  }
  for (;;) {
    const next = tokens[i + 1];
    if (next && next.kind === 'word' && TYPE_WORDS.has(next.text)) {
      i++;
      end = next.end;
    } else if (next && next.text === '(') {
      let depth = 0;
      for (i = i + 1; i < tokens.length; i++) {
        if (tokens[i]!.text === '(') depth++;
        else if (tokens[i]!.text === ')' && --depth === 0) break;
      }
      end = tokens[Math.min(i, tokens.length - 1)]!.end;
    } else break;
  }
  return { start, end };
}

/** Column definitions a statement introduces: CREATE TABLE columns and ALTER TABLE ADD COLUMN. */
export function newColumns(stmt: Statement): { column: ColumnDef; table: RangeVar | undefined }[] {
  const { kind, node } = stmt.parsed;
  if (kind === 'CreateStmt') {
    return (node.tableElts ?? []).flatMap((e) => {
      const column = unwrap(e, 'ColumnDef');
      return column ? [{ column, table: node.relation }] : [];
    });
  }
  if (kind === 'AlterTableStmt') {
    return alterActions(node).flatMap((a) => {
      const column = a.subtype === 'AT_AddColumn' ? unwrap(a.cmd.def, 'ColumnDef') : undefined;
      return column ? [{ column, table: node.relation }] : [];
    });
  }
  return [];
}

/** Columns whose type a statement sets: new columns plus ALTER COLUMN … TYPE. */
export function typedColumns(stmt: Statement): { name: string; typeName: TypeName; replaceable: boolean }[] {
  const out = newColumns(stmt).map(({ column }) => ({ name: column.colname, typeName: column.typeName, replaceable: true }));
  const { kind, node } = stmt.parsed;
  if (kind === 'AlterTableStmt') {
    for (const a of alterActions(node)) {
      if (a.subtype === 'AT_AlterColumnType') out.push({ name: a.cmd.name, typeName: unwrap(a.cmd.def, 'ColumnDef')?.typeName, replaceable: true });
    }
  }
  return out.flatMap(({ name, typeName, replaceable }) => (typeName ? [{ name: name ?? '', typeName, replaceable }] : []));
}

/** A fix that replaces a type as written with another. */
export function replaceTypeFix(stmt: Statement, typeName: TypeName, replacement: string): Fix {
  const range = typeRange(stmt, typeName.location);
  return { title: `Use ${replacement}`, edits: [{ ...range, newText: replacement }], preferred: true };
}

/**
 * Range from a DML verb to its target table, e.g. `UPDATE ONLY public.orders`,
 * `DELETE FROM orders`: the verb nearest before the table, past any WITH clause.
 */
export function verbRange(stmt: Statement, verb: string, relation: RangeVar | undefined): { start: number; end: number } {
  const table = stmt.nameRange(stmt.at(relation?.location));
  const token = stmt.tokens.findLast((t) => t.kind === 'word' && t.text === verb && t.start < table.start);
  return { start: token?.start ?? stmt.start, end: table.end };
}

/** A fix that inserts text right after a keyword of the statement. */
export function insertAfterWord(stmt: Statement, word: string, text: string, title: string, preferred = true): Fix | undefined {
  const token = stmt.findWord(word);
  return token ? { title, edits: [{ start: token.end, end: token.end, newText: text }], preferred } : undefined;
}

/** Quoted SQL identifier when needed. */
export const ident = (name: string): string => (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`);

/** A displayed table name (`schema.table`) as SQL writes it, part by part (see ident). */
export const identPath = (name: string): string => name.split('.').map(ident).join('.');

/** PostgreSQL's reserved words: as a name they must be quoted. */
const RESERVED = new Set(
  'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral leading limit localtime localtimestamp not null offset on only or order placing primary references returning select session_user some symmetric system_user table then to trailing true union unique user using variadic when where window with'.split(
    ' ',
  ),
);

/**
 * Where a CONCURRENTLY form of the statement can run, said the way the file's migration tool allows
 * (a Prisma file of several statements is one transaction: alone in a migration of its own).
 */
export const whereConcurrentlyRuns = (ctx: RuleContext): string =>
  ctx.state.inTransaction()
    ? (migrationToolNamed(ctx.state.migrationTool)?.withoutTransaction ?? 'in a migration of its own, outside a transaction')
    : 'outside a transaction';

/**
 * " Reads wait too: …" when an earlier statement of the open transaction took ACCESS EXCLUSIVE on the
 * table (under its old name, when the transaction renamed it): held until COMMIT, it keeps reads out
 * while this statement works, though this statement's own lock lets them go on. Else ''.
 */
export function readsWaitToo(ctx: RuleContext, relation: RangeVar | undefined): string {
  if (!ctx.state.inTransaction()) return '';
  const table = tableOf(relation);
  const former = ctx.state.renamedLiveTable(tableRef(relation));
  const names = [table, ...(former ? [displayTable(former)] : [])];
  const held = ctx.state.exclusiveLocks.some((l) => !l.dropped && names.includes(l.table));
  return held ? ` Reads wait too: an earlier statement of the transaction took ACCESS EXCLUSIVE on ${table}, held until COMMIT.` : '';
}

/**
 * A CONCURRENTLY index operation (CREATE or DROP INDEX, REINDEX) where PostgreSQL refuses it: in a
 * transaction block, a DO block or a function. Its verb and where it is; undefined when it can run.
 */
export function refusedInTransaction(stmt: Statement, ctx: RuleContext): { verb: string; where: string } | undefined {
  const { kind, node: n } = stmt.parsed;
  if (kind !== 'IndexStmt' && kind !== 'DropStmt' && kind !== 'ReindexStmt') return undefined;
  const concurrent = kind === 'ReindexStmt' ? (n.params ?? []).some((p) => unwrap(p, 'DefElem')?.defname === 'concurrently') : n.concurrent;
  if (!concurrent || (kind === 'DropStmt' && n.removeType !== 'OBJECT_INDEX')) return undefined;
  const where =
    stmt.origin === 'do-block'
      ? 'inside a DO block'
      : stmt.origin === 'function-body'
        ? 'inside a function'
        : ctx.state.explicitTransaction
          ? 'inside the transaction opened by BEGIN'
          : ctx.state.runsInToolTransaction
            ? `in a migration that runs in a transaction (${ctx.state.toolTransactionReason})`
            : undefined;
  if (!where) return undefined;
  return { verb: kind === 'IndexStmt' ? 'CREATE INDEX CONCURRENTLY' : kind === 'DropStmt' ? 'DROP INDEX CONCURRENTLY' : 'REINDEX … CONCURRENTLY', where };
}

/** Where a rename reported at the end of the file is: from RENAME to the end of its statement (in a DO block, its own `;`). */
export function renameRange(ctx: EndContext, unitSource: string): { start: number; end: number } | undefined {
  const unit = ctx.locateUnit(unitSource);
  if (!unit) return undefined;
  const word = /\brename\b/i.exec(ctx.text.slice(unit.start, unit.end));
  const start = unit.start + (word?.index ?? 0);
  const semicolon = ctx.text.indexOf(';', start);
  return { start, end: semicolon >= 0 && semicolon < unit.end ? semicolon : unit.end };
}
