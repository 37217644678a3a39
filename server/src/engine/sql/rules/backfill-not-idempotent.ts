import { assignedColumns, backfillOptions, declarationIn, declaresTable, excludesFinishedRows } from '../../backfill';
import type { SqlRule } from '../context';
import { tableOf, verbRange } from './_shared';

export const backfillNotIdempotent: SqlRule<'UpdateStmt'> = {
  id: 'backfill-not-idempotent',
  severity: 'error',
  summary:
    'A declared backfill whose WHERE does not exclude the rows it already updated: resumed after a crash, it redoes them, and it never runs out of rows.',
  kinds: ['UpdateStmt'],
  check(stmt, ctx, report) {
    const declaration = ctx.commentsBefore.map(declarationIn).find((d) => d !== undefined);
    if (declaration === undefined) return;
    const n = stmt.node;
    const table = tableOf(n.relation);
    const declaredTable = backfillOptions(declaration).table;
    const range = verbRange(stmt, 'update', n.relation);
    if (declaredTable && !declaresTable(declaredTable, n.relation)) {
      report({
        ...range,
        message: `The backfill is declared for table=${declaredTable}, but this UPDATE changes ${table}: the runner would walk the wrong table. Fix the declaration.`,
      });
      return;
    }
    if (excludesFinishedRows(n)) return;
    const assigned = assignedColumns(n);
    report({
      ...range,
      message: `This declared backfill sets ${assigned.join(', ') || 'columns'} but its WHERE ${n.whereClause ? 'does not test them' : 'is missing'}, so it matches rows it already updated: resumed after a crash it rewrites finished batches, and the switch phase never sees "no rows left". Add a condition that excludes finished rows, e.g. WHERE ${assigned[0] ?? 'new_column'} IS NULL (or IS DISTINCT FROM the new value).`,
    });
  },
};
