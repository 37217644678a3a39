/** Hover on a MySQL statement: how InnoDB runs each ALTER TABLE operation (algorithm and lock). */
import type { EngineSettings } from '../types';
import { displayTable, MysqlFileState, parseMysqlVersion, serverName } from './context';
import { classify } from './online-ddl';
import type { MysqlDialect } from './parse';
import { splitMysql } from './split';
import { MysqlStatement } from './statement';

export function hoverMysql(
  text: string,
  offset: number,
  settings: EngineSettings,
  dialect: MysqlDialect,
): { start: number; end: number; contents: string } | undefined {
  const version = parseMysqlVersion(settings.mysqlVersion) ?? parseMysqlVersion('8.0')!;
  const state = new MysqlFileState();
  for (const piece of splitMysql(text).pieces) {
    if (piece.start > offset) return undefined;
    const stmt = new MysqlStatement(text, piece.start, piece.end);
    if (offset <= piece.end && stmt.table && (stmt.kind === 'alter-table' || stmt.kind === 'create-index')) {
      const server = serverName({ settings, dialect, version, state, commentsBefore: [] });
      const table = displayTable(stmt.table);
      const lines: string[] = [];
      if (state.isNewTable(stmt.table)) lines.push(`${table} is created earlier in this file: no traffic uses it yet.`);
      const actions =
        stmt.kind === 'alter-table'
          ? stmt.actions
          : [
              {
                kind: stmt.indexKind === 'fulltext' ? 'add-fulltext' : stmt.indexKind === 'spatial' ? 'add-spatial' : 'add-index',
                start: stmt.start,
                end: stmt.end,
                columns: [],
                words: [],
                keyColumns: [],
              } as const,
            ];
      for (const action of actions) {
        const ddl = classify(
          { ...action, columns: [...action.columns], words: [...action.words], keyColumns: [...action.keyColumns] },
          { version, dialect, state, table: stmt.table, actions: stmt.actions },
        );
        if (!ddl) continue;
        const written = text.slice(action.start, Math.min(action.end, action.start + 60)).replace(/\s+/g, ' ');
        const blocks = ddl.algorithm === 'COPY' || ddl.lock !== 'NONE' ? ' — writes wait' : '';
        lines.push(
          `- \`${written}\`: ${ddl.uncertain ? 'likely ' : ''}ALGORITHM=${ddl.algorithm}, LOCK=${ddl.lock}${blocks}${ddl.note ? ` (${ddl.note})` : ''}`,
        );
      }
      if (lines.length === 0) return undefined;
      return { start: piece.start, end: piece.end, contents: `**${server}, InnoDB online DDL on ${table}**\n\n${lines.join('\n')}` };
    }
    state.apply(stmt);
  }
  return undefined;
}
