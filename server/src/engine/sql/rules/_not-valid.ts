/** The NOT VALID + VALIDATE CONSTRAINT rewrite shared by the constraint rules (not a rule itself). */
import type { Fix } from '../../types';
import { stringOf, subtree, unwrap, type Constraint, type RangeVar } from '../ast';
import type { RuleContext, Statement } from '../context';
import { ident } from './_shared';

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
 * Appends NOT VALID to ALTER TABLE action `index` and a VALIDATE CONSTRAINT after the statement.
 * Inside a transaction the VALIDATE would hold the lock again, so it is written as a comment for a
 * later migration.
 */
export function notValidFix(stmt: Statement, ctx: RuleContext, index: number, relation: RangeVar, c: Constraint): Fix | undefined {
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
