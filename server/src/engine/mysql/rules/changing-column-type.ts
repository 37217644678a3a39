import { serverName, type MysqlRule } from '../context';
import { classify } from '../online-ddl';
import { existingTable, ONLINE_TOOLS, tableName } from './_shared';

export const changingColumnType: MysqlRule = {
  id: 'changing-column-type',
  severity: 'error',
  summary: 'Changing a column type copies the table while writes wait, and can break the running version.',
  kinds: ['alter-table'],
  destructive: true,
  check(stmt, ctx, report) {
    const table = existingTable(stmt, ctx);
    if (!table) return;
    for (const action of stmt.actions) {
      if (action.kind !== 'modify-column' && action.kind !== 'change-column') continue;
      const column = action.columns[0];
      if (!column) continue;
      const ddl = classify(action, { version: ctx.version, dialect: ctx.dialect, state: ctx.state, table, actions: stmt.actions });
      if (!ddl || ddl.algorithm !== 'COPY') continue;
      const renamed = action.name?.toLowerCase() !== column.name.toLowerCase();
      // CHANGE old new <same definition> is how older tools rename: renaming-column speaks for it.
      if (ddl.uncertain && renamed) continue;
      const what = `${tableName(table)}.${action.name}`;
      const lead = ddl.uncertain
        ? `${action.kind === 'modify-column' ? 'MODIFY' : 'CHANGE'} restates ${what} as ${column.typeText}: if that is not its current type, ${serverName(ctx)}`
        : `Changing ${what} from ${ddl.operation.replace(/^changing the column type from /, '')}: ${serverName(ctx)}`;
      // What runs in place although the type text changes (the manual's VARCHAR and ENUM notes).
      const unless = !ddl.uncertain
        ? ''
        : /^(var)?char|^enum|^set/.test(column.type)
          ? ' (unless it only widens a VARCHAR within the same length byte — under 64 or from 64 characters up in utf8mb4 — or appends ENUM/SET members, which run in place)'
          : '';
      report({
        ...action,
        message: `${lead} copies the whole table (ALGORITHM=COPY, LOCK=SHARED)${unless}: writes to ${tableName(table)} wait until the copy finishes, and the running version may not read or write the new type. Add a column of the new type, write both, backfill in batches, switch reads, then drop the old column, or run the change with ${ONLINE_TOOLS}.`,
      });
    }
  },
};
