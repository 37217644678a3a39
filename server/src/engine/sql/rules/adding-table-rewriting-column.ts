import type { SqlRule } from '../context';
import { isSerialType } from '../locks';
import { reportRewritingColumns, typeNameOf } from './_shared';

export const addingTableRewritingColumn: SqlRule<'AlterTableStmt'> = {
  id: 'adding-table-rewriting-column',
  severity: 'error',
  summary: 'Adding a serial, identity or stored generated column to a filled table rewrites it under ACCESS EXCLUSIVE.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    const pgVersion = ctx.settings.pgVersion;
    // A volatile DEFAULT rewrites too: adding-field-with-default reports it.
    reportRewritingColumns(stmt, ctx, report, (column, constraints) => {
      const generated = constraints.find((c) => c.contype === 'CONSTR_GENERATED');
      if (isSerialType(column?.typeName))
        return {
          why: `a ${typeNameOf(column?.typeName)} column's DEFAULT nextval() gives every existing row its own value`,
          instead: 'Add a nullable bigint column, create a sequence and SET DEFAULT nextval(…) for new rows, then backfill existing rows in batches.',
        };
      if (constraints.some((c) => c.contype === 'CONSTR_IDENTITY'))
        return {
          why: 'an identity column draws a new value for every existing row',
          instead:
            'Add a nullable column, backfill it in batches from a sequence, make it NOT NULL, then ALTER COLUMN … ADD GENERATED … AS IDENTITY (no rewrite).',
        };
      // VIRTUAL generated columns (PostgreSQL 18) are computed on read: nothing is written.
      if (generated && generated.generated_kind !== 'v')
        return {
          why: 'a stored generated column is computed and written for every existing row',
          instead: `Add a plain nullable column kept up to date by a trigger and backfill it in batches${pgVersion >= 18 ? ', or make it VIRTUAL' : ''}.`,
        };
      return undefined;
    });
  },
};
