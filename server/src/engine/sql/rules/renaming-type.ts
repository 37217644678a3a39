import { stringOf, unwrap } from '../ast';
import type { SqlRule } from '../context';

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
    const names = (unwrap(n.object, 'List')?.items ?? []).map((item) => stringOf(item) ?? '?');
    if (!names.length || ctx.state.isNewType(names)) return;
    const name = names.join('.');
    const rename = stmt.findWord('rename');
    report({
      start: rename?.start ?? stmt.start,
      end: stmt.end,
      message: `Renaming ${what} ${name} to ${n.newname} breaks the version still running wherever it names ${name}: casts in its queries ('…'::${name}, Prisma's CAST(… AS ${name}) for enum values) fail with "type does not exist", and drivers that map types by name (npgsql, asyncpg) stop finding it. Rename it in a contract migration, once no running code names ${name}.`,
    });
  },
};
