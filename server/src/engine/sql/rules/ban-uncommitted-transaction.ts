import type { SqlRule } from '../context';

export const banUncommittedTransaction: SqlRule = {
  id: 'ban-uncommitted-transaction',
  severity: 'warning',
  summary: 'A BEGIN with no COMMIT: the transaction stays open until the session ends, holding every lock taken in it.',
  kinds: [],
  atEnd(ctx, report) {
    const { transactionBegin: begin, wrappedByTool } = ctx.state;
    // `COMMIT; BEGIN;` in a file the tool wraps (ory/kratos): the tool's own COMMIT ends the transaction. A tool that sends
    // the file as one query string commits nothing: after it, the BEGIN's transaction stays open (measured), and closing
    // the connection rolls back all of the file, the statements before the BEGIN too.
    if (wrappedByTool || (ctx.state.runsInToolTransaction && ctx.state.toolTransaction !== 'implicit')) return;
    const at = begin ? ctx.locateUnit(begin) : undefined;
    if (!at) return;
    const end = ctx.text.trimEnd().length;
    const newline = ctx.text.length > end || end === 0 ? '' : '\n';
    report({
      start: at.start,
      end: at.end,
      message: `This transaction is never committed: the file ends inside it. psql and most runners then roll it back when the session closes, or leave it open, holding every lock its statements took (queries on those tables wait) until the connection ends. End it with COMMIT.`,
      fixes: [{ title: 'Add COMMIT at the end of the file', preferred: true, edits: [{ start: end, end, newText: `${newline}\nCOMMIT;` }] }],
    });
  },
};
