/**
 * What a migration leaves in the schema that later statements, and later files of its folder,
 * can count on: the indexes of a table (their leading columns), its `CHECK (col IS NOT NULL)`
 * constraints, and its columns' types. A file's lint records the changes its statements make, in
 * order (`SchemaChange`, plain data); replaying the changes of the files before it gives the facts
 * a finding may depend on. A finding that a fact would withdraw carries that fact as its condition
 * (`EarlierFact`): the CLI and the language server, which see the folder, drop it when an earlier
 * file established the fact (see migration-order.ts).
 */
import { stringOf, unwrap, type AlterTableCmd, type Constraint, type Node, type RangeVar, type TypeName } from './ast';
import type { ParsedStatement } from './parse';

export interface TableRef {
  schema?: string;
  name: string;
}

/** Whether two references name the same table (an unqualified name matches any schema). */
export const sameTable = (a: TableRef, b: TableRef): boolean => a.name === b.name && (!a.schema || !b.schema || a.schema === b.schema);

export const tableRefOf = (rangeVar: RangeVar | undefined): TableRef =>
  rangeVar?.schemaname ? { schema: rangeVar.schemaname, name: rangeVar.relname ?? '?' } : { name: rangeVar?.relname ?? '?' };

/** A column type as written: `varchar(100)` is { name: 'varchar', modifiers: [100] }. */
export interface ColumnType {
  name: string;
  modifiers: number[];
  array: boolean;
}

/** One change a statement makes to the facts. */
export type SchemaChange =
  /** A table created anew (not IF NOT EXISTS): what was known of a table of that name is gone. */
  | { op: 'create-table'; table: TableRef }
  | { op: 'drop-table'; table: TableRef }
  | { op: 'rename-table'; table: TableRef; to: string }
  /**
   * An index (CREATE INDEX; PRIMARY KEY; UNIQUE) with its leading plain columns (none when it starts
   * with an expression); `unique`: a unique index of plain columns only (these are all of its
   * columns); `partial`: it has a WHERE, so it covers some rows only.
   */
  | { op: 'index'; table: TableRef; name: string; columns: string[]; unique?: true; partial?: true }
  | { op: 'drop-index'; name: string }
  | { op: 'rename-index'; name: string; to: string }
  /** A CHECK (column IS NOT NULL), validated or NOT VALID. */
  | { op: 'not-null-check'; table: TableRef; name: string; column: string; validated: boolean }
  | { op: 'validate-constraint'; table: TableRef; name: string }
  /** A foreign key: its name and the table it references (whose triggers it owns: dropping it locks that table too). */
  | { op: 'foreign-key'; table: TableRef; name: string; columns: string[]; references: TableRef }
  | { op: 'drop-constraint'; table: TableRef; name: string }
  /** A column added (`added`) or retyped; `ifNotExists`: added only where it is not there yet. */
  | { op: 'column'; table: TableRef; column: string; type: ColumnType; added?: true; ifNotExists?: boolean }
  | { op: 'drop-column'; table: TableRef; column: string }
  | { op: 'rename-column'; table: TableRef; column: string; to: string };

/** A fact that withdraws a finding. */
export type SchemaCondition =
  /** An index whose leading columns are these, in any order (a foreign key's). */
  | { fact: 'index'; table: TableRef; columns: string[] }
  /** A unique index on these columns and no others, in any order: equal to values, they pick one row. */
  | { fact: 'key'; table: TableRef; columns: string[] }
  /** A validated CHECK (column IS NOT NULL): SET NOT NULL skips its scan (PostgreSQL 12+). */
  | { fact: 'not-null-check'; table: TableRef; column: string }
  /** The column's type is one PostgreSQL changes to `to` without rewriting the table. */
  | { fact: 'rewrite-free-type'; table: TableRef; column: string; to: ColumnType }
  /** The index of that name (on plain leading columns, not partial) is on this table: DROP INDEX locks it. */
  | { fact: 'index-on'; table: TableRef; index: string };

/**
 * A finding's condition: withdrawn when the facts of the earlier files of its folder, followed by
 * the first `after` changes of its own file (those before its statement), satisfy `condition`.
 */
export interface EarlierFact {
  condition: SchemaCondition;
  after: number;
}

interface Index {
  table: TableRef;
  name: string;
  columns: string[];
  unique?: true;
  partial?: true;
}
interface NotNullCheck {
  table: TableRef;
  name: string;
  column: string;
  validated: boolean;
}
interface Column {
  table: TableRef;
  column: string;
  type: ColumnType;
}
interface ForeignKeyFact {
  table: TableRef;
  name: string;
  columns: string[];
  references: TableRef;
}

/** The facts of the tables of one name (in any schema: an unqualified name matches them all). */
interface Bucket {
  indexes: Index[];
  checks: NotNullCheck[];
  columns: Column[];
  foreignKeys: ForeignKeyFact[];
}

const emptyBucket = (): Bucket => ({ indexes: [], checks: [], columns: [], foreignKeys: [] });

/** The facts some changes establish, replayed in order. */
export class SchemaFacts {
  private readonly tables = new Map<string, Bucket>();

  static of(changes: readonly SchemaChange[]): SchemaFacts {
    const facts = new SchemaFacts();
    for (const change of changes) facts.apply(change);
    return facts;
  }

  /** A copy to apply more changes to, of every table or of the tables named `name` only (enough to ask about them, unless a change renames another table to it). */
  copy(name?: string): SchemaFacts {
    const facts = new SchemaFacts();
    const copied = (bucket: Bucket): Bucket => ({
      indexes: [...bucket.indexes],
      checks: [...bucket.checks],
      columns: [...bucket.columns],
      foreignKeys: [...bucket.foreignKeys],
    });
    if (name === undefined) for (const [table, bucket] of this.tables) facts.tables.set(table, copied(bucket));
    else {
      const bucket = this.tables.get(name);
      if (bucket) facts.tables.set(name, copied(bucket));
    }
    return facts;
  }

  apply(change: SchemaChange): void {
    if (change.op === 'drop-index' || change.op === 'rename-index') {
      // Index names are unique in a schema: the index is on whichever table has it.
      for (const bucket of this.tables.values()) {
        if (!bucket.indexes.some((i) => i.name === change.name)) continue;
        bucket.indexes =
          change.op === 'drop-index'
            ? bucket.indexes.filter((i) => i.name !== change.name)
            : bucket.indexes.map((i) => (i.name === change.name ? { ...i, name: change.to } : i));
      }
      return;
    }
    const { table } = change;
    let bucket = this.tables.get(table.name);
    if (!bucket) this.tables.set(table.name, (bucket = emptyBucket()));
    const on = (fact: { table: TableRef }): boolean => sameTable(fact.table, table);
    const b = bucket;
    const keep = (drop: (fact: { table: TableRef } & ({ column: string } | { columns: string[] })) => boolean): void => {
      b.indexes = b.indexes.filter((i) => !drop(i));
      b.checks = b.checks.filter((c) => !drop(c));
      b.columns = b.columns.filter((c) => !drop(c));
      b.foreignKeys = b.foreignKeys.filter((k) => !drop(k));
    };
    switch (change.op) {
      case 'create-table':
      case 'drop-table':
        keep(on);
        return;
      case 'rename-table': {
        const moved = <T extends { table: TableRef }>(facts: T[]): T[] => facts.filter(on).map((f) => ({ ...f, table: { ...f.table, name: change.to } }));
        const target = this.tables.get(change.to) ?? emptyBucket();
        this.tables.set(change.to, {
          indexes: [...target.indexes, ...moved(b.indexes)],
          checks: [...target.checks, ...moved(b.checks)],
          columns: [...target.columns, ...moved(b.columns)],
          foreignKeys: [...target.foreignKeys, ...moved(b.foreignKeys)],
        });
        keep(on);
        return;
      }
      case 'index':
        b.indexes.push({
          table,
          name: change.name,
          columns: change.columns,
          ...(change.unique ? { unique: true as const } : {}),
          ...(change.partial ? { partial: true as const } : {}),
        });
        return;
      case 'not-null-check':
        b.checks.push({ table, name: change.name, column: change.column, validated: change.validated });
        return;
      case 'foreign-key':
        b.foreignKeys.push({ table, name: change.name, columns: change.columns, references: change.references });
        return;
      case 'validate-constraint':
        b.checks = b.checks.map((c) => (on(c) && c.name === change.name ? { ...c, validated: true } : c));
        return;
      case 'drop-constraint':
        // A PRIMARY KEY or UNIQUE constraint's index has its name.
        b.indexes = b.indexes.filter((i) => !(on(i) && i.name === change.name));
        b.checks = b.checks.filter((c) => !(on(c) && c.name === change.name));
        b.foreignKeys = b.foreignKeys.filter((k) => !(on(k) && k.name === change.name));
        return;
      case 'column': {
        const known = b.columns.some((c) => on(c) && c.column === change.column);
        if (known && change.ifNotExists) return;
        if (known) b.columns = b.columns.filter((c) => !(on(c) && c.column === change.column));
        b.columns.push({ table, column: change.column, type: change.type });
        return;
      }
      case 'drop-column':
        // PostgreSQL drops the indexes and constraints that use the column with it.
        keep((fact) => on(fact) && ('columns' in fact ? fact.columns.includes(change.column) : fact.column === change.column));
        return;
      case 'rename-column': {
        const rename = (column: string): string => (column === change.column ? change.to : column);
        b.indexes = b.indexes.map((i) => (on(i) ? { ...i, columns: i.columns.map(rename) } : i));
        b.checks = b.checks.map((c) => (on(c) ? { ...c, column: rename(c.column) } : c));
        b.columns = b.columns.map((c) => (on(c) ? { ...c, column: rename(c.column) } : c));
        b.foreignKeys = b.foreignKeys.map((k) => (on(k) ? { ...k, columns: k.columns.map(rename) } : k));
        return;
      }
    }
  }

  /** The table of index `name` (its unqualified name), when a change created it and none dropped it since. */
  tableOfIndex(name: string): TableRef | undefined {
    for (const bucket of this.tables.values()) {
      const index = bucket.indexes.find((i) => i.name === name);
      if (index) return index.table;
    }
    return undefined;
  }

  /** The foreign key named `name` (on whichever table has one of that name), when a change added it and none dropped it since. */
  foreignKeyNamed(name: string): { table: TableRef; references: TableRef } | undefined {
    for (const bucket of this.tables.values()) {
      const key = bucket.foreignKeys.find((k) => k.name === name);
      if (key) return key;
    }
    return undefined;
  }

  /** The tables (other than `table` itself) with a foreign key that references `table`, as the changes added them and none dropped them since. */
  tablesReferencing(table: TableRef): TableRef[] {
    const found: TableRef[] = [];
    for (const bucket of this.tables.values())
      for (const k of bucket.foreignKeys)
        if (sameTable(k.references, table) && !sameTable(k.table, table) && !found.some((t) => sameTable(t, k.table))) found.push(k.table);
    return found;
  }

  /** Whether anything is known of tables named `name`. */
  knows(name: string): boolean {
    return this.tables.has(name);
  }

  holds(condition: SchemaCondition): boolean {
    const bucket = this.tables.get(condition.table.name);
    if (!bucket) return false;
    const on = (fact: { table: TableRef }): boolean => sameTable(fact.table, condition.table);
    switch (condition.fact) {
      case 'index':
        return bucket.indexes.some((i) => on(i) && servesLookup(i, condition.columns));
      case 'key':
        return bucket.indexes.some(
          (i) => on(i) && i.unique && !i.partial && i.columns.length === condition.columns.length && leadsWith(i.columns, condition.columns),
        );
      case 'not-null-check':
        return bucket.checks.some((c) => on(c) && c.column === condition.column && c.validated);
      case 'index-on':
        return bucket.indexes.some((i) => on(i) && i.name === condition.index);
      case 'rewrite-free-type': {
        const known = bucket.columns.find((c) => on(c) && c.column === condition.column);
        return !!known && rewriteFree(known.type, condition.to);
      }
    }
  }
}

/**
 * Whether `condition` holds once the first `count` of `changes` are applied to `start` (which stays
 * as it is). Only the changes to tables of its table's name are replayed (and index drops and
 * renames, which name no table), unless one renames another table to that name.
 */
export function holdsAfter(start: SchemaFacts, changes: readonly SchemaChange[], condition: SchemaCondition, count = changes.length): boolean {
  const name = condition.table.name;
  let renamed = false;
  for (let i = 0; i < count && !renamed; i++) renamed = changes[i]!.op === 'rename-table' && (changes[i] as { to: string }).to === name;
  const facts = start.copy(renamed ? undefined : name);
  for (let i = 0; i < count; i++) {
    const change = changes[i]!;
    if (renamed || !('table' in change) || change.table.name === name) facts.apply(change);
  }
  return facts.holds(condition);
}

/**
 * Whether an index finds the rows equal to values of `columns` (a foreign key's, when a referenced
 * row is deleted): its leading columns are those, in any order, or it is unique on some of them
 * (a primary key (file_id) finds the one row of (file_id, collection_id)). Not a partial index.
 */
export const servesLookup = (index: { columns: readonly string[]; unique?: true; partial?: true }, columns: readonly string[]): boolean =>
  !index.partial &&
  index.columns.length > 0 &&
  (leadsWith(index.columns, columns) || (!!index.unique && index.columns.every((column) => columns.includes(column))));

/** Whether an index's leading columns are `key`'s columns, in any order. */
export const leadsWith = (indexColumns: readonly string[], key: readonly string[]): boolean =>
  indexColumns.length >= key.length && key.every((c) => indexColumns.slice(0, key.length).includes(c));

/** Types whose precision modifier PostgreSQL may raise (or remove) without a rewrite. */
const PRECISION_TYPES = new Set(['varchar', 'varbit', 'timestamp', 'timestamptz', 'time', 'timetz']);

/**
 * Whether PostgreSQL changes a column of type `from` to `to` without rewriting the table (a
 * binary-coercible change, or one whose length or precision check only relaxes): the same type,
 * varchar(n) → varchar(m ≥ n) or unlimited, varchar ↔ text, numeric(p, s) → numeric(q ≥ p, s) or
 * unconstrained, and the same for the precision of varbit and the time types.
 */
export function rewriteFree(from: ColumnType, to: ColumnType): boolean {
  if (from.array !== to.array) return false;
  if (from.name === to.name && from.modifiers.join() === to.modifiers.join()) return true;
  if (from.array) return false;
  // Unlimited, or at least as much as before.
  const relaxes = (index: number): boolean =>
    to.modifiers.length === 0 || (from.modifiers.length > 0 && (to.modifiers[index] ?? 0) >= (from.modifiers[index] ?? 0));
  if (from.name === to.name && PRECISION_TYPES.has(from.name)) return relaxes(0);
  if (from.name === 'numeric' && to.name === 'numeric') return relaxes(0) && (to.modifiers.length === 0 || (to.modifiers[1] ?? 0) === (from.modifiers[1] ?? 0));
  if (to.name === 'text') return from.name === 'varchar';
  return from.name === 'text' && to.name === 'varchar' && to.modifiers.length === 0;
}

/** The fact that makes an `ALTER COLUMN … TYPE` rewrite-free: none with USING or COLLATE, or a type whose modifiers are not plain numbers. */
export function typeChangeCondition(table: TableRef, cmd: AlterTableCmd): SchemaCondition | undefined {
  const def = unwrap(cmd.def, 'ColumnDef');
  const to = def?.raw_default || def?.collClause ? undefined : columnTypeOf(def?.typeName);
  return to && cmd.name ? { fact: 'rewrite-free-type', table, column: cmd.name, to } : undefined;
}

/** A column type as written, or undefined when its modifiers are not plain numbers. */
export function columnTypeOf(typeName: TypeName | undefined): ColumnType | undefined {
  const name = stringOf(typeName?.names?.at(-1));
  if (!typeName || !name) return undefined;
  const modifiers: number[] = [];
  for (const m of typeName.typmods ?? []) {
    const value = unwrap(m, 'A_Const');
    if (!value || value.sval || value.fval || value.boolval || value.bsval) return undefined;
    modifiers.push(value.ival?.ival ?? 0); // `ival: {}` is 0
  }
  return { name, modifiers, array: !!typeName.arrayBounds?.length };
}

/** The name PostgreSQL gives an index it creates unnamed, or a constraint's index (`orders_pkey`, `orders_a_b_key`). */
function defaultIndexName(table: string, columns: readonly string[], suffix: 'idx' | 'key' | 'pkey' | 'fkey'): string {
  return (suffix === 'pkey' ? `${table}_pkey` : [table, ...columns, suffix].join('_')).slice(0, 63);
}

const names = (list: Node[] | undefined): string[] => (list ?? []).map((n) => stringOf(n) ?? '?');

/** The changes one statement makes (statements of other kinds make none; their trees are not read). */
export function schemaChangesOf(stmt: ParsedStatement): SchemaChange[] {
  switch (stmt.kind) {
    case 'CreateStmt': {
      const n = stmt.node;
      if (!n.relation || n.relation.relpersistence === 't') return [];
      const table = tableRefOf(n.relation);
      const out: SchemaChange[] = n.if_not_exists ? [] : [{ op: 'create-table', table }];
      for (const element of n.tableElts ?? []) {
        const column = unwrap(element, 'ColumnDef');
        if (column?.colname) {
          const type = columnTypeOf(column.typeName);
          if (type) out.push({ op: 'column', table, column: column.colname, type, ...(n.if_not_exists ? { ifNotExists: true } : {}) });
          for (const c of column.constraints ?? []) out.push(...constraintChanges(table, unwrap(c, 'Constraint'), column.colname, true));
        }
        out.push(...constraintChanges(table, unwrap(element, 'Constraint'), undefined, true));
      }
      return out;
    }
    case 'IndexStmt': {
      const n = stmt.node;
      if (!n.relation) return [];
      const columns: string[] = [];
      for (const param of n.indexParams ?? []) {
        const name = unwrap(param, 'IndexElem')?.name;
        if (!name) break;
        columns.push(name);
      }
      const table = tableRefOf(n.relation);
      // `WHERE col IS NOT NULL` on an indexed column leaves out only rows no equality lookup finds (a foreign key's, a
      // key's): such an index serves them as a whole one does.
      const partial = n.whereClause && !onlyNonNullRows(n.whereClause, columns) ? { partial: true as const } : {};
      const unique = n.unique && !n.whereClause && columns.length === (n.indexParams ?? []).length ? { unique: true as const } : {};
      // An unnamed index of expressions gets a name from them (`orders_lower_idx`) that is not guessed here.
      if (!n.idxname && !columns.length) return [];
      return [{ op: 'index', table, name: n.idxname ?? defaultIndexName(table.name, columns, 'idx'), columns, ...unique, ...partial }];
    }
    case 'AlterTableStmt': {
      const n = stmt.node;
      if (n.objtype !== 'OBJECT_TABLE' || !n.relation) return [];
      const table = tableRefOf(n.relation);
      const out: SchemaChange[] = [];
      for (const item of n.cmds ?? []) {
        const cmd = unwrap(item, 'AlterTableCmd');
        const column = cmd?.name ?? '';
        switch (cmd?.subtype) {
          case 'AT_AddColumn': {
            const def = unwrap(cmd.def, 'ColumnDef');
            const type = columnTypeOf(def?.typeName);
            if (def?.colname && type)
              out.push({ op: 'column', table, column: def.colname, type, added: true, ...(cmd.missing_ok ? { ifNotExists: true } : {}) });
            for (const c of def?.constraints ?? []) out.push(...constraintChanges(table, unwrap(c, 'Constraint'), def?.colname));
            break;
          }
          case 'AT_AlterColumnType': {
            const type = columnTypeOf(unwrap(cmd.def, 'ColumnDef')?.typeName);
            out.push(type ? { op: 'column', table, column, type } : { op: 'drop-column', table, column });
            break;
          }
          case 'AT_DropColumn':
            out.push({ op: 'drop-column', table, column });
            break;
          case 'AT_AddConstraint':
            out.push(...constraintChanges(table, unwrap(cmd.def, 'Constraint')));
            break;
          case 'AT_ValidateConstraint':
            out.push({ op: 'validate-constraint', table, name: column });
            break;
          case 'AT_DropConstraint':
            out.push({ op: 'drop-constraint', table, name: column });
            break;
          default:
            break; // changes no fact kept here
        }
      }
      return out;
    }
    case 'DropStmt': {
      const n = stmt.node;
      const dropped = (n.objects ?? []).map((o) => names(unwrap(o, 'List')?.items ?? [o]));
      if (n.removeType === 'OBJECT_TABLE')
        return dropped.map((parts) => ({ op: 'drop-table', table: parts.length > 1 ? { schema: parts.at(-2), name: parts.at(-1)! } : { name: parts[0]! } }));
      if (n.removeType === 'OBJECT_INDEX') return dropped.map((parts) => ({ op: 'drop-index', name: parts.at(-1)! }));
      return [];
    }
    case 'RenameStmt': {
      const n = stmt.node;
      if (!n.relation || !n.newname) return [];
      const table = tableRefOf(n.relation);
      switch (n.renameType) {
        case 'OBJECT_TABLE':
          return [{ op: 'rename-table', table, to: n.newname }];
        case 'OBJECT_COLUMN':
          return n.subname ? [{ op: 'rename-column', table, column: n.subname, to: n.newname }] : [];
        case 'OBJECT_INDEX':
          return [{ op: 'rename-index', name: table.name, to: n.newname }];
        case 'OBJECT_TABCONSTRAINT':
          // Forgotten rather than followed: a later DROP CONSTRAINT of the new name is rare.
          return n.subname ? [{ op: 'drop-constraint', table, name: n.subname }] : [];
        default:
          return [];
      }
    }
    default:
      return [];
  }
}

/**
 * The facts a constraint adds: the index of a PRIMARY KEY or UNIQUE, a CHECK (col IS NOT NULL).
 * `column`: of a column constraint; `inCreateTable`: its table is created with it (and empty, so checked).
 */
function constraintChanges(table: TableRef, c: Constraint | undefined, column?: string, inCreateTable = false): SchemaChange[] {
  if (!c) return [];
  if (c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE') {
    const columns = column ? [column] : names(c.keys);
    if (!columns.length) return []; // USING INDEX: the index existed already
    const name = c.indexname ?? c.conname ?? defaultIndexName(table.name, columns, c.contype === 'CONSTR_PRIMARY' ? 'pkey' : 'key');
    return [{ op: 'index', table, name, columns, unique: true }];
  }
  if (c.contype === 'CONSTR_CHECK' && c.is_enforced !== false) {
    const checked = notNullColumn(c.raw_expr);
    if (!checked || (column && checked !== column)) return [];
    return [
      { op: 'not-null-check', table, name: c.conname ?? `${table.name}_${checked}_check`, column: checked, validated: inCreateTable || !c.skip_validation },
    ];
  }
  if (c.contype === 'CONSTR_FOREIGN' && c.pktable) {
    const columns = column ? [column] : names(c.fk_attrs);
    if (!columns.length) return [];
    return [{ op: 'foreign-key', table, name: c.conname ?? defaultIndexName(table.name, columns, 'fkey'), columns, references: tableRefOf(c.pktable) }];
  }
  return [];
}

/** Whether an index predicate only requires some of its columns to be non-null: `a IS NOT NULL [AND b IS NOT NULL]`. */
function onlyNonNullRows(where: Node, columns: readonly string[]): boolean {
  const bool = unwrap(where, 'BoolExpr');
  if (bool) return bool.boolop === 'AND_EXPR' && (bool.args ?? []).every((arg) => onlyNonNullRows(arg, columns));
  const column = notNullColumn(where);
  return !!column && columns.includes(column);
}

/** The column of a `col IS NOT NULL` check expression. */
export function notNullColumn(expr: Node | undefined): string | undefined {
  const test = unwrap(expr, 'NullTest');
  if (!test || test.nulltesttype !== 'IS_NOT_NULL') return undefined;
  return stringOf(unwrap(test.arg, 'ColumnRef')?.fields?.at(-1));
}
