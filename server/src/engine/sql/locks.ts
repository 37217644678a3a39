import { displayTable, tableRef, type FileState, type Statement } from './context';
import { nameParts, objectNames, unwrap, type AlterTableStmt, type NodeKind, type RangeVar } from './ast';
import { tableOfIndex, tableReferencedBy, tablesReferencing } from './state';
import { referencedTables } from './keys';
import { alterActionLock, BRIEF, isAtLeast, LOCK_BLOCKS, LOCK_MODES, REWRITE, strength, type KnownSchema, type LockMode } from './lock-modes';
import { typeChangeCondition, type SchemaCondition } from './schema';

// The lock vocabulary, for rules and the hover: one import for everything about locks.
export { alterActionLock, BRIEF, isAtLeast, isNullConstant, isSerialType, LOCK_BLOCKS, LOCK_MODES, type LockMode } from './lock-modes';

export interface LockInfo {
  mode: LockMode;
  table: string;
  /** How long it is held, e.g. "until the table is rewritten". */
  duration: string;
  /** Held while the statement works through the table (a rewrite, a scan, an index build), not only for a catalog change. */
  whileWorking: boolean;
}

/** Durations of locks held only for the catalog change, or for as long as the transaction (not the statement's work). */
const QUICK = new Set([BRIEF, 'for the command', 'until the transaction ends']);

/**
 * The strongest table lock a statement takes, or undefined for statements that take none worth naming.
 * `holds`: what is known of the schema (see KnownSchema), by default what this file established so far
 * (PostgreSQL 12+ skips SET NOT NULL's scan when a validated CHECK (column IS NOT NULL) proves it).
 */
export function statementLock(stmt: Statement, state: FileState, holds: KnownSchema['holds'] = (condition) => state.holds(condition)): LockInfo | undefined {
  const { kind, node: n } = stmt.parsed;
  const pgVersion = state.settings.pgVersion;
  const on = (rangeVar: RangeVar | undefined): string => displayTable(tableRef(rangeVar));
  let lock: Omit<LockInfo, 'whileWorking'> | undefined;
  switch (kind) {
    case 'AlterTableStmt': {
      if (n.objtype !== 'OBJECT_TABLE' && n.objtype !== 'OBJECT_MATVIEW' && n.objtype !== 'OBJECT_FOREIGN_TABLE') return undefined;
      const known = { table: tableRef(n.relation), holds };
      for (const item of n.cmds ?? []) {
        const action = alterActionLock(unwrap(item, 'AlterTableCmd') ?? {}, pgVersion, known);
        if (!lock || strength(action.mode) > strength(lock.mode) || (action.mode === lock.mode && action.duration !== BRIEF))
          lock = { ...action, table: on(n.relation) };
      }
      // Dropping a foreign key drops its triggers on the table it references: ACCESS EXCLUSIVE there too; dropping a
      // key with CASCADE drops the foreign keys that reference it, on their tables.
      const referenced = [...droppedForeignKeysReference(stmt, state), ...cascadedForeignKeyTables(n)];
      if (lock && referenced.length) lock = { ...lock, table: [lock.table, ...referenced].join(' and ') };
      break;
    }
    case 'IndexStmt':
      lock = n.concurrent
        ? { mode: 'SHARE UPDATE EXCLUSIVE', table: on(n.relation), duration: 'while the index is built (twice scanning the table)' }
        : { mode: 'SHARE', table: on(n.relation), duration: 'until the index is built' };
      break;
    case 'RenameStmt':
      // ALTER INDEX … RENAME takes SHARE UPDATE EXCLUSIVE since PostgreSQL 12.
      if (n.relation)
        lock = {
          mode: n.renameType === 'OBJECT_INDEX' && pgVersion >= 12 ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE',
          table: on(n.relation),
          duration: BRIEF,
        };
      break;
    case 'AlterObjectSchemaStmt':
      if (n.relation) lock = { mode: 'ACCESS EXCLUSIVE', table: on(n.relation), duration: BRIEF };
      break;
    case 'CreateStmt':
      return referencedTablesLock(stmt, state);
    case 'CommentStmt': {
      // COMMENT ON TABLE t / COLUMN t.c: the table's name is the list's first parts.
      const parts = nameParts(n.object);
      const table = n.objtype === 'OBJECT_TABLE' ? parts : n.objtype === 'OBJECT_COLUMN' ? parts.slice(0, -1) : [];
      if (table.length) lock = { mode: 'SHARE UPDATE EXCLUSIVE', table: table.join('.'), duration: 'for the command' };
      break;
    }
    case 'DropStmt':
      if (n.removeType === 'OBJECT_TRIGGER') lock = { mode: 'ACCESS EXCLUSIVE', table: triggerTable(objectNames(n)[0] ?? '?'), duration: BRIEF };
      else if (n.removeType === 'OBJECT_TABLE') lock = { mode: 'ACCESS EXCLUSIVE', table: objectNames(n)[0] ?? '?', duration: BRIEF };
      else if (n.removeType === 'OBJECT_INDEX')
        lock = n.concurrent
          ? { mode: 'SHARE UPDATE EXCLUSIVE', table: tableOfIndex(objectNames(n)[0] ?? '?'), duration: 'for the command' }
          : { mode: 'ACCESS EXCLUSIVE', table: tableOfIndex(objectNames(n)[0] ?? '?'), duration: BRIEF };
      break;
    case 'TruncateStmt':
      lock = { mode: 'ACCESS EXCLUSIVE', table: on(unwrap(n.relations?.[0], 'RangeVar')), duration: 'until the transaction ends' };
      break;
    case 'UpdateStmt':
    case 'DeleteStmt':
      lock = { mode: 'ROW EXCLUSIVE', table: on(n.relation), duration: 'until the transaction ends' };
      break;
    case 'CreateTrigStmt':
      lock = { mode: 'SHARE ROW EXCLUSIVE', table: on(n.relation), duration: BRIEF };
      break;
    case 'ClusterStmt':
      if (n.relation) lock = { mode: 'ACCESS EXCLUSIVE', table: on(n.relation), duration: REWRITE };
      break;
    case 'VacuumStmt':
      if ((n.options ?? []).some((o) => unwrap(o, 'DefElem')?.defname === 'full'))
        lock = { mode: 'ACCESS EXCLUSIVE', table: on(unwrap(n.rels?.[0], 'VacuumRelation')?.relation), duration: REWRITE };
      break;
    case 'ReindexStmt': {
      const concurrent = (n.params ?? []).some((o) => unwrap(o, 'DefElem')?.defname === 'concurrently');
      // REINDEX INDEX: ACCESS EXCLUSIVE on the index (SHARE on its table); the planner locks every index of a table, so queries wait too.
      if (!concurrent && n.relation)
        lock =
          n.kind === 'REINDEX_OBJECT_INDEX'
            ? { mode: 'ACCESS EXCLUSIVE', table: on(n.relation), duration: 'until the index is rebuilt' }
            : { mode: 'SHARE', table: on(n.relation), duration: 'until the indexes are rebuilt' };
      break;
    }
    case 'RefreshMatViewStmt':
      lock = n.concurrent
        ? { mode: 'EXCLUSIVE', table: on(n.relation), duration: 'until the view is refreshed' }
        : { mode: 'ACCESS EXCLUSIVE', table: on(n.relation), duration: 'until the view is rewritten with fresh rows' };
      break;
    case 'LockStmt': {
      const mode = LOCK_MODES[(n.mode ?? 8) - 1] ?? 'ACCESS EXCLUSIVE';
      lock = { mode, table: on(unwrap(n.relations?.[0], 'RangeVar')), duration: 'until the transaction ends' };
      break;
    }
    default:
      return undefined;
  }
  if (!lock) return undefined;
  const whileWorking = !QUICK.has(lock.duration);
  // A plain CREATE INDEX in a transaction keeps its SHARE lock until commit too.
  if (state.inTransaction() && !(kind === 'IndexStmt' && n.concurrent)) lock.duration = 'until the transaction commits';
  return { ...lock, whileWorking };
}

/**
 * For an ALTER TABLE that holds its lock while it works, the one fact of the schema that would make
 * it brief: its one long action is a type change PostgreSQL makes without a rewrite from the
 * column's type, or a SET NOT NULL that a validated CHECK proves (PostgreSQL 12+). Undefined
 * otherwise. What this file established is already counted: the fact is one an earlier migration may hold.
 */
export function briefIf(stmt: Statement, state: FileState): SchemaCondition | undefined {
  if (stmt.parsed.kind !== 'AlterTableStmt') return undefined;
  const n = stmt.parsed.node;
  const table = tableRef(n.relation);
  const pgVersion = state.settings.pgVersion;
  const known = { table, holds: (condition: SchemaCondition) => state.holds(condition) };
  const cmds = (n.cmds ?? []).map((item) => unwrap(item, 'AlterTableCmd') ?? {});
  const long = cmds.filter((cmd) => !QUICK.has(alterActionLock(cmd, pgVersion, known).duration));
  if (long.length !== 1) return undefined;
  const cmd = long[0]!;
  if (cmd.subtype === 'AT_AlterColumnType') return typeChangeCondition(table, cmd);
  if (cmd.subtype === 'AT_SetNotNull' && pgVersion >= 12 && cmd.name) return { fact: 'not-null-check', table, column: cmd.name };
  return undefined;
}

/**
 * Whether queries on the relation wait while the statement waits for its lock or holds it: on a table, SHARE or
 * stronger (writes wait). A materialized view takes no writes, so only ACCESS EXCLUSIVE holds up its readers:
 * REFRESH … CONCURRENTLY's EXCLUSIVE lock waits for, and blocks, nothing but other refreshes.
 */
export const holdsUpQueries = (kind: NodeKind, mode: LockMode): boolean =>
  kind === 'RefreshMatViewStmt' ? mode === 'ACCESS EXCLUSIVE' : isAtLeast(mode, 'SHARE');

/** The table of a trigger named `table.trigger` or `schema.table.trigger` (as DROP TRIGGER … ON names it). */
export const triggerTable = (name: string): string => name.split('.').slice(0, -1).join('.');

/**
 * The lock a CREATE TABLE or ALTER TABLE takes on the tables its new foreign keys reference:
 * SHARE ROW EXCLUSIVE (for the referencing trigger), on live tables only (not ones this file created).
 */
export function referencedTablesLock(stmt: Statement, state: FileState): LockInfo | undefined {
  const referenced = referencedLiveTables(stmt, state);
  if (!referenced.length) return undefined;
  return { mode: 'SHARE ROW EXCLUSIVE', table: referenced.join(' and '), duration: BRIEF, whileWorking: false };
}

/**
 * The live tables (not ones this file created) that the foreign keys a CREATE TABLE or ALTER TABLE adds reference;
 * `checkedOnly`: only keys that check existing rows, added by ADD CONSTRAINT without NOT VALID (a new column is all NULL).
 */
export function referencedLiveTables(stmt: Statement, state: FileState, options: { checkedOnly?: boolean } = {}): string[] {
  const referenced = referencedTables(stmt.parsed, options)
    .filter((table) => !state.isNewTable(tableRef(table)))
    .map((table) => displayTable(tableRef(table)));
  return [...new Set(referenced)];
}

/** A constraint name PostgreSQL, Prisma, Rails or Django gives foreign keys: `orders_customer_id_fkey`, `fk_rails_…`, `…_fk_…`. */
const FOREIGN_KEY_NAME = /_fkey$|^fk_|_fk$|_fk_/i;

/**
 * The live tables the foreign keys an ALTER TABLE drops reference: the one this file or (named later,
 * see unknown-tables.ts) an earlier migration added it to, else "the table <constraint> references"
 * for a constraint named as foreign keys are.
 */
function droppedForeignKeysReference(stmt: Statement, state: FileState): string[] {
  if (stmt.parsed.kind !== 'AlterTableStmt') return [];
  const referenced = state
    .droppedConstraints(stmt.parsed.node)
    .flatMap(({ name, references }) => (references ? [displayTable(references)] : FOREIGN_KEY_NAME.test(name) ? [tableReferencedBy(name)] : []));
  return [...new Set(referenced)];
}

/** A constraint name given to CHECK constraints (`orders_total_check`, `ck_…`, `chk_…`): nothing depends on one. */
const CHECK_NAME = /_check$|^ck_|^chk_/i;

/**
 * `DROP CONSTRAINT <key> CASCADE` of a primary key or unique constraint also drops the foreign keys that
 * reference it, taking ACCESS EXCLUSIVE on their tables (measured): "the tables with foreign keys to
 * <table>", which the file or the earlier migrations may name (unknown-tables.ts).
 */
function cascadedForeignKeyTables(n: AlterTableStmt): string[] {
  const cascades = (n.cmds ?? []).some((item) => {
    const cmd = unwrap(item, 'AlterTableCmd');
    return (
      cmd?.subtype === 'AT_DropConstraint' && cmd.behavior === 'DROP_CASCADE' && !!cmd.name && !FOREIGN_KEY_NAME.test(cmd.name) && !CHECK_NAME.test(cmd.name)
    );
  });
  return cascades ? [tablesReferencing(displayTable(tableRef(n.relation)))] : [];
}

/** "ACCESS EXCLUSIVE on orders: blocks reads and writes until the table is rewritten" */
export function describeLock(lock: Omit<LockInfo, 'whileWorking'>): string {
  return `${lock.mode} on ${lock.table}: ${LOCK_BLOCKS[lock.mode]} ${lock.duration}`;
}
