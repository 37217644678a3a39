import type { SqlRule, TableRef } from '../context';
import { sameTable } from '../state';
import { statementLock } from '../locks';
import { LOCKING_KINDS } from './require-lock-timeout';

/** What `exclusiveLocks` records for DROP TABLE / DROP INDEX: queries on a dropped table fail after COMMIT anyway. */
const DROPPED = 'a dropped object';

export const statementAfterAccessExclusive: SqlRule<(typeof LOCKING_KINDS)[number]> = {
  id: 'statement-after-access-exclusive',
  severity: 'warning',
  summary:
    'A statement locks another live table while the transaction holds ACCESS EXCLUSIVE on a table: while it waits or works, every query on the first table stays blocked.',
  kinds: LOCKING_KINDS,
  check(stmt, ctx, report) {
    const state = ctx.state;
    if (stmt.origin === 'function-body' || !state.inTransaction()) return;
    const held = state.exclusiveLocks.filter((l) => l.table !== DROPPED);
    const first = held[0];
    const lock = statementLock(stmt, state);
    if (!first || !lock) return;
    // Once the transaction holds ACCESS EXCLUSIVE on a second table, the first crossing was reported: one finding per chain.
    if (held.some((l) => !sameTable(refOf(l.table), refOf(first.table)))) return;
    // The table's own later changes add nothing to its outage that its own rules do not report.
    if (held.some((l) => sameTable(refOf(l.table), refOf(lock.table))) || state.isNewTable(refOf(lock.table))) return;
    const { kind, node } = stmt.parsed;
    if (kind === 'DropStmt' && node.removeType === 'OBJECT_INDEX' && state.isIndexOfNewTable(lock.table.replace(/^the table of /, ''))) return;
    const taken = ctx.locateUnit(first.unit);
    report({
      start: stmt.start,
      end: stmt.tokens[1]?.end ?? stmt.end,
      relatedHere: taken ? [{ ...taken, message: `ACCESS EXCLUSIVE on ${first.table} taken here, held until COMMIT` }] : [],
      message: `This statement takes ${lock.mode} on ${lock.table} while the transaction still holds ACCESS EXCLUSIVE on ${first.table}: every read and write of ${first.table} stays blocked while it waits for ${lock.table} and while it runs. Commit the change to ${first.table} first, and run this statement, and the ones after it that lock other tables, in transactions of their own.`,
    });
  },
};

function refOf(table: string): TableRef {
  const [schema, name] = table.split('.');
  return name === undefined ? { name: table } : { schema, name };
}
