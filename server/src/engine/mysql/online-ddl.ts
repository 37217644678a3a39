/**
 * How InnoDB runs each ALTER TABLE operation, after the MySQL 8.0 reference manual's
 * "Online DDL Operations" tables: the fastest algorithm it supports (INSTANT, INPLACE or
 * COPY) and the least lock that allows (NONE, SHARED), for the configured server version.
 */
import { atLeast, type MysqlFileState, type MysqlVersion } from './context';
import type { MysqlDialect } from './parse';
import type { AlterAction, ColumnDef, TableName } from './statement';

export type Algorithm = 'INSTANT' | 'INPLACE' | 'COPY';
export type Lock = 'NONE' | 'SHARED' | 'EXCLUSIVE';

export interface OnlineDdl {
  algorithm: Algorithm;
  lock: Lock;
  /** What the operation is, for messages ("adding a FULLTEXT index"). */
  operation: string;
  /** Why, when it is not obvious. */
  note?: string;
  /** Whether the outcome depends on something the file does not show (the column's current type). */
  uncertain?: boolean;
}

const online = (algorithm: Algorithm, operation: string, note?: string): OnlineDdl => ({ algorithm, lock: 'NONE', operation, ...(note ? { note } : {}) });
const blocking = (algorithm: Algorithm, operation: string, note?: string): OnlineDdl => ({ algorithm, lock: 'SHARED', operation, ...(note ? { note } : {}) });

/** Bytes per character of the default character set (utf8mb4) for VARCHAR length-byte limits. */
const UTF8MB4 = 4;

export interface DdlContext {
  version: MysqlVersion;
  dialect: MysqlDialect;
  state: MysqlFileState;
  table: TableName;
  /** All actions of the statement (DROP PRIMARY KEY with ADD PRIMARY KEY is one rebuild). */
  actions: readonly AlterAction[];
}

/** The operation one ALTER TABLE action is, as InnoDB runs it. */
export function classify(action: AlterAction, ctx: DdlContext): OnlineDdl | undefined {
  const v = ctx.version;
  const mariadb = ctx.dialect === 'mariadb';
  const instantAdd = mariadb || atLeast(v, 8, 0, 12);
  switch (action.kind) {
    case 'add-column': {
      const columns = action.columns;
      if (columns.some((c) => c.generated === 'stored'))
        return blocking('COPY', 'adding a STORED generated column', 'every row is computed and written into a copy of the table');
      if (columns.some((c) => c.autoIncrement))
        return blocking('INPLACE', 'adding an AUTO_INCREMENT column', 'the table is rebuilt and concurrent DML is not permitted');
      const anywhere = mariadb || atLeast(v, 8, 0, 29);
      if (instantAdd && (anywhere || !columns.some((c) => c.reorders)) && !ctx.state.hasFulltext(ctx.table)) return online('INSTANT', 'adding a column');
      return online('INPLACE', 'adding a column', 'the table is rebuilt');
    }
    case 'drop-column':
      return online(mariadb || atLeast(v, 8, 0, 29) ? 'INSTANT' : 'INPLACE', 'dropping a column');
    case 'rename-column':
      return online(mariadb || atLeast(v, 8, 0, 28) ? 'INSTANT' : 'INPLACE', 'renaming a column');
    case 'alter-column':
      return online(instantAdd ? 'INSTANT' : 'INPLACE', 'changing a column default or visibility');
    case 'modify-column':
    case 'change-column':
      return classifyColumnChange(action, ctx);
    case 'add-index':
    case 'add-unique':
      return online('INPLACE', 'adding a secondary index');
    case 'add-fulltext':
      return blocking(
        'INPLACE',
        'adding a FULLTEXT index',
        ctx.state.hasFulltext(ctx.table) ? undefined : 'the first FULLTEXT index of a table also rebuilds it to add the FTS_DOC_ID column',
      );
    case 'add-spatial':
      return blocking('INPLACE', 'adding a SPATIAL index');
    case 'add-primary-key': {
      if (ctx.actions.some((a) => a.kind === 'drop-primary-key')) return online('INPLACE', 'replacing the primary key', 'the table is rebuilt');
      const columns = action.keyColumns.map((name) => ctx.state.column(ctx.table, name));
      if (columns.length > 0 && columns.every((c) => c?.notNull)) return online('INPLACE', 'adding a primary key', 'the table is rebuilt');
      return {
        ...blocking('COPY', 'adding a primary key'),
        note: 'it rebuilds the table, and MySQL refuses INPLACE when a key column must first become NOT NULL',
        uncertain: true,
      };
    }
    case 'drop-primary-key':
      if (ctx.actions.some((a) => a.kind === 'add-primary-key')) return online('INPLACE', 'replacing the primary key', 'the table is rebuilt');
      return blocking('COPY', 'dropping the primary key without adding another');
    case 'add-foreign-key':
      if (ctx.state.foreignKeyChecksOff) return online('INPLACE', 'adding a foreign key with foreign_key_checks=0');
      return blocking('COPY', 'adding a foreign key', 'INPLACE is supported only with foreign_key_checks=0');
    case 'add-check':
      if (action.value === 'not enforced') return online('INPLACE', 'adding a NOT ENFORCED CHECK constraint');
      return blocking('COPY', 'adding an enforced CHECK constraint', 'every row is checked while the table is copied');
    case 'convert-charset':
      return blocking('COPY', 'converting the table to another character set', 'every text column is rewritten');
    case 'order-by':
      return blocking('COPY', 'ORDER BY (reordering rows)');
    case 'partition-copy':
      return blocking('COPY', 'repartitioning the table');
    case 'table-options': {
      const words = new Set(action.words);
      if (words.has('row_format') || words.has('key_block_size') || words.has('engine'))
        return online('INPLACE', 'rebuilding the table', 'the table is rebuilt');
      return online('INPLACE', 'changing table options');
    }
    case 'force':
      return online('INPLACE', 'rebuilding the table with FORCE', 'the table is rebuilt');
    case 'drop-index':
    case 'rename-index':
    case 'alter-index':
    case 'drop-foreign-key':
    case 'drop-check':
    case 'alter-check':
      return online('INPLACE', 'changing an index or constraint');
    case 'rename-table':
      return online('INSTANT', 'renaming the table');
    default:
      return undefined;
  }
}

/**
 * MODIFY / CHANGE restate the whole column. Known old definition: a type change copies the
 * table; widening a VARCHAR within the same length-byte size, appending ENUM/SET members,
 * reordering and changing NULL-ness do not.
 */
function classifyColumnChange(action: AlterAction, ctx: DdlContext): OnlineDdl | undefined {
  const column = action.columns[0];
  if (!column) return undefined;
  const before = action.name ? ctx.state.column(ctx.table, action.name) : undefined;
  if (!before) return { ...blocking('COPY', 'changing the column type'), uncertain: true };
  const change = typeChange(before, column);
  if (change === 'copy') return blocking('COPY', `changing the column type from ${before.typeText} to ${column.typeText}`);
  if (change === 'varchar') return online('INPLACE', 'extending a VARCHAR column');
  if (column.reorders) return online('INPLACE', 'reordering a column', 'the table is rebuilt');
  if (before.notNull !== column.notNull) return online('INPLACE', column.notNull ? 'making a column NOT NULL' : 'making a column NULL', 'the table is rebuilt');
  return online('INSTANT', 'changing column attributes');
}

/** 'same', 'varchar' (in-place widening), 'enum' (members appended) or 'copy'. */
export function typeChange(before: ColumnDef, after: ColumnDef): 'same' | 'varchar' | 'enum' | 'copy' {
  if (before.typeText === after.typeText) return 'same';
  const length = (c: ColumnDef): number | undefined => {
    const m = /^(?:varchar|character varying|national varchar|nvarchar)\((\d+)\)$/.exec(c.typeText);
    return m ? Number(m[1]) : undefined;
  };
  const a = length(before);
  const b = length(after);
  if (a !== undefined && b !== undefined && b >= a && a * UTF8MB4 < 256 === b * UTF8MB4 < 256) return 'varchar';
  if (/^(enum|set)\(/.test(before.typeText) && after.typeText.startsWith(before.typeText.slice(0, -1)) && before.type === after.type) return 'enum';
  return 'copy';
}
