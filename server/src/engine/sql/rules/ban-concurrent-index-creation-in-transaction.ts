import type { SqlRule } from '../context';
import { migrationToolNamed } from '../migration-tools';
import { refusedInTransaction } from './_shared';

export const banConcurrentIndexCreationInTransaction: SqlRule<'IndexStmt' | 'DropStmt' | 'ReindexStmt'> = {
  id: 'ban-concurrent-index-creation-in-transaction',
  severity: 'error',
  summary: 'CREATE/DROP INDEX CONCURRENTLY and REINDEX … CONCURRENTLY cannot run inside a transaction block: the migration fails.',
  kinds: ['IndexStmt', 'DropStmt', 'ReindexStmt'],
  check(stmt, ctx, report) {
    const refused = refusedInTransaction(stmt, ctx);
    if (!refused) return;
    const { verb, where } = refused;
    report({
      ...stmt.headRange('concurrently'),
      message: `${verb} cannot run ${where}: PostgreSQL refuses it and the migration fails. Run it ${migrationToolNamed(ctx.state.migrationTool)?.withoutTransaction ?? 'in a migration of its own without a transaction (e.g. Rails disable_ddl_transaction!, Django atomic = False)'}.`,
    });
  },
};
