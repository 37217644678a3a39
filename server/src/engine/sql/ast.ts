/**
 * A typed view of libpg-query's parse tree, on the types it publishes (`@pgsql/types`, which
 * libpg-query re-exports). A child node sits in a one-key wrapper, `{ ColumnDef: { colname, … } }`,
 * typed `Node`; `unwrap(node, 'ColumnDef')` opens it when it is that kind. A node's own fields
 * (`AlterTableStmt.relation`, a `RangeVar`) are typed directly.
 */
import type { DropStmt, Node } from 'libpg-query';

export type * from 'libpg-query';

type KeysOf<T> = T extends unknown ? keyof T : never;

/** Every node kind: `AlterTableStmt`, `ColumnDef`, `String`, … (the keys of the wrappers). */
export type NodeKind = KeysOf<Node>;

type NodeTypes = { [K in NodeKind]: Extract<Node, Record<K, unknown>> extends Record<K, infer T> ? T : never };

/** The fields of a node of kind K: `NodeOf<'AlterTableStmt'>` is `AlterTableStmt`. */
export type NodeOf<K extends NodeKind> = NodeTypes[K];

/** The kind of a wrapped node: `{ AlterTableStmt: … }` → `AlterTableStmt`. */
export const kindOf = (node: Node): NodeKind => Object.keys(node)[0] as NodeKind;

/** The fields inside a node wrapper when it is of kind `kind`, else undefined: `unwrap(cmd.def, 'ColumnDef')`. */
export function unwrap<K extends NodeKind>(node: Node | undefined, kind: K): NodeOf<K> | undefined {
  return (node as Partial<NodeTypes> | undefined)?.[kind];
}

/** The text of a `String` node, e.g. one part of a qualified name. */
export const stringOf = (node: Node | undefined): string | undefined => unwrap(node, 'String')?.sval;

/** The parts of a name a statement writes as a list (a type's, a domain's, a commented column's): `billing.money_amount` → `['billing', 'money_amount']`. */
export const nameParts = (object: Node | undefined): string[] => (unwrap(object, 'List')?.items ?? []).map((item) => stringOf(item) ?? '?');

/** `a.b` names of the objects of a DROP statement. */
export function objectNames(drop: DropStmt): string[] {
  return (drop.objects ?? []).map((o) => (unwrap(o, 'List')?.items ?? [o]).map((s) => stringOf(s) ?? '?').join('.'));
}

/**
 * Every object in a parse subtree, parents before children: the node wrappers and the nodes'
 * own fields alike. They are typed `Node` for `unwrap`, which finds nothing in the others.
 */
export function* subtree(tree: unknown): Generator<Node> {
  if (!tree || typeof tree !== 'object') return;
  if (!Array.isArray(tree)) yield tree as Node;
  for (const child of Object.values(tree)) yield* subtree(child);
}
