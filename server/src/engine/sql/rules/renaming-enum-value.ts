import { stringOf } from '../ast';
import type { SqlRule } from '../context';

export const renamingEnumValue: SqlRule<'AlterEnumStmt'> = {
  id: 'renaming-enum-value',
  severity: 'error',
  summary: 'Renaming an enum value breaks the running version, which still reads and writes the old label.',
  kinds: ['AlterEnumStmt'],
  destructive: true,
  check(stmt, _ctx, report) {
    const n = stmt.node;
    if (n.oldVal === undefined || n.newVal === undefined) return;
    const type = (n.typeName ?? []).map(stringOf).join('.');
    const rename = stmt.findWord('rename');
    report({
      start: rename?.start ?? stmt.start,
      end: stmt.end,
      message: `Renaming the value '${n.oldVal}' of ${type} to '${n.newVal}' breaks the version still running: its inserts and comparisons with '${n.oldVal}' fail with "invalid input value for enum". Add '${n.newVal}' with ALTER TYPE … ADD VALUE, write both, migrate the rows, then stop using '${n.oldVal}' (enum values cannot be dropped).`,
    });
  },
};
