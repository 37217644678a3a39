import type { SqlRule } from '../context';

const BEGINS = new Set(['TRANS_STMT_BEGIN', 'TRANS_STMT_START']);
const ENDS = new Set(['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK']);

export const transactionNesting: SqlRule<'TransactionStmt'> = {
  id: 'transaction-nesting',
  severity: 'warning',
  summary:
    'BEGIN inside an open transaction, or BEGIN/COMMIT in a file the migration tool already runs in a transaction: the transaction ends earlier than it seems.',
  kinds: ['TransactionStmt'],
  check(stmt, ctx, report) {
    if (stmt.origin !== 'file') return;
    const kind = stmt.node.kind ?? '';
    const word = stmt.tokens[0]?.text.toUpperCase() ?? 'BEGIN';
    const range = { start: stmt.start, end: stmt.tokens[0]?.end ?? stmt.end };
    if (BEGINS.has(kind) && ctx.state.explicitTransaction) {
      report({
        ...range,
        message: `${word} inside a transaction that is already open: PostgreSQL only warns ("there is already a transaction in progress") and the next COMMIT ends the outer transaction, so the statements after it run outside any transaction. Remove this ${word}.`,
      });
    } else if (ENDS.has(kind) && !ctx.state.explicitTransaction && !ctx.state.toolTransaction) {
      report({
        ...range,
        message: `${word} with no BEGIN before it: either there is no transaction and PostgreSQL only warns, or the migration tool runs this file in a transaction and this ${word} ends it early, so the statements after it run outside it. Remove it, or set assumeInTransaction when the tool wraps each file and split the file where a statement must run outside the transaction.`,
      });
    } else if (ctx.state.toolTransaction === true && (BEGINS.has(kind) || ENDS.has(kind))) {
      // (An implicit transaction — one query string — becomes the explicit one: nothing nests.)
      report({
        ...range,
        message: `The migration tool already runs this file in a transaction (${ctx.state.toolTransactionReason}): ${BEGINS.has(kind) ? `this ${word} nests in it, and the COMMIT that matches it ends the tool's transaction` : `this ${word} ends the tool's transaction`}, so what follows runs outside it and the tool's own COMMIT finds none. Remove the explicit transaction statements, or turn the tool's transaction off for this file.`,
      });
    }
  },
};
