import type { SqlRule } from '../context';
import { alterActions, isExisting, tableOf } from './_shared';

export const banDropNotNull: SqlRule<'AlterTableStmt'> = {
  id: 'ban-drop-not-null',
  severity: 'warning',
  summary: 'Dropping NOT NULL lets the new version write NULLs that the version still running does not expect.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    const n = stmt.node;
    if (n.objtype !== 'OBJECT_TABLE' || !isExisting(ctx, n.relation)) return;
    const table = tableOf(n.relation);
    const actions = alterActions(n);
    // `ALTER COLUMN c TYPE t, ALTER COLUMN c DROP NOT NULL` restates a column's whole definition
    // (ORMs' change_column, e.g. ory/kratos' fizz), often nullable already: changing-column-type reports it.
    const retyped = new Set(actions.filter((a) => a.subtype === 'AT_AlterColumnType').map((a) => a.cmd.name));
    for (const { index, subtype, cmd } of actions) {
      if (subtype !== 'AT_DropNotNull' || retyped.has(cmd.name)) continue;
      report({
        ...stmt.actionRange(index),
        message: `Dropping NOT NULL on ${table}.${cmd.name} lets rows with a NULL ${cmd.name} in, and the version still running reads and writes ${table} assuming there are none: its code may fail on the first NULL, and its inserts that rely on the constraint to reject bad rows now succeed. Ship code that handles NULL in ${cmd.name} first, then drop the constraint.`,
      });
    }
  },
};
