import type { SqlRule } from '../context';
import { describeLock } from '../locks';
import { alterActions, isExisting, tableOf } from './_shared';

export const setLoggedUnlogged: SqlRule<'AlterTableStmt'> = {
  id: 'set-logged-unlogged',
  severity: 'error',
  summary: 'ALTER TABLE … SET LOGGED / SET UNLOGGED rewrites the table under ACCESS EXCLUSIVE, blocking reads and writes.',
  kinds: ['AlterTableStmt'],
  check(stmt, ctx, report) {
    // ALTER SEQUENCE … SET LOGGED rewrites one row.
    if (stmt.node.objtype !== 'OBJECT_TABLE' || !isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    for (const action of alterActions(stmt.node)) {
      if (action.subtype !== 'AT_SetLogged' && action.subtype !== 'AT_SetUnLogged') continue;
      const lock = describeLock({ mode: 'ACCESS EXCLUSIVE', table, duration: 'until the table is rewritten' });
      const consequence =
        action.subtype === 'AT_SetLogged'
          ? 'The whole table is also written to the WAL, which replicas must replay.'
          : 'An unlogged table is emptied after a crash and is not replicated: standbys cannot read it.';
      report({
        ...stmt.actionRange(action.index),
        message: `${action.subtype === 'AT_SetLogged' ? 'SET LOGGED' : 'SET UNLOGGED'}: ${lock}. ${consequence} Create the table the way it should stay, or copy it into a new table in batches and switch.`,
      });
    }
  },
};
