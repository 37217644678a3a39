import { unwrap } from '../ast';
import { tableRef, type SqlRule } from '../context';
import { alterActions, columnConstraints, isExisting, readsWaitToo, tableOf } from './_shared';
import { notValidFix } from './_not-valid';

const SAFE_FORM =
  'Add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction (SHARE UPDATE EXCLUSIVE on the table, ROW SHARE on the referenced one: reads and writes go on).';

export const addingForeignKeyConstraint: SqlRule<'AlterTableStmt'> = {
  id: 'adding-foreign-key-constraint',
  severity: 'error',
  summary: 'Adding a FOREIGN KEY checks every row while holding SHARE ROW EXCLUSIVE on both tables, which blocks writes to both.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    const relation = stmt.node.relation;
    // A table this file created and filled from a query is used by nobody yet, but its rows are checked while the
    // live referenced table is locked.
    const filled = !isExisting(ctx, relation) && ctx.state.isFilledNewTable(tableRef(relation));
    if (!isExisting(ctx, relation) && !filled) return;
    const table = tableOf(relation);
    const actions = alterActions(stmt.node);
    // PostgreSQL skips checking an inline REFERENCES of a new column unless the column has a DEFAULT or the statement adds another foreign key.
    const foreignKeysChecked = actions.some((a) => a.subtype === 'AT_AddConstraint' && unwrap(a.cmd.def, 'Constraint')?.contype === 'CONSTR_FOREIGN');
    for (const action of actions) {
      if (action.subtype === 'AT_AddColumn') {
        if (filled) continue;
        const column = unwrap(action.cmd.def, 'ColumnDef');
        const constraints = columnConstraints(column);
        const hasDefault = constraints.some((k) => k.contype === 'CONSTR_DEFAULT');
        const inline = constraints.find((k) => k.contype === 'CONSTR_FOREIGN');
        if (!inline || !(hasDefault || foreignKeysChecked)) continue;
        const referenced = tableOf(inline.pktable);
        report({
          ...stmt.actionRange(action.index),
          message: `Adding column ${table}.${column?.colname} with an inline REFERENCES ${referenced}: every existing row is checked while ADD COLUMN holds ACCESS EXCLUSIVE on ${table} (reads and writes blocked) and SHARE ROW EXCLUSIVE on ${referenced} (writes blocked). Add the column without it, then ADD CONSTRAINT … FOREIGN KEY … NOT VALID and VALIDATE CONSTRAINT in a separate transaction.`,
        });
        continue;
      }
      const c = unwrap(action.cmd.def, 'Constraint');
      if (action.subtype !== 'AT_AddConstraint' || c?.contype !== 'CONSTR_FOREIGN' || c.skip_validation) continue;
      if (filled && !isExisting(ctx, c.pktable)) continue;
      const fix = relation && notValidFix(stmt, ctx, action.index, relation, c);
      report({
        ...stmt.actionRange(action.index),
        message: `Adding FOREIGN KEY${c.conname ? ` ${c.conname}` : ''}: SHARE ROW EXCLUSIVE on ${lockedTables(table, tableOf(c.pktable))} while every row of ${table} is checked.${readsWaitToo(ctx, relation)} ${SAFE_FORM}`,
        fixes: fix ? [fix] : [],
      });
    }
  },
};

/** The tables a foreign key locks: a self-referencing one locks its own table once. */
const lockedTables = (table: string, referenced: string): string =>
  table === referenced ? `${table}: blocks writes to it` : `${table} and ${referenced}: blocks writes to both`;
