import type { SqlRule } from '../context';
import { isNullConstant } from '../locks';
import { firstVolatileCall } from '../volatility';
import { reportRewritingColumns } from './_shared';

export const addingFieldWithDefault: SqlRule<'AlterTableStmt'> = {
  id: 'adding-field-with-default',
  severity: 'error',
  summary: 'Adding a column whose DEFAULT must be computed per row (volatile, or any default before PostgreSQL 11) rewrites the table.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    const pgVersion = ctx.settings.pgVersion;
    // serial, identity and stored generated columns rewrite too: adding-table-rewriting-column reports them.
    reportRewritingColumns(stmt, ctx, report, (_column, constraints) => {
      const value = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
      const volatile = firstVolatileCall(value);
      const why = volatile
        ? `its DEFAULT calls ${volatile}, which is volatile, so every existing row gets its own value`
        : value && pgVersion < 11 && !isNullConstant(value)
          ? `PostgreSQL ${pgVersion} writes any DEFAULT into every existing row (11+ stores a constant default in the catalog)`
          : undefined;
      return why ? { why, instead: 'Add the column without the default, SET DEFAULT for new rows, then backfill existing rows in batches.' } : undefined;
    });
  },
};
