import { columnTypeRule } from './_types';

const REPLACEMENTS: Record<string, string> = {
  int4: 'bigint',
  int2: 'bigint',
  serial: 'bigserial',
  serial4: 'bigserial',
  smallserial: 'bigserial',
  serial2: 'bigserial',
};

export const preferBigintOverInt = columnTypeRule({
  id: 'prefer-bigint-over-int',
  severity: 'warning',
  summary: 'integer and smallint columns run out of values; widening them later rewrites the table.',
  replacement: (name) => REPLACEMENTS[name],
  message: (column, written, replacement) =>
    `${column} is ${written}, which runs out at ${/small|int2|serial2/i.test(written) ? '32,767' : '2,147,483,647'}; changing it later rewrites the table under an ACCESS EXCLUSIVE lock. Use ${replacement}.`,
});
