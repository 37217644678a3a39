import { serverName, type MysqlRule } from '../context';
import { classify, type OnlineDdl } from '../online-ddl';
import type { AlterAction } from '../statement';
import { existingTable, ONLINE_TOOLS, tableName } from './_shared';

/** Operations other rules already report with the same lock information. */
const REPORTED_ELSEWHERE = new Set(['modify-column', 'change-column']);

export const mysqlUnsafeAlter: MysqlRule = {
  id: 'mysql-unsafe-alter',
  severity: 'error',
  summary: 'An ALTER TABLE that InnoDB cannot run with ALGORITHM=INSTANT or INPLACE and LOCK=NONE blocks writes for the whole operation.',
  kinds: ['alter-table', 'create-index', 'drop-index'],
  check(stmt, ctx, report) {
    const table = existingTable(stmt, ctx);
    if (!table) return;
    const server = serverName(ctx);
    const name = tableName(table);
    // An explicit ALGORITHM=COPY or LOCK=SHARED|EXCLUSIVE asks for the blocking form.
    if (stmt.algorithm?.value === 'COPY') {
      report({
        ...stmt.algorithm,
        message: `ALGORITHM=COPY copies ${name} row by row into a new table; writes to ${name} wait until it finishes. Leave ALGORITHM out (or ask for INPLACE / INSTANT) so ${server} uses an online algorithm where one exists, or run it with ${ONLINE_TOOLS}.`,
      });
    }
    if (stmt.lock && (stmt.lock.value === 'SHARED' || stmt.lock.value === 'EXCLUSIVE')) {
      const blocks = stmt.lock.value === 'SHARED' ? `writes to ${name} wait` : `reads and writes of ${name} wait`;
      report({
        ...stmt.lock,
        message: `LOCK=${stmt.lock.value} holds the table for the whole operation: ${blocks} until it finishes. Use LOCK=NONE where the operation allows it, or run it with ${ONLINE_TOOLS}.`,
      });
    }
    if (stmt.kind === 'create-index') {
      if (stmt.indexKind !== 'fulltext' && stmt.indexKind !== 'spatial') return;
      const kind = stmt.indexKind.toUpperCase();
      report({
        ...stmt.headRange('index'),
        message: describe({ algorithm: 'INPLACE', lock: 'SHARED', operation: `adding a ${kind} index` }, name, server, stmt.lock?.value === 'NONE'),
      });
      return;
    }
    if (stmt.kind !== 'alter-table') return;
    for (const action of stmt.actions) {
      if (REPORTED_ELSEWHERE.has(action.kind)) continue;
      const ddl = classify(action, { version: ctx.version, dialect: ctx.dialect, state: ctx.state, table, actions: stmt.actions });
      if (!ddl || (ddl.algorithm !== 'COPY' && ddl.lock === 'NONE')) continue;
      report({ ...rangeOf(action), message: describe(ddl, name, server, stmt.lock?.value === 'NONE') });
    }
  },
};

function rangeOf(action: AlterAction): { start: number; end: number } {
  return { start: action.start, end: action.end };
}

function describe(ddl: OnlineDdl, table: string, server: string, askedLockNone: boolean): string {
  const how = `${server} runs ${ddl.operation} with ALGORITHM=${ddl.algorithm}, LOCK=${ddl.lock}`;
  const effect = ddl.lock === 'EXCLUSIVE' ? `reads and writes of ${table} wait` : `reads continue but writes to ${table} wait`;
  const note = ddl.note ? ` (${ddl.note})` : '';
  const refusal = askedLockNone ? ` With LOCK=NONE the statement fails at once instead.` : '';
  return `${ddl.uncertain ? 'Likely blocking: ' : ''}${how}${note}: ${effect} until it finishes, and replicas apply it as one long statement.${refusal} Run it with ${ONLINE_TOOLS}, which copy the table in the background while writes continue.`;
}
