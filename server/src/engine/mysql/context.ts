/** What MySQL rules get: the statement, the settings, and what earlier statements of the file established. */
import type { PhaseName } from '../phases';
import type { EngineSettings, RuleMeta, StatementReport } from '../types';
import type { MysqlDialect } from './parse';
import type { ColumnDef, MysqlStatement, StatementKind, TableName } from './statement';

/** A MySQL server version; a version written without its patch number (`8.0`) means that series' latest. */
export interface MysqlVersion {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

export function parseMysqlVersion(text: string): MysqlVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? 999 : Number(m[3]), text: text.trim() };
}

/** version ≥ major.minor.patch */
export const atLeast = (v: MysqlVersion, major: number, minor: number, patch: number): boolean =>
  v.major !== major ? v.major > major : v.minor !== minor ? v.minor > minor : v.patch >= patch;

const key = (t: { schema?: string; name: string }): string => t.name.toLowerCase();

/** Mutable walk state: the linter holds one per file. */
export class MysqlFileState {
  phase: PhaseName | '' = '';
  /** Once-per-file rules that reported: they stay quiet for the rest of the file. */
  readonly reportedOnce: string[] = [];
  private readonly created = new Set<string>();
  private readonly columns = new Map<string, Map<string, ColumnDef>>();
  private readonly fulltext = new Set<string>();
  /** SET foreign_key_checks = 0 earlier in the file: adding a foreign key can run INPLACE. */
  foreignKeyChecksOff = false;

  isNewTable(table: TableName | undefined): boolean {
    return !!table && this.created.has(key(table));
  }

  /** The column as this file defined it (CREATE TABLE, ADD COLUMN, MODIFY), if it did. */
  column(table: TableName, column: string): ColumnDef | undefined {
    return this.columns.get(key(table))?.get(column.toLowerCase());
  }

  hasFulltext(table: TableName): boolean {
    return this.fulltext.has(key(table));
  }

  /** Records what a statement establishes, after the rules looked at it. */
  apply(stmt: MysqlStatement): void {
    const table = stmt.table;
    if (stmt.kind === 'create-table' && table) {
      this.created.add(key(table));
      this.columns.set(key(table), new Map(stmt.columns.map((c) => [c.name.toLowerCase(), c])));
      if (stmt.createsFulltext) this.fulltext.add(key(table));
    } else if (stmt.kind === 'alter-table' && table) {
      const columns = this.columns.get(key(table)) ?? new Map<string, ColumnDef>();
      this.columns.set(key(table), columns);
      for (const action of stmt.actions) {
        if (action.kind === 'add-fulltext') this.fulltext.add(key(table));
        if (action.kind === 'drop-column' && action.name) columns.delete(action.name.toLowerCase());
        if (action.kind === 'rename-column' && action.name && action.newName) {
          const old = columns.get(action.name.toLowerCase());
          columns.delete(action.name.toLowerCase());
          if (old) columns.set(action.newName.toLowerCase(), { ...old, name: action.newName });
        }
        if (action.kind === 'change-column' && action.name) columns.delete(action.name.toLowerCase());
        for (const column of action.columns) columns.set(column.name.toLowerCase(), column);
        if (action.kind === 'rename-table' && action.newName) this.renameTable(table, action.newName);
      }
    } else if (stmt.kind === 'rename-table') {
      for (const r of stmt.renames) this.renameTable(r.from, r.to.name);
    } else if (stmt.kind === 'drop-table') {
      for (const t of stmt.tables) {
        this.created.delete(key(t));
        this.columns.delete(key(t));
      }
    } else if (stmt.kind === 'create-index' && table && stmt.indexKind === 'fulltext') {
      this.fulltext.add(key(table));
    } else if (stmt.kind === 'set') {
      for (const [name, value] of stmt.assignments) if (name === 'foreign_key_checks') this.foreignKeyChecksOff = value === '0' || value === 'off';
    }
  }

  private renameTable(from: TableName, to: string): void {
    const newKey = to.split('.').pop()!.toLowerCase();
    if (this.created.delete(key(from))) this.created.add(newKey);
    const columns = this.columns.get(key(from));
    if (columns) this.columns.set(newKey, columns);
    this.columns.delete(key(from));
  }
}

export interface MysqlRuleContext {
  settings: EngineSettings;
  dialect: MysqlDialect;
  version: MysqlVersion;
  state: MysqlFileState;
  /** Text of the comments right before the statement. */
  commentsBefore: readonly string[];
}

export interface MysqlRule extends RuleMeta {
  /** The same id as the PostgreSQL rule with the same meaning. */
  id: string;
  kinds: readonly StatementKind[];
  check(stmt: MysqlStatement, ctx: MysqlRuleContext, report: (finding: StatementReport) => void): void;
}

export const displayTable = (t: TableName): string => (t.schema ? `${t.schema}.${t.name}` : t.name);

/** `MySQL 8.0.35` / `MariaDB` for messages. */
export const serverName = (ctx: MysqlRuleContext): string =>
  ctx.dialect === 'mariadb'
    ? 'MariaDB'
    : `MySQL ${ctx.version.patch === 999 ? ctx.version.text : `${ctx.version.major}.${ctx.version.minor}.${ctx.version.patch}`}`;
