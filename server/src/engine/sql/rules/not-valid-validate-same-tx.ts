import type { SqlRule } from '../context';
import { alterActions, tableOf } from './_shared';

export const notValidValidateSameTx: SqlRule<'AlterTableStmt'> = {
  id: 'not-valid-validate-same-tx',
  severity: 'error',
  summary:
    'VALIDATE CONSTRAINT runs in the transaction that added the constraint NOT VALID, so the lock NOT VALID was meant to keep short is held while every row is checked.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    if (!ctx.state.inTransaction()) return;
    const table = tableOf(stmt.node.relation);
    for (const action of alterActions(stmt.node)) {
      if (action.subtype !== 'AT_ValidateConstraint') continue;
      const added = ctx.state.notValidConstraint(action.cmd.name ?? '');
      if (!added) continue;
      const where = ctx.locateUnit(added.unit);
      report({
        ...stmt.actionRange(action.index),
        relatedHere: where ? [{ ...where, message: `${action.cmd.name} added NOT VALID here, in the same transaction` }] : [],
        message: `VALIDATE CONSTRAINT ${action.cmd.name} runs in the transaction that added it NOT VALID, so the lock taken there on ${table} is still held while every row is checked: NOT VALID gains nothing. Commit first, then validate in a separate transaction.`,
      });
    }
  },
};
