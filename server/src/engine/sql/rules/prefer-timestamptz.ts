import { typeModifiers } from './_shared';
import { columnTypeRule } from './_types';

export const preferTimestamptz = columnTypeRule({
  id: 'prefer-timestamptz',
  severity: 'warning',
  summary: 'timestamp without time zone loses the offset; versions running in different time zones disagree about the stored instant.',
  // Keep a precision as written: timestamp(3) → timestamptz(3).
  replacement: (name, type) =>
    name === 'timestamp'
      ? `timestamptz${typeModifiers(type)
          .map((p) => `(${p})`)
          .join('')}`
      : undefined,
  message: (column, written, replacement) =>
    `${column} is ${written}: it stores no time zone, so values depend on the writer's TimeZone setting and comparisons across versions and servers go wrong. Use ${replacement}.`,
});
