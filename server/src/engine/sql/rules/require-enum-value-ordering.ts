import { stringOf } from '../ast';
import type { SqlRule } from '../context';

export const requireEnumValueOrdering: SqlRule<'AlterEnumStmt'> = {
  id: 'require-enum-value-ordering',
  severity: 'hint',
  summary: 'ALTER TYPE … ADD VALUE without BEFORE or AFTER puts the value last, which decides how the enum sorts.',
  kinds: ['AlterEnumStmt'],
  check(stmt, _ctx, report) {
    const n = stmt.node;
    if (n.oldVal !== undefined || n.newVal === undefined || n.newValNeighbor !== undefined) return;
    const type = (n.typeName ?? []).map(stringOf).join('.');
    const add = stmt.findWord('add');
    report({
      start: add?.start ?? stmt.start,
      end: stmt.end,
      message: `'${n.newVal}' goes after every existing value of ${type}: enums sort in declaration order (ORDER BY, <, MIN/MAX), and the position cannot be changed later. Say where it belongs with BEFORE '…' or AFTER '…'.`,
    });
  },
};
