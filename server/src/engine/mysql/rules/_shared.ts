/** Helpers shared by the MySQL rules (not a rule itself). */
import { displayTable, type MysqlRuleContext } from '../context';
import type { MysqlStatement, TableName } from '../statement';

/** The table of an ALTER/UPDATE/DELETE, when it existed before this file. */
export function existingTable(stmt: MysqlStatement, ctx: MysqlRuleContext): TableName | undefined {
  return stmt.table && !ctx.state.isNewTable(stmt.table) && !stmt.temporary ? stmt.table : undefined;
}

export const tableName = displayTable;

/** Online schema-change tools that copy a table in the background while writes continue. */
export const ONLINE_TOOLS = 'gh-ost or pt-online-schema-change';
