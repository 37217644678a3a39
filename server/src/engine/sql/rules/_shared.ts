/** Helpers shared by the SQL rules (not a rule itself). */
import type { Fix } from '../../types';
import { displayTable, tableRef, type RuleContext, type Statement } from '../context';
import type { PgNode } from '../parse';

/** True when the relation existed before this file (rules about live tables apply). */
export function isExisting(ctx: RuleContext, rangeVar: PgNode): boolean {
  return !!rangeVar && !ctx.state.isNewTable(tableRef(rangeVar));
}

export const tableOf = (rangeVar: PgNode): string => displayTable(tableRef(rangeVar));

/** Whether two relations name the same table (an unqualified name matches any schema). */
export function sameTable(a: PgNode, b: PgNode): boolean {
  const x = tableRef(a);
  const y = tableRef(b);
  return x.name === y.name && (!x.schema || !y.schema || x.schema === y.schema);
}

/** Each ALTER TABLE action with its index, subtype and definition. */
export function alterActions(stmt: Statement): { index: number; subtype: string; cmd: PgNode }[] {
  return (stmt.node.cmds ?? []).map((c: PgNode, index: number) => ({ index, subtype: c.AlterTableCmd?.subtype, cmd: c.AlterTableCmd }));
}

/** Constraints declared on a column definition. */
export const columnConstraints = (column: PgNode): PgNode[] => (column?.constraints ?? []).map((c: PgNode) => c.Constraint ?? {});

/** Last part of a type name (`pg_catalog.int4` → `int4`). */
export function typeNameOf(typeName: PgNode): string {
  const names: PgNode[] = typeName?.names ?? [];
  return names[names.length - 1]?.String?.sval ?? '';
}

/** Integer type modifiers as written: `varchar(100)` → [100], `timestamp(0)` → [0]. */
export const typeModifiers = (typeName: PgNode): number[] => (typeName?.typmods ?? []).map((m: PgNode) => m.A_Const?.ival?.ival ?? 0);

const TYPE_WORDS = new Set(['varying', 'precision', 'with', 'without', 'time', 'zone', 'character', 'double', 'bit', 'national', 'char']);

/** Range of a type as written, from its parser location: `character varying(20)`, `timestamp without time zone`. */
export function typeRange(stmt: Statement, location: number): { start: number; end: number } {
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
export function newColumns(stmt: Statement): { column: PgNode; table: PgNode }[] {
  if (stmt.kind === 'CreateStmt') {
    return (stmt.node.tableElts ?? []).filter((e: PgNode) => e.ColumnDef).map((e: PgNode) => ({ column: e.ColumnDef, table: stmt.node.relation }));
  }
  if (stmt.kind === 'AlterTableStmt') {
    return alterActions(stmt)
      .filter((a) => a.subtype === 'AT_AddColumn' && a.cmd.def?.ColumnDef)
      .map((a) => ({ column: a.cmd.def.ColumnDef, table: stmt.node.relation }));
  }
  return [];
}

/** Columns whose type a statement sets: new columns plus ALTER COLUMN … TYPE. */
export function typedColumns(stmt: Statement): { name: string; typeName: PgNode; replaceable: boolean }[] {
  const out = newColumns(stmt).map(({ column }) => ({ name: column.colname as string, typeName: column.typeName, replaceable: true }));
  if (stmt.kind === 'AlterTableStmt') {
    for (const a of alterActions(stmt)) {
      if (a.subtype === 'AT_AlterColumnType') out.push({ name: a.cmd.name, typeName: a.cmd.def?.ColumnDef?.typeName, replaceable: true });
    }
  }
  return out.filter((c) => c.typeName);
}

/** A fix that replaces a type as written with another. */
export function replaceTypeFix(stmt: Statement, typeName: PgNode, replacement: string): Fix {
  const range = typeRange(stmt, typeName.location);
  return { title: `Use ${replacement}`, edits: [{ ...range, newText: replacement }], preferred: true };
}

/**
 * Range from a DML verb to its target table, e.g. `UPDATE ONLY public.orders`,
 * `DELETE FROM orders`: the verb nearest before the table, past any WITH clause.
 */
export function verbRange(stmt: Statement, verb: string, relation: PgNode): { start: number; end: number } {
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
export const ident = (name: string): string => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);
