import { nameParts } from '../ast';
import { displayTable, type SqlRule } from '../context';
import { renameRange } from './_shared';

const RENAMED = { OBJECT_TYPE: 'type', OBJECT_DOMAIN: 'domain' } as const;

export const renamingType: SqlRule<'RenameStmt'> = {
  id: 'renaming-type',
  severity: 'error',
  summary: 'Renaming a type or domain breaks the running version, whose casts and drivers still use the old name.',
  kinds: ['RenameStmt'],
  destructive: true,
  check(stmt, ctx, report) {
    const n = stmt.node;
    const what = RENAMED[n.renameType as keyof typeof RENAMED];
    if (!what) return;
    const names = nameParts(n.object);
    if (!names.length || ctx.state.isNewType(names)) return;
    // In a transaction, another type given the old name before it commits keeps the name working (Prisma's enum swap): see atEnd.
    if (ctx.state.inTransaction() && stmt.origin !== 'function-body') return;
    const rename = stmt.findWord('rename');
    report({ start: rename?.start ?? stmt.start, end: stmt.end, message: message(what, names.join('.'), n.newname ?? '?') });
  },
  atEnd(ctx, report) {
    for (const rename of ctx.state.typeRenamesLeavingNoName) {
      const range = renameRange(ctx, rename.unit);
      if (range) report({ ...range, message: message(rename.type ?? 'type', displayTable(rename.table), rename.newName) });
    }
  },
};

const message = (what: string, name: string, newName: string): string =>
  `Renaming ${what} ${name} to ${newName} breaks the version still running wherever it names ${name}: casts in its queries ('…'::${name}, Prisma's CAST(… AS ${name}) for enum values) fail with "type does not exist", and drivers that map types by name (npgsql, asyncpg) stop finding it. Rename it in a contract migration, once no running code names ${name}.`;
