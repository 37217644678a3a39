import { displayTable, tableRef, type FileState, type Statement } from './context';
import { stringOf, unwrap, type AlterTableCmd, type DropStmt, type Node, type RangeVar, type TypeName } from './ast';
import { isVolatileExpression } from './volatility';

/** PostgreSQL table lock modes, weakest first. */
export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** What each lock mode stops other sessions from doing. */
export const LOCK_BLOCKS: Record<LockMode, string> = {
  'ACCESS SHARE': 'blocks only ACCESS EXCLUSIVE (schema changes)',
  'ROW SHARE': 'blocks only EXCLUSIVE and ACCESS EXCLUSIVE locks',
  'ROW EXCLUSIVE': 'blocks schema changes and index builds, and the rows it changes stay locked',
  'SHARE UPDATE EXCLUSIVE': 'blocks only other schema changes and VACUUM',
  SHARE: 'blocks writes (INSERT, UPDATE, DELETE)',
  'SHARE ROW EXCLUSIVE': 'blocks writes (INSERT, UPDATE, DELETE)',
  EXCLUSIVE: 'blocks writes and SELECT … FOR UPDATE',
  'ACCESS EXCLUSIVE': 'blocks reads and writes',
};

export interface LockInfo {
  mode: LockMode;
  table: string;
  /** How long it is held, e.g. "until the table is rewritten". */
  duration: string;
  /** Held while the statement works through the table (a rewrite, a scan, an index build), not only for a catalog change. */
  whileWorking: boolean;
}

const strength = (mode: LockMode): number => LOCK_MODES.indexOf(mode);
export const isAtLeast = (mode: LockMode, floor: LockMode): boolean => strength(mode) >= strength(floor);

const BRIEF = 'briefly (a catalog change), once running transactions on it finish; queries queue behind it meanwhile';
const REWRITE = 'until the table is rewritten';
/** Durations of locks held only for the catalog change, or for as long as the transaction (not the statement's work). */
const QUICK = new Set([BRIEF, 'for the command', 'until the transaction ends']);

/** The lock one ALTER TABLE action takes and for how long. */
export function alterActionLock(cmd: AlterTableCmd, pgVersion: number): { mode: LockMode; duration: string } {
  switch (cmd.subtype) {
    case 'AT_AddColumn': {
      const column = unwrap(cmd.def, 'ColumnDef') ?? {};
      const constraints = (column.constraints ?? []).map((c) => unwrap(c, 'Constraint'));
      const rewrites =
        isSerialType(column.typeName) ||
        constraints.some(
          (c) =>
            (c?.contype === 'CONSTR_DEFAULT' && (isVolatileExpression(c.raw_expr) || (pgVersion < 11 && !isNullConstant(c.raw_expr)))) ||
            // VIRTUAL generated columns (PostgreSQL 18) are computed on read: no rewrite.
            (c?.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v') ||
            c?.contype === 'CONSTR_IDENTITY',
        );
      return { mode: 'ACCESS EXCLUSIVE', duration: rewrites ? REWRITE : BRIEF };
    }
    case 'AT_AlterColumnType':
      return { mode: 'ACCESS EXCLUSIVE', duration: 'until the table is rewritten and its indexes rebuilt' };
    case 'AT_SetNotNull':
      return { mode: 'ACCESS EXCLUSIVE', duration: 'while every row is scanned' };
    case 'AT_AddConstraint': {
      const c = unwrap(cmd.def, 'Constraint') ?? {};
      if (c.contype === 'CONSTR_FOREIGN') return { mode: 'SHARE ROW EXCLUSIVE', duration: c.skip_validation ? BRIEF : 'while every row is checked' };
      if (c.contype === 'CONSTR_CHECK') return { mode: 'ACCESS EXCLUSIVE', duration: c.skip_validation ? BRIEF : 'while every row is checked' };
      if ((c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') && !c.indexname)
        return { mode: 'ACCESS EXCLUSIVE', duration: 'until the index is built' };
      return { mode: 'ACCESS EXCLUSIVE', duration: BRIEF };
    }
    case 'AT_ValidateConstraint':
      return { mode: 'SHARE UPDATE EXCLUSIVE', duration: 'while every row is checked (a foreign key also takes ROW SHARE on the table it references)' };
    case 'AT_SetStatistics':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_AttachPartition':
      return { mode: 'SHARE UPDATE EXCLUSIVE', duration: 'for the command' };
    case 'AT_DetachPartition':
      return unwrap(cmd.def, 'PartitionCmd')?.concurrent
        ? { mode: 'SHARE UPDATE EXCLUSIVE', duration: 'for the command' }
        : { mode: 'ACCESS EXCLUSIVE', duration: BRIEF };
    case 'AT_EnableTrig':
    case 'AT_DisableTrig':
    case 'AT_EnableTrigAll':
    case 'AT_DisableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrigUser':
    case 'AT_AddIndex':
      return { mode: 'SHARE ROW EXCLUSIVE', duration: 'for the command' };
    case 'AT_SetLogged':
    case 'AT_SetUnLogged':
    case 'AT_SetTableSpace':
      return { mode: 'ACCESS EXCLUSIVE', duration: REWRITE };
    default:
      return { mode: 'ACCESS EXCLUSIVE', duration: BRIEF };
  }
}

/** serial, bigserial, smallserial: a DEFAULT nextval() under another name. */
export const isSerialType = (typeName: TypeName | undefined): boolean =>
  /^(small|big)?serial[248]?$/.test(stringOf(typeName?.names?.at(-1)) ?? '') && (typeName?.names ?? []).length === 1;

/** DEFAULT NULL stores no default at all, so even PostgreSQL 10 does not rewrite for it. */
export const isNullConstant = (expr: Node | undefined): boolean => unwrap(expr, 'A_Const')?.isnull === true;

/** The strongest table lock a statement takes, or undefined for statements that take none worth naming. */
export function statementLock(stmt: Statement, state: FileState): LockInfo | undefined {
  const { kind, node: n } = stmt.parsed;
  const pgVersion = state.settings.pgVersion;
  const on = (rangeVar: RangeVar | undefined): string => displayTable(tableRef(rangeVar));
  let lock: Omit<LockInfo, 'whileWorking'> | undefined;
  switch (kind) {
    case 'AlterTableStmt': {
      if (n.objtype !== 'OBJECT_TABLE' && n.objtype !== 'OBJECT_MATVIEW' && n.objtype !== 'OBJECT_FOREIGN_TABLE') return undefined;
      for (const item of n.cmds ?? []) {
        const action = alterActionLock(unwrap(item, 'AlterTableCmd') ?? {}, pgVersion);
        if (!lock || strength(action.mode) > strength(lock.mode) || (action.mode === lock.mode && action.duration !== BRIEF))
          lock = { ...action, table: on(n.relation) };
      }
      break;
    }
    case 'IndexStmt':
      lock = n.concurrent
        ? { mode: 'SHARE UPDATE EXCLUSIVE', table: on(n.relation), duration: 'while the index is built (twice scanning the table)' }
        : { mode: 'SHARE', table: on(n.relation), duration: 'until the index is built' };
      break;
    case 'RenameStmt':
    case 'AlterObjectSchemaStmt':
      if (n.relation) lock = { mode: 'ACCESS EXCLUSIVE', table: on(n.relation), duration: BRIEF };
      break;
    case 'CreateStmt':
      return referencedTablesLock(stmt, state);
    case 'CommentStmt': {
      // COMMENT ON TABLE t / COLUMN t.c: the table's name is the list's first parts.
      const parts = (unwrap(n.object, 'List')?.items ?? []).map((item) => stringOf(item) ?? '?');
      const table = n.objtype === 'OBJECT_TABLE' ? parts : n.objtype === 'OBJECT_COLUMN' ? parts.slice(0, -1) : [];
      if (table.length) lock = { mode: 'SHARE UPDATE EXCLUSIVE', table: table.join('.'), duration: 'for the command' };
      break;
    }
    case 'DropStmt':
      if (n.removeType === 'OBJECT_TRIGGER') lock = { mode: 'ACCESS EXCLUSIVE', table: triggerTable(objectNames(n)[0] ?? '?'), duration: BRIEF };
      else if (n.removeType === 'OBJECT_TABLE') lock = { mode: 'ACCESS EXCLUSIVE', table: objectNames(n)[0] ?? '?', duration: BRIEF };
      else if (n.removeType === 'OBJECT_INDEX')
        lock = n.concurrent
          ? { mode: 'SHARE UPDATE EXCLUSIVE', table: `the table of ${objectNames(n)[0]}`, duration: 'for the command' }
          : { mode: 'ACCESS EXCLUSIVE', table: `the table of ${objectNames(n)[0]}`, duration: BRIEF };
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
      if (!concurrent && n.relation) lock = { mode: 'SHARE', table: on(n.relation), duration: 'until the indexes are rebuilt' };
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

/** The table of a trigger named `table.trigger` or `schema.table.trigger` (as DROP TRIGGER … ON names it). */
export const triggerTable = (name: string): string => name.split('.').slice(0, -1).join('.');

/**
 * The lock a CREATE TABLE or ALTER TABLE takes on the tables its new foreign keys reference:
 * SHARE ROW EXCLUSIVE (for the referencing trigger), on live tables only (not ones this file created).
 */
export function referencedTablesLock(stmt: Statement, state: FileState): LockInfo | undefined {
  const { kind, node: n } = stmt.parsed;
  let constraints: Node[] = [];
  if (kind === 'CreateStmt') {
    constraints = (n.tableElts ?? []).flatMap((element) => [element, ...(unwrap(element, 'ColumnDef')?.constraints ?? [])]);
  } else if (kind === 'AlterTableStmt') {
    constraints = (n.cmds ?? []).flatMap((item) => {
      const def = unwrap(item, 'AlterTableCmd')?.def;
      return def ? [def, ...(unwrap(def, 'ColumnDef')?.constraints ?? [])] : [];
    });
  }
  const referenced = constraints
    .map((c) => unwrap(c, 'Constraint'))
    .filter((c) => c?.contype === 'CONSTR_FOREIGN' && !state.isNewTable(tableRef(c.pktable)))
    .map((c) => displayTable(tableRef(c?.pktable)));
  if (!referenced.length) return undefined;
  return { mode: 'SHARE ROW EXCLUSIVE', table: [...new Set(referenced)].join(' and '), duration: BRIEF, whileWorking: false };
}

/** `a.b` names of the objects of a DROP statement. */
export function objectNames(drop: DropStmt): string[] {
  return (drop.objects ?? []).map((o) => (unwrap(o, 'List')?.items ?? [o]).map((s) => stringOf(s) ?? '?').join('.'));
}

/** "ACCESS EXCLUSIVE on orders: blocks reads and writes until the table is rewritten" */
export function describeLock(lock: Omit<LockInfo, 'whileWorking'>): string {
  return `${lock.mode} on ${lock.table}: ${LOCK_BLOCKS[lock.mode]} ${lock.duration}`;
}
