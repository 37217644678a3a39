import { columnTypeRule } from './_types';

export const preferTimestamptz = columnTypeRule({
  id: 'prefer-timestamptz',
  severity: 'warning',
  summary: 'timestamp without time zone loses the offset; versions running in different time zones disagree about the stored instant.',
  replacement: (name) => (name === 'timestamp' ? 'timestamptz' : undefined),
  message: (column, written) =>
    `${column} is ${written}: it stores no time zone, so values depend on the writer's TimeZone setting and comparisons across versions and servers go wrong. Use timestamptz.`,
});
