import type { MysqlRule } from '../context';
import { existingTable, tableName } from './_shared';

export const addingRequiredField: MysqlRule = {
  id: 'adding-required-field',
  severity: 'error',
  summary: 'Adding a NOT NULL column without a DEFAULT fails on a table with rows and breaks the running version’s inserts.',
  kinds: ['alter-table'],
  check(stmt, ctx, report) {
    const table = existingTable(stmt, ctx);
    if (!table) return;
    for (const action of stmt.actions) {
      if (action.kind !== 'add-column') continue;
      for (const column of action.columns) {
        if (!column.notNull || column.hasDefault || column.autoIncrement || column.generated) continue;
        report({
          ...(action.columns.length > 1 ? { start: column.nameRange.start, end: column.typeRange.end } : action),
          message: `Adding NOT NULL column ${tableName(table)}.${column.name} without a DEFAULT: MySQL fills existing rows with the type's implicit default (0, '' or a zero date), and the running version's INSERTs, which do not set the column, fail in strict mode ("Field '${column.name}' doesn't have a default value"). Add it with a DEFAULT (or nullable), backfill, then make it NOT NULL.`,
        });
      }
    }
  },
};
