import type { SqlRule } from '../context';
import type { PgNode } from '../parse';
import { tableOf, verbRange } from './_shared';

const DECLARATION = /rollout-guard:\s*backfill\b(.*)/;

export const backfillNotIdempotent: SqlRule = {
  id: 'backfill-not-idempotent',
  severity: 'error',
  summary:
    'A declared backfill whose WHERE does not exclude the rows it already updated: resumed after a crash, it redoes them, and it never runs out of rows.',
  kinds: ['UpdateStmt'],
  check(stmt, ctx, report) {
    const declaration = ctx.commentsBefore.map((c) => DECLARATION.exec(c)?.[1]).find((d) => d !== undefined);
    if (declaration === undefined) return;
    const n = stmt.node;
    const table = tableOf(n.relation);
    const declaredTable = /\btable=(\S+)/.exec(declaration)?.[1];
    const range = verbRange(stmt, 'update', n.relation);
    if (declaredTable && declaredTable !== table && declaredTable !== n.relation?.relname) {
      report({
        ...range,
        message: `The backfill is declared for table=${declaredTable}, but this UPDATE changes ${table}: the runner would walk the wrong table. Fix the declaration.`,
      });
      return;
    }
    const assigned: string[] = (n.targetList ?? []).map((t: PgNode) => t.ResTarget?.name).filter(Boolean);
    if (n.whereClause && columnsIn(n.whereClause).some((c) => assigned.includes(c))) return;
    report({
      ...range,
      message: `This declared backfill sets ${assigned.join(', ') || 'columns'} but its WHERE ${n.whereClause ? 'does not test them' : 'is missing'}, so it matches rows it already updated: resumed after a crash it rewrites finished batches, and the switch phase never sees "no rows left". Add a condition that excludes finished rows, e.g. WHERE ${assigned[0] ?? 'new_column'} IS NULL (or IS DISTINCT FROM the new value).`,
    });
  },
};

/** Names of the columns an expression reads. */
function columnsIn(node: PgNode): string[] {
  const out: string[] = [];
  const visit = (value: PgNode): void => {
    if (!value || typeof value !== 'object') return;
    const fields: PgNode[] | undefined = value.ColumnRef?.fields;
    if (fields) out.push(fields.at(-1)?.String?.sval);
    for (const child of Object.values(value)) visit(child);
  };
  visit(node);
  return out;
}
