/**
 * Lock modes and the lock each ALTER TABLE action takes: below the file state (which records the
 * ACCESS EXCLUSIVE locks a transaction holds) and `locks.ts` (the lock of a whole statement).
 */
import { stringOf, unwrap, type AlterTableCmd, type Node, type TypeName } from './ast';
import { typeChangeCondition, type SchemaCondition, type TableRef } from './schema';
import { isVolatileExpression } from './volatility';

/** How long `ALTER COLUMN … TYPE … COLLATE` holds its lock (see alterActionLock). */
const COLLATION_CHANGE = 'while the indexes on the column are rebuilt, and every row as well unless only the collation changes';

/** What is known of the table's schema (the hover's: this file and the earlier migrations of its folder). */
export interface KnownSchema {
  table: TableRef;
  holds: (condition: SchemaCondition) => boolean;
}

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

export const strength = (mode: LockMode): number => LOCK_MODES.indexOf(mode);
export const isAtLeast = (mode: LockMode, floor: LockMode): boolean => strength(mode) >= strength(floor);

/** How long a catalog-only change holds its lock. */
export const BRIEF = 'briefly (a catalog change), once running transactions on it finish; queries queue behind it meanwhile';
export const REWRITE = 'until the table is rewritten';

/** The lock one ALTER TABLE action takes and for how long; `known`: a type change or SET NOT NULL the schema makes quick. */
export function alterActionLock(cmd: AlterTableCmd, pgVersion: number, known?: KnownSchema): { mode: LockMode; duration: string } {
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
      if (rewrites) return { mode: 'ACCESS EXCLUSIVE', duration: REWRITE };
      // A CHECK on the new column is verified against every existing row; a UNIQUE or PRIMARY KEY builds its index.
      if (constraints.some((c) => c?.contype === 'CONSTR_PRIMARY' || c?.contype === 'CONSTR_UNIQUE'))
        return { mode: 'ACCESS EXCLUSIVE', duration: 'until the index is built' };
      if (constraints.some((c) => c?.contype === 'CONSTR_CHECK' && !c.skip_validation))
        return { mode: 'ACCESS EXCLUSIVE', duration: 'while every row is checked' };
      return { mode: 'ACCESS EXCLUSIVE', duration: BRIEF };
    }
    case 'AT_AlterColumnType': {
      // A new collation (`TYPE text COLLATE "C"`) orders the column's indexes differently: they are rebuilt; the
      // rows are rewritten only if the type changes too (measured: text → text COLLATE "C" rewrites no table).
      if (unwrap(cmd.def, 'ColumnDef')?.collClause) return { mode: 'ACCESS EXCLUSIVE', duration: COLLATION_CHANGE };
      const rewriteFree = known && typeChangeCondition(known.table, cmd);
      return { mode: 'ACCESS EXCLUSIVE', duration: rewriteFree && known.holds(rewriteFree) ? BRIEF : 'until the table is rewritten and its indexes rebuilt' };
    }
    case 'AT_SetNotNull': {
      // PostgreSQL 12+ skips the scan when a validated CHECK (col IS NOT NULL) proves it.
      const checked = pgVersion >= 12 && !!known?.holds({ fact: 'not-null-check', table: known.table, column: cmd.name ?? '' });
      return { mode: 'ACCESS EXCLUSIVE', duration: checked ? BRIEF : 'while every row is scanned' };
    }
    case 'AT_AddConstraint': {
      const c = unwrap(cmd.def, 'Constraint') ?? {};
      if (c.contype === 'CONSTR_FOREIGN') return { mode: 'SHARE ROW EXCLUSIVE', duration: c.skip_validation ? BRIEF : 'while every row is checked' };
      if (c.contype === 'CONSTR_CHECK') return { mode: 'ACCESS EXCLUSIVE', duration: c.skip_validation ? BRIEF : 'while every row is checked' };
      if ((c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') && !c.indexname)
        return { mode: 'ACCESS EXCLUSIVE', duration: 'until the index is built' };
      if (c.contype === 'CONSTR_EXCLUSION') return { mode: 'ACCESS EXCLUSIVE', duration: 'until the index is built and every row checked' };
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
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
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
