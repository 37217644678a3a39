import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { alterActions, columnConstraints, isExisting, tableOf } from './_shared';
import { notValidFix } from './_not-valid';

export const constraintMissingNotValid: SqlRule<'AlterTableStmt'> = {
  id: 'constraint-missing-not-valid',
  severity: 'error',
  summary: 'Adding a CHECK constraint validates every row while holding ACCESS EXCLUSIVE, which blocks reads and writes.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    const relation = stmt.node.relation;
    if (!isExisting(ctx, relation)) return;
    const table = tableOf(relation);
    // Foreign keys are adding-foreign-key-constraint's; VALIDATE in the adding transaction is not-valid-validate-same-tx's.
    for (const action of alterActions(stmt.node)) {
      if (action.subtype === 'AT_AddColumn') {
        const column = unwrap(action.cmd.def, 'ColumnDef');
        if (!columnConstraints(column).some((k) => k.contype === 'CONSTR_CHECK')) continue;
        report({
          ...stmt.actionRange(action.index),
          message: `Adding column ${table}.${column?.colname} with an inline CHECK: every existing row is checked while ADD COLUMN holds ACCESS EXCLUSIVE on ${table}, which blocks reads and writes. Add the column without it, then ADD CONSTRAINT … NOT VALID and VALIDATE CONSTRAINT in a separate transaction.`,
        });
        continue;
      }
      const c = unwrap(action.cmd.def, 'Constraint');
      if (action.subtype !== 'AT_AddConstraint' || !c || c.skip_validation || c.contype !== 'CONSTR_CHECK') continue;
      const fix = relation && notValidFix(stmt, ctx, action.index, relation, c);
      report({
        ...stmt.actionRange(action.index),
        message: `Adding CHECK constraint${c.conname ? ` ${c.conname}` : ''}: ACCESS EXCLUSIVE on ${table}: blocks reads and writes while every row is checked. Add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction (SHARE UPDATE EXCLUSIVE: reads and writes go on).`,
        fixes: fix ? [fix] : [],
      });
    }
  },
};
