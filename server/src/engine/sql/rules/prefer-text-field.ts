import { ident, typeModifiers } from './_shared';
import { columnTypeRule } from './_types';

export const preferTextField = columnTypeRule({
  id: 'prefer-text-field',
  severity: 'info',
  summary: 'varchar(n) limits need an ACCESS EXCLUSIVE lock to change; text with a CHECK constraint does not.',
  replacement: (name, type) => (name === 'varchar' && typeModifiers(type).length > 0 ? 'text' : undefined),
  message: (column, written, _replacement, type) =>
    `${column} is ${written}: raising the limit later takes ACCESS EXCLUSIVE on the table. Use text, with CHECK (char_length(${ident(column)}) <= ${typeModifiers(type)[0]}) if the limit matters.`,
});
