import { objectNames, unwrap, type DropStmt, type NodeKind } from '../ast';
import { tableRef, type RuleContext, type SqlRule, type TableRef } from '../context';
import { holdsUpQueries, LOCK_BLOCKS, referencedTablesLock, statementLock, triggerTable } from '../locks';

/** Statement kinds that can take a lock worth bounding (require-statement-timeout looks at the same). */
export const LOCKING_KINDS = [
  'AlterTableStmt',
  'CreateStmt',
  'IndexStmt',
  'RenameStmt',
  'AlterObjectSchemaStmt',
  'DropStmt',
  'TruncateStmt',
  'CreateTrigStmt',
  'ClusterStmt',
  'VacuumStmt',
  'ReindexStmt',
  'RefreshMatViewStmt',
  'LockStmt',
] as const satisfies readonly NodeKind[];

export const requireLockTimeout: SqlRule<(typeof LOCKING_KINDS)[number]> = {
  id: 'require-lock-timeout',
  severity: 'warning',
  summary: 'A statement that takes a blocking lock runs with no lock_timeout: waiting behind a long transaction, it blocks all traffic queued behind it.',
  kinds: LOCKING_KINDS,
  // One SET lock_timeout at the top covers every statement after it.
  oncePerFile: true,
  check(stmt, ctx, report) {
    const state = ctx.state;
    if (stmt.origin === 'function-body' || state.lockTimeoutActive()) return;
    const { kind, node } = stmt.parsed;
    // CREATE TABLE locks only the live tables its foreign keys reference (statementLock names them).
    const relation =
      kind === 'CreateStmt' ? undefined : 'relation' in node ? node.relation : 'relations' in node ? unwrap(node.relations?.[0], 'RangeVar') : undefined;
    // On a table (or view) this file created, only the live tables its new foreign keys reference can be waited for.
    // LOCK TABLE on a view also locks the tables the view reads.
    const isNew = relation && (kind === 'LockStmt' ? state.isNewTable(tableRef(relation)) : state.isNewRelation(tableRef(relation)));
    const lock = isNew ? referencedTablesLock(stmt, state) : statementLock(stmt, state);
    if (!lock || !holdsUpQueries(kind, lock.mode)) return;
    if (kind === 'DropStmt' && dropsOnlyNewObjects(node, ctx)) return;
    const insertAt = stmt.origin === 'file' ? stmt.start : undefined;
    report({
      start: stmt.start,
      end: stmt.tokens[1]?.end ?? stmt.end,
      message: `${lock.mode} on ${lock.table} with no lock_timeout set: if a long-running transaction is using ${lock.table}, this statement waits for it, and every query on ${lock.table} queues behind it meanwhile (${LOCK_BLOCKS[lock.mode]}). Start the migration with SET lock_timeout = '2s' and retry when it times out.`,
      fixes:
        insertAt === undefined
          ? []
          : [{ title: "Add SET lock_timeout = '2s'", preferred: true, edits: [{ start: insertAt, end: insertAt, newText: "SET lock_timeout = '2s';\n" }] }],
    });
  },
};

const tableRefOfName = (name: string): TableRef => {
  const parts = name.split('.');
  return parts.length > 1 ? { schema: parts[0], name: parts[1]! } : { name: parts[0]! };
};

function dropsOnlyNewObjects(drop: DropStmt, ctx: RuleContext): boolean {
  const names = objectNames(drop);
  if (drop.removeType === 'OBJECT_TABLE') {
    return names.every((name) => ctx.state.isNewTable(tableRefOfName(name)));
  }
  if (drop.removeType === 'OBJECT_TRIGGER') return names.every((name) => ctx.state.isNewRelation(tableRefOfName(triggerTable(name))));
  return drop.removeType === 'OBJECT_INDEX' && names.every((name) => ctx.state.isIndexOfNewTable(name));
}
