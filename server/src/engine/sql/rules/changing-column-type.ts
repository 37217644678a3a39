import { unwrap } from '../ast';
import { tableRef, type SqlRule } from '../context';
import { alterActionLock, describeLock } from '../locks';
import { typeChangeCondition } from '../schema';
import { alterActions, isExisting, tableOf, typeNameOf, typeRange } from './_shared';

export const changingColumnType: SqlRule<'AlterTableStmt'> = {
  id: 'changing-column-type',
  severity: 'error',
  summary: 'Changing a column type rewrites the table under an ACCESS EXCLUSIVE lock and can break the running version.',
  kinds: ['AlterTableStmt'],
  destructive: true,
  check(stmt, ctx, report) {
    if (!isExisting(ctx, stmt.node.relation)) return;
    const table = tableOf(stmt.node.relation);
    for (const action of alterActions(stmt.node)) {
      if (action.subtype !== 'AT_AlterColumnType') continue;
      const lock = describeLock({ ...alterActionLock(action.cmd, ctx.settings.pgVersion), table });
      const typeName = unwrap(action.cmd.def, 'ColumnDef')?.typeName;
      // From a type this file or an earlier one declared, some changes need no rewrite.
      const rewriteFree = typeChangeCondition(tableRef(stmt.node.relation), action.cmd);
      if (rewriteFree && ctx.state.holds(rewriteFree)) continue;
      // The type as written (`numeric(12, 2)`, `bigint`), not the catalog name (`int8`).
      const range = typeName?.location !== undefined ? typeRange(stmt, typeName.location) : undefined;
      const written = range ? stmt.text.slice(range.start, range.end) : typeNameOf(typeName);
      // Raising a varchar limit or varchar → text is binary-coercible: same lock, no rewrite.
      const collation = !!unwrap(action.cmd.def, 'ColumnDef')?.collClause;
      const to = typeNameOf(typeName);
      // citext takes text and varchar as they are (measured: no rewrite), but its indexes order and compare differently.
      const unless = collation
        ? ''
        : to === 'citext'
          ? ', unless the column was text or varchar: citext takes them without a rewrite, but every index on the column is rebuilt under the lock'
          : ['text', 'varchar'].includes(to)
            ? ', unless this only raises a varchar limit or turns varchar into text, which needs no rewrite'
            : '';
      report({
        ...stmt.actionRange(action.index),
        message: `Changing the ${collation ? 'type or collation' : 'type'} of ${table}.${action.cmd.name} to ${written}${collation ? ` ${collationOf(stmt.text, range?.end)}` : ''}: ${lock}${unless}. Add a new column of the new type, write both, backfill in batches, switch reads, then drop the old column.`,
        // A function body runs later, against whatever the migrations have made by then.
        ...(rewriteFree && stmt.origin !== 'function-body' ? { unlessEarlier: ctx.state.unlessEarlier(rewriteFree) } : {}),
      });
    }
  },
};

/** `COLLATE "C"` as written after the type that ends at `end`. */
const collationOf = (text: string, end: number | undefined): string =>
  /^\s*(collate\s+(?:"[^"]*"|[\w.]+))/i.exec(text.slice(end ?? text.length))?.[1] ?? 'with a new collation';
