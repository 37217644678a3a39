import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { isNullConstant, isSerialType } from '../locks';
import { alterActions, columnConstraints, isExisting, tableOf } from './_shared';

export const addingRequiredField: SqlRule<'AlterTableStmt'> = {
  id: 'adding-required-field',
  severity: 'error',
  summary: 'Adding a NOT NULL column without a DEFAULT fails on a table with rows and breaks the running version’s inserts.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    if (!isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    for (const action of alterActions(stmt.node)) {
      if (action.subtype !== 'AT_AddColumn') continue;
      const column = unwrap(action.cmd.def, 'ColumnDef');
      const constraints = columnConstraints(column);
      const notNull = constraints.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
      // DEFAULT NULL fills nothing: NOT NULL still fails on existing rows.
      const filled = constraints.some(
        (c) => (c.contype === 'CONSTR_DEFAULT' && !isNullConstant(c.raw_expr)) || c.contype === 'CONSTR_GENERATED' || c.contype === 'CONSTR_IDENTITY',
      );
      const serial = isSerialType(column?.typeName);
      if (!notNull || filled || serial) continue;
      report({
        ...stmt.actionRange(action.index),
        message: `Adding NOT NULL column ${table}.${column?.colname} without a DEFAULT fails if ${table} has rows, and once it exists the running version's INSERTs, which do not set it, fail. Add it nullable or with a DEFAULT, backfill, then make it NOT NULL.`,
      });
    }
  },
};
