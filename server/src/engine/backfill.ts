/**
 * The backfill declaration: `-- rollout-guard: backfill table=orders key=id batch=1000` above an
 * UPDATE that the migration runner applies in key-range batches. The linter
 * (backfill-not-idempotent, unbatched-backfill) and the runner (operations/migrations) read it
 * through this module.
 * Identifiers follow PostgreSQL: unquoted names fold to lower case (`table=Orders` is `orders`),
 * double-quoted ones keep their case (`table="Orders"`).
 */
import { stringOf, subtree, unwrap, type Node, type RangeVar, type UpdateStmt } from './sql/ast';

/** The marker is read case-insensitively, like phase markers; group 1 is the `key=value` list. */
const DECLARATION = /rollout-guard:\s*backfill\b(.*)/i;

/** The declaration's `key=value` list in a comment, or undefined when the comment is none. */
export function declarationIn(comment: string): string | undefined {
  return DECLARATION.exec(comment)?.[1];
}

export interface BackfillOptions {
  table?: string;
  key?: string;
  batch?: string;
  /** The first part that is not `table=`, `key=` or `batch=`. */
  unknown?: string;
}

export function backfillOptions(declaration: string): BackfillOptions {
  const options: BackfillOptions = {};
  for (const part of declaration.trim().split(/\s+/).filter(Boolean)) {
    const match = /^(table|key|batch)=(.+)$/.exec(part);
    if (match) options[match[1] as 'table' | 'key' | 'batch'] = match[2]!;
    else options.unknown ??= part;
  }
  return options;
}

/** An identifier as PostgreSQL reads it: unquoted names fold to lower case, quoted ones keep theirs. */
export function foldIdentifier(name: string): string {
  return /^".*"$/.test(name) ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase();
}

/** The parts of a possibly qualified name (`public.orders`, `"Sales"."Orders"`), each folded. */
function foldQualified(name: string): string[] {
  return (name.match(/"(?:[^"]|"")*"|[^."]+/g) ?? []).map(foldIdentifier);
}

/** Whether a declared `table=` names the UPDATE's table (a RangeVar): by name, or schema and name. */
export function declaresTable(declared: string, relation: RangeVar | undefined): boolean {
  const parts = foldQualified(declared);
  if (parts.length === 1) return parts[0] === relation?.relname;
  return parts.length === 2 && parts[0] === relation?.schemaname && parts[1] === relation?.relname;
}

/** The columns an UPDATE sets. */
export function assignedColumns(update: UpdateStmt): string[] {
  return (update.targetList ?? []).flatMap((t) => unwrap(t, 'ResTarget')?.name || []);
}

/**
 * Whether the UPDATE's WHERE tests a column it sets, so that it stops matching the rows it
 * already did: a resumed run does not redo them, and the rows left run out.
 */
export function excludesFinishedRows(update: UpdateStmt): boolean {
  if (!update.whereClause) return false;
  const assigned = assignedColumns(update);
  return columnsIn(update.whereClause).some((c) => assigned.includes(c));
}

/** Names of the columns an expression reads. */
function columnsIn(node: Node): string[] {
  const out: string[] = [];
  for (const value of subtree(node)) {
    const column = stringOf(unwrap(value, 'ColumnRef')?.fields?.at(-1));
    if (column !== undefined) out.push(column);
  }
  return out;
}
