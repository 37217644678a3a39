import { columnTypeRule } from './_types';

export const banCharField = columnTypeRule({
  id: 'ban-char-field',
  severity: 'warning',
  summary: 'char(n) pads values with spaces and changing its length rewrites the table.',
  replacement: (name) => (name === 'bpchar' ? 'text' : undefined),
  message: (column, written) =>
    `${column} is ${written}: values are padded with spaces, compare surprisingly, and changing the length rewrites the table. Use text (with a CHECK constraint if the length matters).`,
});
