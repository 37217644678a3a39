import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { isTableOfIndex } from '../state';
import { isCatalog, isExisting, tableOf, verbRange } from './_shared';

export const backfillInDdlTransaction: SqlRule<'UpdateStmt' | 'DeleteStmt' | 'InsertStmt'> = {
  id: 'backfill-in-ddl-transaction',
  severity: 'error',
  summary: 'Rows are rewritten in the transaction that took a lock blocking reads or writes, held until the backfill commits.',
  kinds: ['UpdateStmt', 'DeleteStmt', 'InsertStmt'],
  check(stmt, ctx, report) {
    if (stmt.origin === 'function-body' || !ctx.state.inTransaction()) return;
    const { kind, node } = stmt.parsed;
    if (kind === 'InsertStmt' && !unwrap(node.selectStmt, 'SelectStmt')?.fromClause) return;
    // Rows of a table this file created are few and nobody else reads them yet; a system catalog's are a handful.
    if (kind !== 'InsertStmt' && (!isExisting(ctx, node.relation) || isCatalog(node.relation))) return;
    const target = tableOf(node.relation);
    // A dropped table's lock holds up only queries of its name, which fail after COMMIT anyway (unless the file put a table under it again).
    const locks = ctx.state.exclusiveLocks.filter((l) => !l.dropped).map((l) => ({ ...l, mode: 'ACCESS EXCLUSIVE' as const }));
    // The lock on the rows' own table, else one on a table the file names, else a dropped index's (on a table it may not name);
    // else a lock that blocks only writes (a plain CREATE INDEX, a new foreign key's on the table it references).
    const lock =
      locks.find((l) => l.table === target) ??
      locks.find((l) => !isTableOfIndex(l.table)) ??
      locks[0] ??
      ctx.state.writeLocks.find((l) => l.table === target) ??
      ctx.state.writeLocks[0];
    if (!lock) return;
    const verb = kind === 'UpdateStmt' ? 'UPDATE' : kind === 'DeleteStmt' ? 'DELETE' : 'INSERT … SELECT';
    const blocked = lock.mode === 'ACCESS EXCLUSIVE' ? `reads and writes of ${lock.table}` : `writes to ${lock.table}`;
    const taken = ctx.locateUnit(lock.unit);
    report({
      ...verbRange(stmt, verb.split(' ')[0]!.toLowerCase(), node.relation),
      relatedHere: taken ? [{ ...taken, message: `${lock.mode} on ${lock.table} taken here` }] : [],
      message: `This ${verb} on ${target} runs in the transaction that took ${lock.mode} on ${lock.table}: ${blocked} stay blocked until every row is written and the transaction commits. Commit the schema change first, then backfill in separate, batched transactions.`,
    });
  },
};
