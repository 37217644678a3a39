import { columnTypeRule } from './_types';

export const preferTextField = columnTypeRule({
  id: 'prefer-text-field',
  severity: 'info',
  summary: 'varchar(n) limits need an ACCESS EXCLUSIVE lock to change; text with a CHECK constraint does not.',
  replacement: (name, type) => (name === 'varchar' && (type.typmods ?? []).length > 0 ? 'text' : undefined),
  message: (column, written) =>
    `${column} is ${written}: raising the limit later takes ACCESS EXCLUSIVE on the table. Use text, with CHECK (char_length(${column}) <= n) NOT VALID if a limit matters.`,
});
