import { objectNames, subtree, unwrap, type AlterTableStmt, type NodeKind, type SelectStmt } from '../ast';
import type { RuleContext, SqlRule } from '../context';
import { sameTable, tableRefOf, type EarlierFact, type SchemaCondition, type TableRef } from '../schema';
import { isTableOfIndex, refOfName, type UnitRecord } from '../state';
import { referencedLiveTables, statementLock } from '../locks';
import { LOCKING_KINDS } from './require-lock-timeout';
import { tableOf } from './_shared';

const KINDS = [...LOCKING_KINDS, 'SelectStmt', 'CreateTableAsStmt'] as const satisfies readonly NodeKind[];

export const statementAfterAccessExclusive: SqlRule<(typeof KINDS)[number]> = {
  id: 'statement-after-access-exclusive',
  severity: 'warning',
  summary:
    'A statement that waits for another table or does slow work runs while the transaction holds ACCESS EXCLUSIVE on a table: every query on that table stays blocked meanwhile.',
  kinds: KINDS,
  check(stmt, ctx, report) {
    const state = ctx.state;
    // (Before the tree is read, which decodes it: most statements come while no lock is held.)
    if (stmt.origin === 'function-body' || !state.inTransaction() || !state.exclusiveLocks.length) return;
    const { kind, node } = stmt.parsed;
    // CREATE MATERIALIZED VIEW … AS putting a dropped view's name back (a rebuild) runs its query under the DROP's lock. (A
    // table built so is a scratch table more often than one the running version reads: synapse's _extremities_to_check.)
    const puttingBack = kind === 'CreateTableAsStmt' && node.objtype === 'OBJECT_MATVIEW' && node.into?.rel ? tableRefOf(node.into.rel) : undefined;
    // Not a dropped table's lock (queries of it fail after COMMIT anyway, unless this puts the name back), nor one on the
    // unnamed table of a dropped index, which may be the table this statement locks.
    const held = state.exclusiveLocks.filter((l) => (!l.dropped || (!!puttingBack && sameTable(refOfName(l.table), puttingBack))) && !isTableOfIndex(l.table));
    const first = held[0];
    if (!first) return;
    // A live table renamed in the transaction is the same table under its new name.
    const holds = (table: string): UnitRecord | undefined => {
      const former = state.renamedLiveTable(refOfName(table));
      return held.find((l) => sameTable(refOfName(l.table), refOfName(table)) || (!!former && sameTable(refOfName(l.table), former)));
    };
    const at = (lock: UnitRecord, message: string, unlessEarlier?: EarlierFact) => {
      const taken = ctx.locateUnit(lock.unit);
      report({
        start: stmt.start,
        end: stmt.tokens[1]?.end ?? stmt.end,
        relatedHere: taken ? [{ ...taken, message: `ACCESS EXCLUSIVE on ${lock.table} taken here, held until COMMIT` }] : [],
        message,
        ...(unlessEarlier ? { unlessEarlier } : {}),
      });
    };
    // A query, or one that fills a new table or materialized view (CREATE … AS SELECT, unless WITH NO DATA).
    const query = kind === 'SelectStmt' ? node : kind === 'CreateTableAsStmt' && !node.into?.skipData ? unwrap(node.query, 'SelectStmt') : undefined;
    if (kind === 'SelectStmt' || kind === 'CreateTableAsStmt') {
      const read = query ? tablesRead(query, ctx) : [];
      const locked = read.map(holds).find((l) => l !== undefined) ?? first;
      if (read.length === 0) return;
      at(
        locked,
        `This query reads ${read.join(', ')} while an earlier statement of the transaction took ACCESS EXCLUSIVE on ${locked.table}, held until COMMIT: every read and write of ${locked.table} stays blocked until it finishes. Run it before the change, or after COMMIT.`,
      );
      return;
    }
    const lock = statementLock(stmt, state);
    if (!lock) return;
    // ALTER INDEX … RENAME (PostgreSQL 12+) locks the index alone, SHARE UPDATE EXCLUSIVE, briefly: nothing of the traffic waits for it.
    if (kind === 'RenameStmt' && node.renameType === 'OBJECT_INDEX' && state.settings.pgVersion >= 12) return;
    let waitsFor = { mode: lock.mode, table: lock.table };
    const same = holds(lock.table);
    if (same) {
      // On the locked table, only work that would let reads and writes go on by itself gets worse: a validation (unless
      // not-valid-validate-same-tx reports it). Index builds are require-concurrent-index-creation's, rewrites and scans
      // under ACCESS EXCLUSIVE their own rules'.
      const validates =
        kind === 'AlterTableStmt' &&
        (node.cmds ?? []).some((c) => {
          const cmd = unwrap(c, 'AlterTableCmd');
          return cmd?.subtype === 'AT_ValidateConstraint' && !state.notValidConstraint(cmd.name ?? '');
        });
      if (validates) {
        at(
          same,
          `VALIDATE CONSTRAINT on ${same.table} would let reads and writes go on by itself, but an earlier statement of the transaction took ACCESS EXCLUSIVE on ${same.table}, held until COMMIT: every read and write of it stays blocked while every row is checked. Commit the change to ${same.table} first.`,
        );
        return;
      }
    }
    if (same || state.isNewTable(refOfName(lock.table))) {
      // Altering the locked table or a new one still waits for the live tables its new foreign keys reference.
      const reAdded = kind === 'AlterTableStmt' ? reAddedReferences(node, held) : [];
      const referenced =
        kind === 'AlterTableStmt'
          ? referencedLiveTables(stmt, state).filter((table) => !holds(table) && !reAdded.some((r) => sameTable(r, refOfName(table))))
          : [];
      if (!referenced.length) return;
      waitsFor = { mode: 'SHARE ROW EXCLUSIVE', table: referenced.join(' and ') };
    }
    // Once the transaction holds ACCESS EXCLUSIVE on a second table, the first crossing was reported: one finding per chain.
    if (held.some((l) => !sameTable(refOfName(l.table), refOfName(first.table)))) return;
    let unlessEarlier: EarlierFact | undefined;
    if (kind === 'DropStmt' && node.removeType === 'OBJECT_INDEX') {
      const index = (objectNames(node)[0] ?? '').split('.').at(-1) ?? '';
      if (state.isIndexOfNewTable(index)) return;
      // An index that this file or an earlier migration made on the locked table: the lock is on that same table.
      const onLocked: SchemaCondition = { fact: 'index-on', table: refOfName(first.table), index };
      if (state.holds(onLocked)) return;
      if (stmt.origin === 'file') unlessEarlier = state.unlessEarlier(onLocked);
    }
    at(
      first,
      `This statement takes ${waitsFor.mode} on ${waitsFor.table} while an earlier statement of the transaction took ACCESS EXCLUSIVE on ${first.table}, held until COMMIT: every read and write of ${first.table} stays blocked while it waits for ${waitsFor.table} and while it runs. Commit the change to ${first.table} first, and run this statement, and the ones after it that lock other tables, in transactions of their own.`,
      unlessEarlier,
    );
  },
};

/**
 * The tables that foreign keys the statement adds reference, when the transaction dropped a key of the same name from
 * the same table and no migration shows what that one referenced: most likely the same table (Prisma drops and re-adds
 * a key to change its ON DELETE), which the drop already locked.
 */
function reAddedReferences(node: AlterTableStmt, held: readonly UnitRecord[]): TableRef[] {
  if (!node.relation) return [];
  const table = tableRefOf(node.relation);
  const dropped = new Set(held.filter((l) => sameTable(refOfName(l.table), table)).flatMap((l) => l.droppedKeys ?? []));
  return (node.cmds ?? []).flatMap((c) => {
    const constraint = unwrap(unwrap(c, 'AlterTableCmd')?.def, 'Constraint');
    return constraint?.contype === 'CONSTR_FOREIGN' && constraint.conname && dropped.has(constraint.conname) && constraint.pktable
      ? [tableRefOf(constraint.pktable)]
      : [];
  });
}

/** Live tables a SELECT reads (not its CTEs, not the catalogs, not tables the file created). */
function tablesRead(select: SelectStmt, ctx: RuleContext): string[] {
  const ctes = new Set((select.withClause?.ctes ?? []).map((c) => unwrap(c, 'CommonTableExpr')?.ctename));
  const names = new Set<string>();
  // Every table the query names: FROM, CTEs, subqueries; not the target of SELECT … INTO.
  for (const node of subtree({ ...select, intoClause: undefined })) {
    const table = unwrap(node, 'RangeVar');
    if (!table?.relname || (!table.schemaname && ctes.has(table.relname))) continue;
    if (table.schemaname === 'pg_catalog' || table.schemaname === 'information_schema' || table.relname.startsWith('pg_')) continue;
    if (!ctx.state.isNewTable({ schema: table.schemaname, name: table.relname })) names.add(tableOf(table));
  }
  return [...names];
}
