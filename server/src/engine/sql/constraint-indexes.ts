/**
 * The names of the indexes PostgreSQL builds for PRIMARY KEY, UNIQUE and EXCLUDE constraints,
 * so a later `REINDEX INDEX t_pkey` or `DROP INDEX t_a_key` can be traced to its table.
 */
import { stringOf, unwrap, type Node } from './ast';

const SUFFIXES: Partial<Record<string, string>> = { CONSTR_PRIMARY: 'pkey', CONSTR_UNIQUE: 'key', CONSTR_EXCLUSION: 'excl' };

/** The name PostgreSQL gives an index column (FigureColname): a column's own name, else the function's, else "expr". */
function columnName(expr: Node | undefined): string {
  const cast = unwrap(expr, 'TypeCast');
  if (cast) return columnName(cast.arg);
  const column = unwrap(expr, 'ColumnRef');
  if (column) return stringOf(column.fields?.at(-1)) ?? 'expr';
  const call = unwrap(expr, 'FuncCall');
  return stringOf(call?.funcname?.at(-1)) ?? 'expr';
}

/** The index name of a constraint on `table` (`column` for a column constraint), or undefined if it builds none. */
export function constraintIndexName(table: string, constraint: Node | undefined, column?: string): string | undefined {
  const c = unwrap(constraint, 'Constraint');
  const suffix = c?.contype && SUFFIXES[c.contype];
  if (!c || !suffix) return undefined;
  if (c.indexname) return c.indexname;
  if (c.conname) return c.conname;
  if (suffix === 'pkey') return `${table}_pkey`;
  const columns = column
    ? [column]
    : c.contype === 'CONSTR_EXCLUSION'
      ? (c.exclusions ?? []).map((pair) => {
          const elem = unwrap(unwrap(pair, 'List')?.items?.[0], 'IndexElem');
          return elem?.name ?? columnName(elem?.expr);
        })
      : (c.keys ?? []).map((key) => stringOf(key) ?? '?');
  return [table, ...columns, suffix].join('_');
}

/** The indexes a CREATE TABLE's constraints build, column and table constraints alike. */
export function createTableIndexNames(table: string, elements: readonly Node[] | undefined): string[] {
  return (elements ?? []).flatMap((element) => {
    const column = unwrap(element, 'ColumnDef');
    const names = column ? (column.constraints ?? []).map((c) => constraintIndexName(table, c, column.colname)) : [constraintIndexName(table, element)];
    return names.filter((name): name is string => !!name);
  });
}
