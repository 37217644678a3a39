/** Shared shape of the column-type preference rules (not a rule itself). */
import type { Severity } from '../../types';
import type { SqlRule } from '../context';
import type { TypeName } from '../ast';
import { replaceTypeFix, typedColumns, typeNameOf, typeRange } from './_shared';

export function columnTypeRule(options: {
  id: string;
  severity: Severity;
  summary: string;
  /** Replacement type for a column whose type is `typeName`, or undefined when it is fine. */
  replacement: (typeName: string, type: TypeName) => string | undefined;
  message: (column: string, written: string, replacement: string, type: TypeName) => string;
}): SqlRule<'CreateStmt' | 'AlterTableStmt'> {
  return {
    id: options.id,
    severity: options.severity,
    summary: options.summary,
    kinds: ['CreateStmt', 'AlterTableStmt'],
    check(stmt, _ctx, report) {
      for (const column of typedColumns(stmt)) {
        const replacement = options.replacement(typeNameOf(column.typeName), column.typeName);
        if (!replacement || column.typeName.location === undefined) continue;
        const range = typeRange(stmt, column.typeName.location);
        const written = stmt.text.slice(range.start, range.end);
        report({
          ...range,
          message: options.message(column.name, written, replacement, column.typeName),
          fixes: [replaceTypeFix(stmt, column.typeName, replacement)],
        });
      }
    },
  };
}
