import { columnTypeRule } from './_types';

export const preferJsonb = columnTypeRule({
  id: 'prefer-jsonb',
  severity: 'info',
  summary: 'json is stored as text: no equality operator, no GIN indexes; moving to jsonb later rewrites the table.',
  replacement: (name) => (name === 'json' ? 'jsonb' : undefined),
  message: (column) =>
    `${column} is json: it has no equality operator (DISTINCT, UNION and GROUP BY fail on it) and cannot be indexed with GIN; converting it later rewrites the table. Use jsonb.`,
});
