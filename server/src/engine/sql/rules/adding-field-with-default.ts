import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { describeLock, isNullConstant, isSerialType } from '../locks';
import { firstVolatileCall } from '../volatility';
import { alterActions, columnConstraints, isExisting, tableOf, typeNameOf } from './_shared';

const AFTER_DEFAULT = 'Add the column without the default, SET DEFAULT for new rows, then backfill existing rows in batches.';

export const addingFieldWithDefault: SqlRule<'AlterTableStmt'> = {
  id: 'adding-field-with-default',
  severity: 'error',
  summary:
    'Adding a column whose DEFAULT must be computed per row (volatile, serial, identity, stored generated, or any default before PostgreSQL 11) rewrites the table.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    if (!isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    const pgVersion = ctx.settings.pgVersion;
    for (const action of alterActions(stmt.node)) {
      if (action.subtype !== 'AT_AddColumn') continue;
      const column = unwrap(action.cmd.def, 'ColumnDef');
      const reasons: { why: string; instead: string }[] = [];
      if (isSerialType(column?.typeName)) {
        reasons.push({
          why: `a ${typeNameOf(column?.typeName)} column's DEFAULT nextval() gives every existing row its own value`,
          instead: 'Add a nullable bigint column, create a sequence and SET DEFAULT nextval(…) for new rows, then backfill existing rows in batches.',
        });
      }
      for (const c of columnConstraints(column)) {
        if (c.contype === 'CONSTR_DEFAULT') {
          const volatile = firstVolatileCall(c.raw_expr);
          if (volatile)
            reasons.push({ why: `its DEFAULT calls ${volatile}, which is volatile, so every existing row gets its own value`, instead: AFTER_DEFAULT });
          else if (pgVersion < 11 && !isNullConstant(c.raw_expr))
            reasons.push({
              why: `PostgreSQL ${pgVersion} writes any DEFAULT into every existing row (11+ stores a constant default in the catalog)`,
              instead: AFTER_DEFAULT,
            });
        } else if (c.contype === 'CONSTR_IDENTITY') {
          reasons.push({
            why: 'an identity column draws a new value for every existing row',
            instead:
              'Add a nullable column, backfill it in batches from a sequence, make it NOT NULL, then ALTER COLUMN … ADD GENERATED … AS IDENTITY (no rewrite).',
          });
        } else if (c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v') {
          // VIRTUAL generated columns (PostgreSQL 18) are computed on read: nothing is written.
          reasons.push({
            why: 'a stored generated column is computed and written for every existing row',
            instead: `Add a plain nullable column kept up to date by a trigger and backfill it in batches${pgVersion >= 18 ? ', or make it VIRTUAL' : ''}.`,
          });
        }
      }
      const first = reasons[0];
      if (!first) continue;
      const lock = describeLock({ mode: 'ACCESS EXCLUSIVE', table, duration: 'until the table is rewritten' });
      report({
        ...stmt.actionRange(action.index),
        message: `Adding ${table}.${column?.colname}: ${first.why}. ${lock}. ${first.instead}`,
      });
    }
  },
};
