/**
 * A declared backfill: `-- rollout-guard: backfill table=orders key=id batch=1000` above an
 * `UPDATE … SET … WHERE …` whose WHERE excludes the rows already done. This module turns
 * the statement into the SQL the runner needs: the UPDATE restricted to a key range, the
 * query for the next range, and the count of rows left.
 */
import { assignedColumns, backfillOptions, declaresTable, excludesFinishedRows, foldIdentifier } from '../../server/src/engine/backfill';
import { tokenize, type Token } from '../../server/src/engine/sql/lex';
import { subtree, unwrap, type Node } from '../../server/src/engine/sql/ast';
import type { ParsedStatement } from '../../server/src/engine/sql/parse';

export interface BackfillJob {
  /** The table as the UPDATE names it, for messages (e.g. `orders`). */
  table: string;
  /** The key column as declared (unquoted name). */
  key: string;
  /** Declared starting batch size (keys per batch). */
  batchSize: number;
  /** The WHERE of the UPDATE as written, for messages. */
  where: string;
  /** `"schema"."table"` (with ONLY when the UPDATE has it), to walk the keys. */
  relation: string;
  /** Schema-qualified table name for catalogue lookups (to_regclass). */
  regclass: string;
  /** The key column, quoted. */
  keyColumn: string;
  /**
   * At most `limit` keys after `lower.param` (or from it on, or from the first key), as
   * `upper` (the last of them, as text) and `keys` (how many). Parameters are placeholders
   * such as `$1`.
   */
  keyRangeSql(lower: Bound, limit: string): string;
  /** The UPDATE limited to keys between `lower` and `upper` (inclusive), with `RETURNING 1`. */
  batchUpdateSql(lower: Bound, upper: string): string;
  /** `count`: rows the WHERE still matches. */
  remainingCountSql: string;
  /** `first`: the first of their keys, as text. */
  firstRemainingSql: string;
}

/** The lower end of a key range: none, `> param` or `>= param`. */
export type Bound = { kind: 'start' } | { kind: 'after' | 'from'; param: string };

export class BackfillDeclarationError extends Error {
  override name = 'BackfillDeclarationError';
}

/**
 * Builds the job from the declaration's `key=value` pairs and the parsed UPDATE.
 * Throws BackfillDeclarationError with a message for the user.
 */
export function backfillJob(declaration: string, sql: string, stmt: ParsedStatement): BackfillJob {
  const options = backfillOptions(declaration);
  if (options.unknown !== undefined) {
    throw new BackfillDeclarationError(`unknown part "${options.unknown}" in the backfill declaration; expected table=<table> key=<column> batch=<rows>`);
  }
  if (stmt.kind !== 'UpdateStmt')
    throw new BackfillDeclarationError(`a backfill declaration must stand right above an UPDATE statement, not ${kindName(stmt.kind)}`);
  const node = stmt.node;
  const relation = node.relation ?? {};
  const relname = relation.relname ?? '';
  const schema = relation.schemaname;
  const table = schema ? `${schema}.${relname}` : relname;
  if (options.table !== undefined && !declaresTable(options.table, relation)) {
    throw new BackfillDeclarationError(`the backfill is declared for table=${options.table}, but the UPDATE below it changes ${table}`);
  }
  if (options.key === undefined)
    throw new BackfillDeclarationError('the backfill declaration needs key=<column>: the indexed column (usually the primary key) to walk in batches');
  const key = foldIdentifier(options.key);
  const batchSize = options.batch === undefined ? 1000 : Number(options.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new BackfillDeclarationError(`batch=${options.batch} is not a positive whole number`);
  if (node.returningClause) throw new BackfillDeclarationError('a declared backfill cannot have RETURNING: the runner counts the rows itself');
  if (!node.whereClause) {
    throw new BackfillDeclarationError(
      'a declared backfill needs a WHERE that excludes the rows already done (e.g. WHERE new_column IS NULL): without it a resumed run redoes finished rows and never runs out of rows',
    );
  }
  if (unwrap(node.whereClause, 'CurrentOfExpr')) throw new BackfillDeclarationError('WHERE CURRENT OF cannot be batched');
  if (!excludesFinishedRows(node)) {
    const assigned = assignedColumns(node);
    throw new BackfillDeclarationError(
      `this backfill sets ${assigned.join(', ')} but its WHERE does not test ${assigned.length > 1 ? 'them' : 'it'}, so it matches rows it already updated: a resumed run would redo finished batches and the switch phase would never see "no rows left". Add a condition that excludes finished rows, e.g. WHERE ${assigned[0]} IS NULL`,
    );
  }

  const parts = locateClauses(sql, node.fromClause ? firstLocation(node.fromClause) : undefined);
  const only = relation.inh === false ? 'ONLY ' : '';
  const quotedTable = (schema ? `${quoteIdent(schema)}.` : '') + quoteIdent(relname);
  const qualifier = quoteIdent(relation.alias?.aliasname ?? relname);
  const keyColumn = quoteIdent(key);
  const keyRef = `${qualifier}.${keyColumn}`;
  const where = sql.slice(parts.whereStart, parts.whereEnd);
  const head = sql.slice(0, parts.whereStart);
  const lowerBound = (lower: Bound, ref: string): string => (lower.kind === 'start' ? '' : `${ref} ${lower.kind === 'after' ? '>' : '>='} ${lower.param} AND `);
  const source = `${sql.slice(parts.targetStart, parts.setStart).trim()}${parts.from ? `, ${parts.from}` : ''}`;

  return {
    table,
    key,
    batchSize,
    where: where.replace(/\s+/g, ' '),
    relation: `${only}${quotedTable}`,
    regclass: quotedTable,
    keyColumn,
    // row_number rather than max(): not every key type has max() (uuid has none).
    keyRangeSql: (lower, limit) =>
      `SELECT k::text AS upper, n::int AS keys FROM (SELECT ${keyColumn} AS k, row_number() OVER (ORDER BY ${keyColumn}) AS n FROM ${only}${quotedTable} WHERE ${lowerBound(lower, keyColumn)}${keyColumn} IS NOT NULL ORDER BY ${keyColumn} LIMIT ${limit}) AS next_keys ORDER BY n DESC LIMIT 1`,
    // The original WHERE stays whole (parenthesised) and the key range is ANDed to it,
    // so the statement changes exactly the rows the user's UPDATE would, range by range.
    batchUpdateSql: (lower, upper) => `${head}(${where}) AND (${lowerBound(lower, keyRef)}${keyRef} <= ${upper}) RETURNING 1`,
    remainingCountSql: `${parts.withClause}SELECT count(*)::bigint AS count FROM ${source} WHERE ${where}`,
    firstRemainingSql: `${parts.withClause}SELECT ${keyRef}::text AS first FROM ${source} WHERE (${where}) AND ${keyRef} IS NOT NULL ORDER BY ${keyRef} LIMIT 1`,
  };
}

interface Clauses {
  /** `WITH …` before UPDATE, with its trailing space, or ''. */
  withClause: string;
  /** Start of the target table (after UPDATE). */
  targetStart: number;
  setStart: number;
  /** The FROM list text, if any. */
  from: string | undefined;
  /** The WHERE condition: from its first token to the end of its last. */
  whereStart: number;
  whereEnd: number;
}

/**
 * Finds the top-level UPDATE, SET, FROM and WHERE keywords (outside parentheses).
 * `fromItem` is the byte offset of the first FROM item, when the UPDATE has a FROM clause:
 * the keyword is the last top-level FROM before it (`SET a = b IS DISTINCT FROM c` has one too).
 */
function locateClauses(sql: string, fromItem: number | undefined): Clauses {
  const tokens = tokenize(sql, 0, sql.length);
  const top: Token[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'punct' && (token.text === '(' || token.text === '[')) depth++;
    else if (token.kind === 'punct' && (token.text === ')' || token.text === ']')) depth--;
    else if (depth === 0 && token.kind === 'word') top.push(token);
  }
  const update = top.find((t) => t.text === 'update');
  const set = update && top.find((t) => t.text === 'set' && t.start > update.start);
  const where = set && top.find((t) => t.text === 'where' && t.start > set.start);
  if (!update || !set || !where) throw new BackfillDeclarationError('could not find the UPDATE, SET and WHERE of the declared backfill');
  const fromStart = fromItem === undefined ? -1 : Buffer.from(sql, 'utf8').subarray(0, fromItem).toString('utf8').length;
  const from = top.findLast((t) => t.text === 'from' && t.start > set.start && t.start < fromStart);
  const afterWhere = tokens.filter((t) => t.start > where.start);
  const last = afterWhere.at(-1);
  if (!last) throw new BackfillDeclarationError('the WHERE of the declared backfill is empty');
  return {
    withClause: update.start > 0 ? `${sql.slice(0, update.start).trimEnd()} ` : '',
    targetStart: update.end,
    setStart: set.start,
    from: from ? sql.slice(from.end, where.start).trim() : undefined,
    whereStart: afterWhere[0]!.start,
    whereEnd: last.end,
  };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The smallest source location (a byte offset) in a parse-tree subtree. */
function firstLocation(tree: Node[]): number | undefined {
  let first: number | undefined;
  for (const value of subtree(tree)) {
    const location = 'location' in value ? value.location : undefined;
    if (typeof location === 'number' && location >= 0 && (first === undefined || location < first)) first = location;
  }
  return first;
}

function kindName(kind: string): string {
  return kind
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}
