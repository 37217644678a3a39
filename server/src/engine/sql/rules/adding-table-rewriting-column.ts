import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { describeLock, isSerialType } from '../locks';
import { alterActions, columnConstraints, isExisting, tableOf, typeNameOf } from './_shared';

export const addingTableRewritingColumn: SqlRule<'AlterTableStmt'> = {
  id: 'adding-table-rewriting-column',
  severity: 'error',
  summary: 'Adding a serial, identity or stored generated column to a filled table rewrites it under ACCESS EXCLUSIVE.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    // A foreign table stores nothing here to rewrite.
    if (stmt.node.objtype === 'OBJECT_FOREIGN_TABLE' || !isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    const pgVersion = ctx.settings.pgVersion;
    // A volatile DEFAULT rewrites too: adding-field-with-default reports it.
    for (const action of alterActions(stmt.node)) {
      if (action.subtype !== 'AT_AddColumn') continue;
      const column = unwrap(action.cmd.def, 'ColumnDef');
      const constraints = columnConstraints(column);
      const generated = constraints.find((c) => c.contype === 'CONSTR_GENERATED');
      let why: string;
      let instead: string;
      if (isSerialType(column?.typeName)) {
        why = `a ${typeNameOf(column?.typeName)} column's DEFAULT nextval() gives every existing row its own value`;
        instead = 'Add a nullable bigint column, create a sequence and SET DEFAULT nextval(…) for new rows, then backfill existing rows in batches.';
      } else if (constraints.some((c) => c.contype === 'CONSTR_IDENTITY')) {
        why = 'an identity column draws a new value for every existing row';
        instead =
          'Add a nullable column, backfill it in batches from a sequence, make it NOT NULL, then ALTER COLUMN … ADD GENERATED … AS IDENTITY (no rewrite).';
      } else if (generated && generated.generated_kind !== 'v') {
        // VIRTUAL generated columns (PostgreSQL 18) are computed on read: nothing is written.
        why = 'a stored generated column is computed and written for every existing row';
        instead = `Add a plain nullable column kept up to date by a trigger and backfill it in batches${pgVersion >= 18 ? ', or make it VIRTUAL' : ''}.`;
      } else continue;
      const lock = describeLock({ mode: 'ACCESS EXCLUSIVE', table, duration: 'until the table is rewritten' });
      report({ ...stmt.actionRange(action.index), message: `Adding ${table}.${column?.colname}: ${why}. ${lock}. ${instead}` });
    }
  },
};
