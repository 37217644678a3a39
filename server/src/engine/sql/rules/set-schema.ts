import { stringOf, unwrap, type Node } from '../ast';
import type { SqlRule } from '../context';
import { isExisting, tableOf } from './_shared';

export const setSchema: SqlRule<'AlterObjectSchemaStmt'> = {
  id: 'set-schema',
  severity: 'error',
  summary: 'Moving a table, type or function to another schema breaks the running version that still uses the old qualified name.',
  kinds: ['AlterObjectSchemaStmt'],
  destructive: true,
  check(stmt, ctx, report) {
    const n = stmt.node;
    if (n.relation && !isExisting(ctx, n.relation)) return;
    const kind = String(n.objectType ?? '')
      .replace(/^OBJECT_/, '')
      .replace(/_/g, ' ')
      .toLowerCase();
    const name = n.relation ? tableOf(n.relation) : objectName(n.object);
    const set = stmt.tokens.findLast((t) => t.kind === 'word' && t.text === 'set');
    const lock = n.relation ? ` ACCESS EXCLUSIVE on ${name}: blocks reads and writes while it waits for running transactions.` : '';
    report({
      start: set?.start ?? stmt.start,
      end: stmt.end,
      message: `Moving ${kind} ${name} to schema ${n.newschema} breaks the version still running wherever it names the old schema or finds ${name} through its search_path: "does not exist" errors until it is gone.${lock} Create it in ${n.newschema} (or a view there), move the application over, then drop the old one in a contract migration.`,
    });
  },
};

/** `a.b` name of an object given as a list of names, or a function with its arguments. */
function objectName(object: Node | undefined): string {
  const names = unwrap(object, 'List')?.items ?? unwrap(object, 'ObjectWithArgs')?.objname ?? (object ? [object] : []);
  return names.map((s) => stringOf(s) ?? '?').join('.');
}
