/**
 * The foreign keys fk-missing-index looks for indexes of: those on columns a statement adds (no
 * index from an earlier migration can cover a column that did not exist, unless the column was
 * there already: ADD COLUMN IF NOT EXISTS, CREATE TABLE IF NOT EXISTS, a table dropped and created again).
 */
import { stringOf, unwrap, type Constraint, type Node, type RangeVar } from './ast';
import type { ParsedStatement } from './parse';
import { tableRefOf, type TableRef } from './schema';

export interface ForeignKey {
  /** The referencing table. */
  table: TableRef;
  columns: string[];
  referenced: string;
  /** Parser location of the constraint (its caller turns it into an offset in the statement). */
  at: number;
  /** The table is created in this file: a plain CREATE INDEX right after it is safe. */
  newTable: boolean;
}

const display = (relation: RangeVar | undefined): string => (relation?.schemaname ? `${relation.schemaname}.${relation.relname}` : (relation?.relname ?? '?'));
const names = (list: Node[] | undefined): string[] => (list ?? []).map((n) => stringOf(n) ?? '?');

/**
 * Foreign keys a statement adds on columns it adds, on columns an earlier statement of the file added
 * (`addedColumns`: `table.column`, see addedColumnsOf), or on any column of a table created in this file.
 */
export function foreignKeysOf(
  stmt: ParsedStatement,
  isNewTable: (relation: RangeVar | undefined) => boolean,
  addedColumns: readonly string[] = [],
): ForeignKey[] {
  const out: ForeignKey[] = [];
  const add = (relation: RangeVar | undefined, c: Constraint, columns: string[], newTable: boolean): void => {
    if (c.contype !== 'CONSTR_FOREIGN' || !columns.length) return;
    out.push({ table: tableRefOf(relation), columns, referenced: display(c.pktable), at: c.location ?? 0, newTable });
  };
  // The node is read only for the kinds that can add keys: a query's tree is decoded when first read.
  if (stmt.kind === 'CreateStmt') {
    const n = stmt.node;
    if (n.relation?.relpersistence === 't') return [];
    for (const element of n.tableElts ?? []) {
      const column = unwrap(element, 'ColumnDef');
      for (const c of column?.constraints ?? []) add(n.relation, unwrap(c, 'Constraint') ?? {}, [column?.colname ?? '?'], true);
      const c = unwrap(element, 'Constraint');
      if (c) add(n.relation, c, names(c.fk_attrs), true);
    }
  } else if (stmt.kind === 'AlterTableStmt' && stmt.node.objtype === 'OBJECT_TABLE') {
    const n = stmt.node;
    const newTable = isNewTable(n.relation);
    const added = new Set([...addedColumns, ...addedColumnsOf(stmt)]);
    for (const item of n.cmds ?? []) {
      const cmd = unwrap(item, 'AlterTableCmd');
      const column = cmd?.subtype === 'AT_AddColumn' ? unwrap(cmd.def, 'ColumnDef') : undefined;
      for (const c of column?.constraints ?? []) add(n.relation, unwrap(c, 'Constraint') ?? {}, [column?.colname ?? '?'], newTable);
      const c = cmd?.subtype === 'AT_AddConstraint' ? unwrap(cmd.def, 'Constraint') : undefined;
      // Prisma's way: ADD COLUMN "teamId", then ADD CONSTRAINT … FOREIGN KEY ("teamId").
      if (c && (newTable || names(c.fk_attrs).every((name) => added.has(`${display(n.relation)}.${name}`)))) add(n.relation, c, names(c.fk_attrs), newTable);
    }
  }
  return out;
}

/** `table.column` of the columns an ALTER TABLE adds. */
export function addedColumnsOf(stmt: ParsedStatement): string[] {
  if (stmt.kind !== 'AlterTableStmt' || stmt.node.objtype !== 'OBJECT_TABLE') return [];
  const table = display(stmt.node.relation);
  return (stmt.node.cmds ?? []).flatMap((item) => {
    const cmd = unwrap(item, 'AlterTableCmd');
    const column = cmd?.subtype === 'AT_AddColumn' ? unwrap(cmd.def, 'ColumnDef')?.colname : undefined;
    return column ? [`${table}.${column}`] : [];
  });
}

/**
 * The tables a CREATE TABLE's or ALTER TABLE's new foreign keys reference (`checkedOnly`: leaving out
 * those added NOT VALID and the inline REFERENCES of added columns, whose rows are not checked).
 */
export function referencedTables(stmt: ParsedStatement, options: { checkedOnly?: boolean } = {}): RangeVar[] {
  let constraints: Node[] = [];
  // The node is read only for the kinds that can add keys: a query's tree is decoded when first read.
  if (stmt.kind === 'CreateStmt') {
    constraints = (stmt.node.tableElts ?? []).flatMap((element) => [element, ...(unwrap(element, 'ColumnDef')?.constraints ?? [])]);
  } else if (stmt.kind === 'AlterTableStmt') {
    constraints = (stmt.node.cmds ?? []).flatMap((item) => {
      const def = unwrap(item, 'AlterTableCmd')?.def;
      return def ? [def, ...(options.checkedOnly ? [] : (unwrap(def, 'ColumnDef')?.constraints ?? []))] : [];
    });
  }
  return constraints.flatMap((node) => {
    const c = unwrap(node, 'Constraint');
    return c?.contype === 'CONSTR_FOREIGN' && c.pktable && !(options.checkedOnly && c.skip_validation) ? [c.pktable] : [];
  });
}
