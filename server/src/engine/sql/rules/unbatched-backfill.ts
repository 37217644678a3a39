import { declarationIn } from '../../backfill';
import type { StatementReport } from '../../types';
import { tableRef, type RuleContext, type SqlRule, type Statement } from '../context';
import { stringOf, subtree, unwrap, type DeleteStmt, type InsertStmt, type Node, type RangeVar, type UpdateStmt, type WithClause } from '../ast';
import { isCatalog, isExisting, tableOf, verbRange } from './_shared';

export const unbatchedBackfill: SqlRule<'UpdateStmt' | 'DeleteStmt' | 'InsertStmt' | 'SelectStmt'> = {
  id: 'unbatched-backfill',
  severity: 'warning',
  summary:
    'An UPDATE, DELETE or INSERT … SELECT … ON CONFLICT DO UPDATE of an existing table with no batch bound changes every matching row in one transaction.',
  kinds: ['UpdateStmt', 'DeleteStmt', 'InsertStmt', 'SelectStmt'],
  check(stmt, ctx, report) {
    // Function bodies are application code, not migration steps; declared backfills are batched by the runner.
    // A query or an INSERT changes rows only through an UPDATE or DELETE in its WITH clause: its tree is decoded only then.
    if ((stmt.kind === 'SelectStmt' || stmt.kind === 'InsertStmt') && !/\b(?:update|delete)\b/i.test(stmt.source)) return;
    if (stmt.origin === 'function-body' || ctx.commentsBefore.some((c) => declarationIn(c) !== undefined)) return;
    for (const change of rowChanges(stmt.parsed)) checkChange(change, stmt, ctx, report);
    if (stmt.kind === 'InsertStmt') checkUpsert(stmt.parsed.node as InsertStmt, stmt, ctx, report);
  },
};

/**
 * `INSERT … SELECT … ON CONFLICT DO UPDATE` updates every existing row the query's rows collide
 * with (ente's recomputed usage: one row per owner of every file). A few rows (VALUES, LIMIT, one
 * aggregate row, a WHERE that bounds the query) are no backfill, nor a list the code passes.
 */
function checkUpsert(n: InsertStmt, stmt: Statement, ctx: RuleContext, report: (finding: StatementReport) => void): void {
  if (n.onConflictClause?.action !== 'ONCONFLICT_UPDATE' || !isExisting(ctx, n.relation) || isCatalog(n.relation)) return;
  const query = unwrap(n.selectStmt, 'SelectStmt');
  if (!query) return;
  // Rows from a table; not from functions of parameters alone (`FROM unnest($1::text[])`: the list the code passes).
  const readsTable = (query.fromClause ?? []).some((source) => [...subtree(source)].some((node) => !!unwrap(node, 'RangeVar')));
  if (!readsTable || isFewRowsQuery(n.selectStmt)) return;
  if (query.whereClause && batchBound(query.whereClause) === true) return;
  const table = tableOf(n.relation);
  report({
    ...verbRange(stmt, 'insert', n.relation),
    message: `INSERT … ON CONFLICT DO UPDATE from a query updates every row of ${table} that the query's rows collide with, in one statement: each changed row stays locked until it commits, so the running version's writes to them wait, and replication lags. Work in batches: bound the query by key range (WHERE id >= $1 AND id < $2) and run it once per range.`,
  });
}

type RowChange = { kind: 'UpdateStmt'; node: UpdateStmt } | { kind: 'DeleteStmt'; node: DeleteStmt };

/**
 * The UPDATEs and DELETEs a statement runs: itself, and those of its WITH clauses, as in
 * `WITH moved AS (DELETE FROM events RETURNING *) INSERT INTO events_archive SELECT * FROM moved`.
 */
function rowChanges(parsed: { kind: string; node: { withClause?: WithClause } }): RowChange[] {
  const changes: RowChange[] = [];
  if (parsed.kind === 'UpdateStmt' || parsed.kind === 'DeleteStmt') changes.push(parsed as RowChange);
  for (const cte of parsed.node.withClause?.ctes ?? []) {
    const query = unwrap(cte, 'CommonTableExpr')?.ctequery;
    const update = unwrap(query, 'UpdateStmt');
    const del = unwrap(query, 'DeleteStmt');
    if (update) changes.push(...rowChanges({ kind: 'UpdateStmt', node: update }));
    else if (del) changes.push(...rowChanges({ kind: 'DeleteStmt', node: del }));
  }
  return changes;
}

function checkChange({ kind, node: n }: RowChange, stmt: Statement, ctx: RuleContext, report: (finding: StatementReport) => void): void {
  if (!isExisting(ctx, n.relation) || isCatalog(n.relation)) return;
  const sources = (kind === 'UpdateStmt' ? n.fromClause : n.usingClause) ?? [];
  // In a DO block, names that are not the statement's tables are PL/pgSQL variables: id >= lo AND id < lo + 1000, id = art.id.
  const variables = stmt.origin === 'do-block' ? tablesInScope(n.relation, n.withClause, sources) : undefined;
  const bound = n.whereClause ? batchBound(n.whereClause, variables) : undefined;
  if (bound === true) return;
  // Equal to a literal, a parent key (workspace_settings.workspace_id) or another column (background_updates.update_name)
  // picks one row when it is the table's key: this file's or an earlier migration's unique index says so.
  const keyColumn = bound?.unlessKey && columnOf(bound.unlessKey, n.relation);
  const key = keyColumn ? { fact: 'key' as const, table: tableRef(n.relation), columns: [keyColumn] } : undefined;
  if (key && ctx.state.holds(key)) return;
  if (n.whereClause && readsLimitedCte(n.withClause, n.whereClause)) return;
  if (n.whereClause && keyJoinedToBoundedRows(n.withClause, sources, n.whereClause, variables)) return;
  const table = tableOf(n.relation);
  const verb = kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
  const scope = n.whereClause ? `every row of ${table} that the WHERE matches` : `every row of ${table}`;
  report({
    ...verbRange(stmt, verb.toLowerCase(), n.relation),
    message: `${verb} of ${scope} in one statement: each changed row stays locked until it commits, so the running version's writes to them wait, and replication lags. Work in batches by key range (WHERE id >= $1 AND id < $2), or declare it for the backfill runner: -- rollout-guard: backfill table=${table} key=id batch=1000.`,
    ...(key && stmt.origin === 'file' ? { unlessEarlier: ctx.state.unlessEarlier(key) } : {}),
  });
}

/** In a DO block, the names of the tables a statement reads or writes (names, aliases, CTEs): other names are PL/pgSQL variables. */
type Variables = ReadonlySet<string> | undefined;

function tablesInScope(relation: RangeVar | undefined, withClause: WithClause | undefined, sources: Node[]): ReadonlySet<string> {
  const names = [relation?.relname, relation?.alias?.aliasname, ...(withClause?.ctes ?? []).map((c) => unwrap(c, 'CommonTableExpr')?.ctename)];
  for (const source of sources) {
    const table = unwrap(source, 'RangeVar');
    names.push(table?.relname, table?.alias?.aliasname, unwrap(source, 'RangeSubselect')?.alias?.aliasname);
  }
  return new Set(names.filter((name): name is string => !!name));
}

/** A LIMITed CTE read in the WHERE bounds the rows: `WHERE id IN (SELECT id FROM batch)`. */
function readsLimitedCte(withClause: WithClause | undefined, where: Node): boolean {
  const limitedCtes = ctesWhere(withClause, isLimitedSelect);
  return limitedCtes.size > 0 && [...subtree(where)].some((node) => namesCte(node, limitedCtes));
}

/** Names of the CTEs whose query satisfies `test`. */
const ctesWhere = (withClause: WithClause | undefined, test: (query: Node | undefined) => boolean): Set<string | undefined> =>
  new Set((withClause?.ctes ?? []).flatMap((c) => (test(unwrap(c, 'CommonTableExpr')?.ctequery) ? [unwrap(c, 'CommonTableExpr')?.ctename] : [])));

/** A joined source of few rows: LIMITed (a batch), or one row (see isOneRowQuery). */
const isFewRowsQuery = (query: Node | undefined): boolean => isLimitedSelect(query) || isOneRowQuery(query);

/** `column` or `t.column` as a column of the table `relation` names (by its name or alias), else undefined. */
function columnOf(written: string, relation: RangeVar | undefined): string | undefined {
  const parts = written.split('.');
  if (parts.length === 1) return written;
  const qualifier = parts.at(-2);
  return qualifier === relation?.relname || qualifier === relation?.alias?.aliasname ? parts.at(-1) : undefined;
}

/**
 * A key of the updated table equal to a column of a joined source that holds few rows: a batch (a
 * subquery or CTE with LIMIT), one row (one VALUES row, or an aggregate without GROUP BY), or rows a
 * key equality picks (`FROM local_user lu WHERE p.id = lu.person_id AND lu.id = 5`). A few-rows
 * source that is not joined on a key bounds nothing: every row the WHERE matches is changed.
 */
function keyJoinedToBoundedRows(withClause: WithClause | undefined, sources: Node[], where: Node, variables: Variables): boolean {
  const fewRowsCtes = ctesWhere(withClause, isFewRowsQuery);
  const conditions = andedConditions(where);
  const bounded = new Set<string>();
  for (const source of sources) {
    const subquery = unwrap(source, 'RangeSubselect');
    const table = unwrap(source, 'RangeVar');
    const name = subquery?.alias?.aliasname ?? table?.alias?.aliasname ?? table?.relname;
    if (!name) continue;
    const fewRows = subquery ? isFewRowsQuery(subquery.subquery) : !!table && !table.schemaname && fewRowsCtes.has(table.relname);
    // The source's own rows picked by a key equality: lu.id = 5.
    const picked = conditions.some((c) => {
      const e = unwrap(c, 'A_Expr');
      const column = columnName(e?.lexpr) ?? columnName(e?.rexpr);
      const other = columnName(e?.lexpr) ? e?.rexpr : e?.lexpr;
      return e?.kind === 'AEXPR_OP' && stringOf(e.name?.[0]) === '=' && column?.startsWith(`${name}.`) && isKeyLike(column) && isConstant(other, variables);
    });
    if (fewRows || picked) bounded.add(name);
  }
  return conditions.some((c) => {
    const e = unwrap(c, 'A_Expr');
    if (e?.kind !== 'AEXPR_OP' || stringOf(e.name?.[0]) !== '=') return false;
    const [left, right] = [columnName(e.lexpr), columnName(e.rexpr)];
    if (!left || !right) return false;
    const sourceOf = (column: string): string | undefined => (column.includes('.') ? column.slice(0, column.lastIndexOf('.')) : undefined);
    const throughJoin = (target: string, joined: string): boolean => {
      const source = sourceOf(joined);
      return !!source && bounded.has(source) && !bounded.has(sourceOf(target) ?? '') && isKeyLike(target);
    };
    return throughJoin(left, right) || throughJoin(right, left);
  });
}

/** The conditions of a WHERE joined by AND. */
function andedConditions(where: Node): Node[] {
  const bool = unwrap(where, 'BoolExpr');
  if (!bool) return [where];
  return bool.boolop === 'AND_EXPR' ? (bool.args ?? []).flatMap(andedConditions) : [];
}

const AGGREGATES = new Set(['count', 'sum', 'min', 'max', 'avg', 'bool_and', 'bool_or', 'every', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg']);

/** A query that yields at most one row: LIMIT 1, one VALUES row, or an aggregate without GROUP BY. */
function isOneRowQuery(query: Node | undefined): boolean {
  const select = unwrap(query, 'SelectStmt');
  if (!select) return false;
  if (unwrap(select.limitCount, 'A_Const')?.ival?.ival === 1) return true;
  if (select.valuesLists) return select.valuesLists.length === 1;
  // Without GROUP BY, an aggregate (not a window function) makes one row; the other targets can only be constants.
  const calls = (select.targetList ?? []).map((t) => unwrap(unwrap(t, 'ResTarget')?.val, 'FuncCall'));
  return !select.op || select.op === 'SETOP_NONE'
    ? !select.groupClause && calls.some((call) => !!call && !call.over && AGGREGATES.has(stringOf(call.funcname?.at(-1)) ?? ''))
    : false;
}

/** Whether a node is an unqualified table name that is one of `ctes`. */
function namesCte(node: Node, ctes: Set<string | undefined>): boolean {
  const table = unwrap(node, 'RangeVar');
  return !!table && !table.schemaname && ctes.has(table.relname);
}

/** `SELECT … LIMIT n`. */
const isLimitedSelect = (query: Node | undefined): boolean => !!unwrap(query, 'SelectStmt')?.limitCount;

/**
 * A WHERE bounds a batch when it restricts a column to a range, a key to a value or a list,
 * or picks rows with a LIMITed subquery. A condition on other columns (status IS NULL,
 * status = 'active') can still match every row.
 *
 * Not bounded: when only one parent key equal to literals kept it from bounding (`workspace_id =
 * 'demo'`), or else one other column equal to constants (`update_name = 'x'`), that column
 * (qualified as written): were it the table's key, the WHERE would bound.
 */
function batchBound(where: Node, variables?: Variables): true | { unlessKey?: string } {
  const lower = new Set<string>();
  const upper = new Set<string>();
  // Parent keys (owner_id = 'x') equal to literals: each picks every row of one parent, unless two of them make a composite key.
  const parentKeys = new Set<string>();
  // Columns not named like keys equal to constants (status = 'done', update_name = 'x'): a few rows only if one is the table's key.
  const otherEqualities = new Set<string>();
  let bounded = false;
  /** Equality of a key-like column to `value` picks a few rows: a parent key only with a parameter or a loop variable (one step of a driven loop). */
  const picksFew = (column: string, value: Node | undefined): boolean => {
    if (!isParentKey(column) || !isLiteral(value)) return true;
    parentKeys.add(column);
    return false;
  };
  const isBound = (node: Node | undefined): boolean => isConstant(node, variables) || isLimitedSubquery(node);
  const visit = (node: Node): void => {
    if (bounded) return;
    const bool = unwrap(node, 'BoolExpr');
    if (bool) {
      // An OR can widen a bounded branch back to the whole table, NOT inverts it; only AND keeps bounds.
      if (bool.boolop === 'AND_EXPR') bool.args?.forEach(visit);
      return;
    }
    if (isLimitedSubquery(node)) {
      bounded = true;
      return;
    }
    const e = unwrap(node, 'A_Expr');
    if (e) {
      const op = stringOf(e.name?.[0]) ?? '';
      const columnOnLeft = !!columnName(e.lexpr);
      const column = columnOnLeft ? columnName(e.lexpr) : columnName(e.rexpr);
      const other = columnOnLeft ? e.rexpr : e.lexpr;
      if ((e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_BETWEEN_SYM') && column) bounded = true;
      else if (e.kind === 'AEXPR_IN' && column && op === '=' && !isKeyLike(column) && isLiteral(other)) otherEqualities.add(column);
      else if (e.kind === 'AEXPR_IN' && column && op === '=' && isKeyLike(column) && picksFew(column, other)) bounded = true;
      else if (e.kind === 'AEXPR_OP_ANY' && column && op === '=' && isBound(other) && isKeyLike(column) && picksFew(column, other)) bounded = true;
      else if (e.kind === 'AEXPR_OP' && column && isBound(other)) {
        const flipped = columnOnLeft ? op : (({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op] ?? op);
        if (flipped === '=' && !isKeyLike(column)) otherEqualities.add(column);
        // An empty string is no key value: email = '' matches every row left blank.
        if (flipped === '=' && isKeyLike(column) && !isEmptyString(other) && picksFew(column, other)) bounded = true;
        if (flipped === '<' || flipped === '<=') upper.add(column);
        if (flipped === '>' || flipped === '>=') lower.add(column);
        if (lower.has(column) && upper.has(column)) bounded = true;
      }
    }
  };
  visit(where);
  if (bounded || parentKeys.size >= 2) return true;
  if (parentKeys.size === 1) return { unlessKey: [...parentKeys][0]! };
  return otherEqualities.size === 1 ? { unlessKey: [...otherEqualities][0]! } : {};
}

/**
 * A column named like a reference to another table's row (`workspace_id`, `product_id`): equal to a
 * literal it picks every row of that parent, which can be most of the table (ente's
 * `WHERE product_id = 'free'`). The table's own key is named `id`.
 */
const isParentKey = (column: string): boolean => /(^|\.)\w+_id$/i.test(column);

/** A literal, a cast of one, or a list or array of them: `'free'`, `'x'::uuid`, `('a', 'b')`, `ARRAY[1, 2]`. */
function isLiteral(node: Node | undefined): boolean {
  if (unwrap(node, 'A_Const')) return true;
  const cast = unwrap(node, 'TypeCast');
  if (cast) return isLiteral(cast.arg);
  const items = unwrap(node, 'List')?.items ?? unwrap(node, 'A_ArrayExpr')?.elements;
  return !!items?.length && items.every(isLiteral);
}

/**
 * Whether equality on a column picks a few rows: keys and identifiers do (id = 5, code = 'eu'),
 * categories do not (status = 'active' can match the whole table).
 */
const isKeyLike = (column: string): boolean => /(^|\.)(id|ctid|uuid|pk|key|code|slug|name|email|\w+_(id|uuid|key|code|slug))$/i.test(column);

const isEmptyString = (node: Node | undefined): boolean => unwrap(unwrap(node, 'TypeCast')?.arg ?? node, 'A_Const')?.sval?.sval === '';

/** `(SELECT … LIMIT n)`, `ARRAY(SELECT … LIMIT n)`. */
const isLimitedSubquery = (node: Node | undefined): boolean => isLimitedSelect(unwrap(node, 'SubLink')?.subselect);

function columnName(node: Node | undefined): string | undefined {
  const fields = unwrap(node, 'ColumnRef')?.fields;
  return fields ? fields.map((f) => stringOf(f) ?? '*').join('.') : undefined;
}

/** Literals, parameters ($1) and expressions of them, e.g. 1000 * $2 or '2024-01-01'::date; in a DO block, its variables too (lo, art.id). */
function isConstant(node: Node | undefined, variables: Variables): boolean {
  if (unwrap(node, 'A_Const') || unwrap(node, 'ParamRef')) return true;
  const name = unwrap(node, 'ColumnRef')?.fields?.map(stringOf);
  if (variables && name && (name.length === 1 || (name.length === 2 && !variables.has(name[0] ?? '')))) return true;
  const cast = unwrap(node, 'TypeCast');
  if (cast) return isConstant(cast.arg, variables);
  const e = unwrap(node, 'A_Expr');
  if (e) return isConstant(e.lexpr ?? { A_Const: {} }, variables) && isConstant(e.rexpr, variables);
  const array = unwrap(node, 'A_ArrayExpr');
  if (array) return (array.elements ?? []).every((element) => isConstant(element, variables));
  return false;
}
