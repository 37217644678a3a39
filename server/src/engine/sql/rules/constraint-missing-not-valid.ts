import type { Fix } from '../../types';
import type { SqlRule, Statement } from '../context';
import type { PgNode } from '../parse';
import { alterActions, ident, isExisting, tableOf } from './_shared';

export const constraintMissingNotValid: SqlRule = {
  id: 'constraint-missing-not-valid',
  severity: 'error',
  summary: 'Adding a FOREIGN KEY or CHECK constraint validates every row while holding a lock that blocks writes.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    const relation = stmt.node.relation;
    const table = tableOf(relation);
    for (const action of alterActions(stmt)) {
      const c = action.cmd.def?.Constraint;
      if (action.subtype === 'AT_ValidateConstraint' && ctx.state.inTransaction() && ctx.state.notValidInTransaction.has(action.cmd.name)) {
        report({
          ...stmt.actionRange(action.index),
          message: `VALIDATE CONSTRAINT ${action.cmd.name} runs in the same transaction that added it NOT VALID, so the earlier lock is still held while every row is checked. Commit first, then validate in a separate transaction.`,
        });
        continue;
      }
      if (action.subtype !== 'AT_AddConstraint' || !c || c.skip_validation || !isExisting(ctx, relation)) continue;
      if (c.contype !== 'CONSTR_FOREIGN' && c.contype !== 'CONSTR_CHECK') continue;
      const isForeign = c.contype === 'CONSTR_FOREIGN';
      const lockText = isForeign
        ? `SHARE ROW EXCLUSIVE on ${table} and ${tableOf(c.pktable)}: blocks writes while every row is checked`
        : `ACCESS EXCLUSIVE on ${table}: blocks reads and writes while every row is checked`;
      const fix = notValidFix(stmt, action.index, relation, c);
      report({
        ...stmt.actionRange(action.index),
        message: `Adding ${isForeign ? 'FOREIGN KEY' : 'CHECK'} constraint${c.conname ? ` ${c.conname}` : ''}: ${lockText}. Add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction (SHARE UPDATE EXCLUSIVE: reads and writes go on).`,
        fixes: fix ? [fix] : [],
      });
    }
  },
};

/** Splits `ADD CONSTRAINT c …` into `… NOT VALID;` + `ALTER TABLE t VALIDATE CONSTRAINT c;`. */
function notValidFix(stmt: Statement, index: number, relation: PgNode, c: PgNode): Fix | undefined {
  const name: string | undefined =
    c.conname ?? (c.contype === 'CONSTR_FOREIGN' ? `${relation.relname}_${(c.fk_attrs ?? []).map((a: PgNode) => a.String?.sval).join('_')}_fkey` : undefined);
  if (!name || stmt.semicolon < 0 || stmt.origin !== 'file') return undefined;
  const action = stmt.actionRange(index);
  const tableText = stmt.text.slice(stmt.nameRange(stmt.at(relation.location)).start, stmt.nameRange(stmt.at(relation.location)).end);
  return {
    title: 'Add NOT VALID and validate in a separate statement',
    preferred: true,
    edits: [
      { start: action.end, end: action.end, newText: ' NOT VALID' },
      { start: stmt.semicolon + 1, end: stmt.semicolon + 1, newText: `\nALTER TABLE ${tableText} VALIDATE CONSTRAINT ${ident(name)};` },
    ],
  };
}
