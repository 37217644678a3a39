import type { Fix } from '../../types';
import { stringOf, subtree, unwrap, type Constraint, type RangeVar } from '../ast';
import { tableRef, type RuleContext, type SqlRule, type Statement } from '../context';
import { alterActions, columnConstraints, ident, isExisting, tableOf } from './_shared';

export const constraintMissingNotValid: SqlRule<'AlterTableStmt'> = {
  id: 'constraint-missing-not-valid',
  severity: 'error',
  summary: 'Adding a FOREIGN KEY or CHECK constraint validates every row while holding a lock that blocks writes.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    const relation = stmt.node.relation;
    const table = tableOf(relation);
    const actions = alterActions(stmt.node);
    // PostgreSQL skips checking an inline REFERENCES of a new column unless the column has a DEFAULT or the statement adds another foreign key.
    const foreignKeysChecked = actions.some((a) => a.subtype === 'AT_AddConstraint' && unwrap(a.cmd.def, 'Constraint')?.contype === 'CONSTR_FOREIGN');
    for (const action of actions) {
      const c = unwrap(action.cmd.def, 'Constraint');
      const added = action.subtype === 'AT_ValidateConstraint' && ctx.state.inTransaction() ? ctx.state.notValidConstraint(action.cmd.name ?? '') : undefined;
      if (added) {
        const where = ctx.locateUnit(added.unit);
        report({
          ...stmt.actionRange(action.index),
          relatedHere: where ? [{ ...where, message: `${action.cmd.name} added NOT VALID here, in the same transaction` }] : [],
          message: `VALIDATE CONSTRAINT ${action.cmd.name} runs in the transaction that added it NOT VALID, so the lock taken there on ${table} is still held while every row is checked. Commit first, then validate in a separate transaction.`,
        });
        continue;
      }
      if (!isExisting(ctx, relation) && !checksRowsUnderLiveLock(ctx, relation, c)) continue;
      if (action.subtype === 'AT_AddColumn') {
        const column = unwrap(action.cmd.def, 'ColumnDef');
        const constraints = columnConstraints(column);
        const hasDefault = constraints.some((k) => k.contype === 'CONSTR_DEFAULT');
        const inline = constraints.find((k) => k.contype === 'CONSTR_CHECK' || (k.contype === 'CONSTR_FOREIGN' && (hasDefault || foreignKeysChecked)));
        if (!inline) continue;
        const what = inline.contype === 'CONSTR_CHECK' ? 'an inline CHECK' : `an inline REFERENCES ${tableOf(inline.pktable)}`;
        report({
          ...stmt.actionRange(action.index),
          message: `Adding column ${table}.${column?.colname} with ${what}: every existing row is checked while ADD COLUMN holds ACCESS EXCLUSIVE on ${table}, which blocks reads and writes. Add the column without it, then ADD CONSTRAINT … NOT VALID and VALIDATE CONSTRAINT in a separate transaction.`,
        });
        continue;
      }
      if (action.subtype !== 'AT_AddConstraint' || !c || c.skip_validation) continue;
      if (c.contype !== 'CONSTR_FOREIGN' && c.contype !== 'CONSTR_CHECK') continue;
      const isForeign = c.contype === 'CONSTR_FOREIGN';
      const lockText = isForeign
        ? `SHARE ROW EXCLUSIVE on ${table} and ${tableOf(c.pktable)}: blocks writes while every row is checked`
        : `ACCESS EXCLUSIVE on ${table}: blocks reads and writes while every row is checked`;
      const fix = relation && notValidFix(stmt, ctx, action.index, relation, c);
      report({
        ...stmt.actionRange(action.index),
        message: `Adding ${isForeign ? 'FOREIGN KEY' : 'CHECK'} constraint${c.conname ? ` ${c.conname}` : ''}: ${lockText}. Add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction (SHARE UPDATE EXCLUSIVE: reads and writes go on).`,
        fixes: fix ? [fix] : [],
      });
    }
  },
};

/**
 * A foreign key added to a table this file created and filled from a query: nobody uses that
 * table yet, but its rows are checked while the live referenced table is locked.
 */
function checksRowsUnderLiveLock(ctx: RuleContext, relation: RangeVar | undefined, c: Constraint | undefined): boolean {
  return c?.contype === 'CONSTR_FOREIGN' && !!relation && ctx.state.isFilledNewTable(tableRef(relation)) && isExisting(ctx, c.pktable);
}

/** The name PostgreSQL gives an unnamed constraint (before de-duplication). */
function defaultName(relation: RangeVar, c: Constraint): string {
  if (c.contype === 'CONSTR_FOREIGN') return `${relation.relname}_${(c.fk_attrs ?? []).map(stringOf).join('_')}_fkey`;
  // CHECK: <table>_<column>_check when the expression uses exactly one column, else <table>_check.
  const columns = new Set<string>();
  for (const node of subtree(c.raw_expr)) {
    const fields = unwrap(node, 'ColumnRef')?.fields;
    if (fields) columns.add(stringOf(fields.at(-1)) ?? '*');
  }
  return columns.size === 1 ? `${relation.relname}_${[...columns][0]}_check` : `${relation.relname}_check`;
}

/**
 * Appends NOT VALID and a VALIDATE CONSTRAINT after the statement. Inside a transaction the
 * VALIDATE would hold the lock again, so it is written as a comment for a later migration.
 */
function notValidFix(stmt: Statement, ctx: RuleContext, index: number, relation: RangeVar, c: Constraint): Fix | undefined {
  if (stmt.semicolon < 0 || stmt.origin !== 'file') return undefined;
  const name = c.conname ?? defaultName(relation, c);
  const action = stmt.actionRange(index);
  const tableRange = stmt.nameRange(stmt.at(relation.location));
  const validate = `ALTER TABLE ${stmt.text.slice(tableRange.start, tableRange.end)} VALIDATE CONSTRAINT ${ident(name)};`;
  return {
    title: ctx.state.inTransaction() ? 'Add NOT VALID (validate in a later transaction)' : 'Add NOT VALID and validate in a separate statement',
    preferred: true,
    edits: [
      { start: action.end, end: action.end, newText: ' NOT VALID' },
      {
        start: stmt.semicolon + 1,
        end: stmt.semicolon + 1,
        newText: ctx.state.inTransaction() ? `\n-- After COMMIT, in a separate transaction: ${validate}` : `\n${validate}`,
      },
    ],
  };
}
