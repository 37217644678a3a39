import type { SqlRule } from '../context';
import type { PgNode } from '../parse';
import { alterActions, ident, isExisting, tableOf } from './_shared';

export const disallowedUniqueConstraint: SqlRule = {
  id: 'disallowed-unique-constraint',
  severity: 'error',
  summary: 'Adding a UNIQUE constraint builds its index under an ACCESS EXCLUSIVE lock.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    if (!isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    for (const action of alterActions(stmt)) {
      const c = action.cmd.def?.Constraint;
      const viaColumn =
        action.subtype === 'AT_AddColumn' &&
        (action.cmd.def?.ColumnDef?.constraints ?? []).some((k: { Constraint?: { contype?: string } }) => k.Constraint?.contype === 'CONSTR_UNIQUE');
      const viaConstraint = action.subtype === 'AT_AddConstraint' && c?.contype === 'CONSTR_UNIQUE' && !c.indexname;
      if (!viaColumn && !viaConstraint) continue;
      // The name PostgreSQL would choose: <table>_<columns>_key.
      const columns: string[] = viaColumn ? [action.cmd.def.ColumnDef.colname] : (c.keys ?? []).map((k: PgNode) => k.String?.sval);
      const name = c?.conname ?? ident(`${stmt.node.relation.relname}_${columns.join('_')}_key`);
      const steps = viaColumn
        ? `Add the column without UNIQUE, build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ${name} UNIQUE USING INDEX <index>.`
        : `Build the index first with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ${name} UNIQUE USING INDEX <index>.`;
      report({
        ...stmt.actionRange(action.index),
        message: `Adding a UNIQUE constraint: ACCESS EXCLUSIVE on ${table}: blocks reads and writes until the index is built. ${steps}`,
      });
    }
  },
};
