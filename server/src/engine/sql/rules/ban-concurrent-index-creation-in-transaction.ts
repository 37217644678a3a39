import { unwrap } from '../ast';
import type { SqlRule } from '../context';
import { migrationToolNamed } from '../migration-tools';

export const banConcurrentIndexCreationInTransaction: SqlRule<'IndexStmt' | 'DropStmt' | 'ReindexStmt'> = {
  id: 'ban-concurrent-index-creation-in-transaction',
  severity: 'error',
  summary: 'CREATE/DROP INDEX CONCURRENTLY and REINDEX … CONCURRENTLY cannot run inside a transaction block: the migration fails.',
  kinds: ['IndexStmt', 'DropStmt', 'ReindexStmt'],
  check(stmt, ctx, report) {
    const { kind, node: n } = stmt.parsed;
    const concurrent = kind === 'ReindexStmt' ? (n.params ?? []).some((p) => unwrap(p, 'DefElem')?.defname === 'concurrently') : n.concurrent;
    if (!concurrent || (kind === 'DropStmt' && n.removeType !== 'OBJECT_INDEX')) return;
    const where =
      stmt.origin === 'do-block'
        ? 'inside a DO block'
        : stmt.origin === 'function-body'
          ? 'inside a function'
          : ctx.state.explicitTransaction
            ? 'inside the transaction opened by BEGIN'
            : ctx.state.runsInToolTransaction
              ? `in a migration that runs in a transaction (${ctx.state.toolTransactionReason})`
              : undefined;
    if (!where) return;
    const verb = kind === 'IndexStmt' ? 'CREATE INDEX CONCURRENTLY' : kind === 'DropStmt' ? 'DROP INDEX CONCURRENTLY' : 'REINDEX … CONCURRENTLY';
    report({
      ...stmt.headRange('concurrently'),
      message: `${verb} cannot run ${where}: PostgreSQL refuses it and the migration fails. Run it ${migrationToolNamed(ctx.state.migrationTool)?.withoutTransaction ?? 'in a migration of its own without a transaction (e.g. Rails disable_ddl_transaction!, Django atomic = False)'}.`,
    });
  },
};
