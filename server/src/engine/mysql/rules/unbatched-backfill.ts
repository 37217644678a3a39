import { declarationIn } from '../../backfill';
import type { MysqlRule } from '../context';
import type { Token } from '../lex';
import { existingTable, tableName } from './_shared';

export const unbatchedBackfill: MysqlRule = {
  id: 'unbatched-backfill',
  severity: 'warning',
  summary: 'An UPDATE or DELETE of an existing table with no batch bound rewrites every matching row in one transaction.',
  kinds: ['update', 'delete'],
  check(stmt, ctx, report) {
    const table = existingTable(stmt, ctx);
    if (!table || stmt.limit) return;
    if (ctx.commentsBefore.some((c) => declarationIn(c) !== undefined)) return;
    if (stmt.where && hasBatchBound(stmt.where)) return;
    const verb = stmt.kind === 'update' ? 'UPDATE' : 'DELETE';
    const name = tableName(table);
    const scope = stmt.where ? `every row of ${name} that the WHERE matches` : `every row of ${name}`;
    const verbToken = stmt.tokens.find((t) => t.kind === 'word' && t.text === stmt.kind)!;
    report({
      start: verbToken.start,
      end: table.end,
      message: `${verb} of ${scope} in one statement: InnoDB keeps each changed row locked until it commits, so the running version's writes to them wait, the undo log grows, and replicas lag while they replay it. Work in batches: repeat it with LIMIT 1000 until no row changes, or by key range (WHERE id >= ? AND id < ?).`,
    });
  },
};

/** Whether a value is a constant: a literal, a parameter (`?`, `:name`, `@var`) or a template placeholder. */
const isConstant = (t: Token | undefined): boolean =>
  !!t && (t.kind === 'number' || t.kind === 'string' || t.kind === 'variable' || t.text === '?' || /^_+$/.test(t.text));

/**
 * A column named like a reference to another table's row (`account_id`): equal to a literal it picks every
 * row of that parent, which can be most of the table; with a parameter it is one step of a driven loop.
 * MySQL files carry no key facts, so it never counts as the table's own key (see the PostgreSQL rule).
 */
const isParentKey = (column: string): boolean => /(^|\.)\w+_id$/i.test(column);

const isKeyLike = (column: string): boolean => /(^|\.)(id|uuid|pk|key|code|slug|email|\w+_(id|uuid|key|code))$/i.test(column);

/**
 * A WHERE bounds a batch when one of its top-level AND terms restricts a column to a range
 * (BETWEEN, or both a lower and an upper bound), a key to a value or a list, or reads a
 * LIMITed subquery. A top-level OR can widen it back to the whole table.
 */
export function hasBatchBound(where: Token[]): boolean {
  const terms: Token[][] = [[]];
  let depth = 0;
  let inBetween = false;
  for (const t of where) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (depth === 0 && t.kind === 'word') {
      if (t.text === 'or' || t.text === '||') return false;
      if (t.text === 'between') inBetween = true;
      else if (t.text === 'and') {
        if (inBetween) inBetween = false;
        else {
          terms.push([]);
          continue;
        }
      }
    }
    terms[terms.length - 1]!.push(t);
  }
  const lower = new Set<string>();
  const upper = new Set<string>();
  // Parent keys (account_id = 7) equal to literals: each picks every row of one parent, unless two make a composite key.
  const parentKeys = new Set<string>();
  for (const term of terms) {
    const column = columnAt(term);
    if (!column) {
      if (term.some((t) => t.text === 'limit')) return true;
      continue;
    }
    const op = term[column.length]?.text;
    const value = term[column.length + 1];
    if (op === 'between') return true;
    // key IN (1, 2, 3) picks rows; key IN (SELECT …) only when the subquery is LIMITed
    if (op === 'in' && isKeyLike(column.name) && (term[column.length + 2]?.text !== 'select' || term.some((t) => t.text === 'limit'))) return true;
    if (op === '=' && isConstant(value) && isKeyLike(column.name)) {
      // An empty string is no key value: email = '' matches every row left blank.
      if (value!.kind === 'string' && /^(['"])\1$/.test(value!.text)) continue;
      if (!isParentKey(column.name) || (value!.kind !== 'number' && value!.kind !== 'string')) return true;
      parentKeys.add(column.name);
      if (parentKeys.size >= 2) return true;
    }
    if ((op === '<' || op === '<=') && isConstant(value)) upper.add(column.name);
    if ((op === '>' || op === '>=') && isConstant(value)) lower.add(column.name);
    if (lower.has(column.name) && upper.has(column.name)) return true;
    // a LIMITed subquery: id IN (SELECT id FROM … LIMIT 1000)
    if (term.some((t) => t.text === 'limit')) return true;
  }
  return false;
}

/** A (qualified) column name at the start of a term, with its token count. */
function columnAt(term: Token[]): { name: string; length: number } | undefined {
  const first = term[0];
  if (!first || (first.kind !== 'word' && first.kind !== 'quoted')) return undefined;
  if (term[1]?.text === '.' && term[2]) return { name: `${first.text}.${term[2].text}`, length: 3 };
  return { name: first.text, length: 1 };
}
