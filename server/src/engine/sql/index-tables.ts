/**
 * A DROP INDEX that does not say its table locks "the table of <index>" (state.ts tableOfIndex):
 * the file itself, or the earlier migrations of its folder, may have created the index on a named table.
 */
import type { Finding } from '../types';
import { displayTable } from './context';
import type { SchemaChange, SchemaFacts } from './schema';
import { tableOfIndex } from './state';

const TABLE_OF = tableOfIndex('');
const TABLE_OF_INDEX = new RegExp(`${TABLE_OF}([\\w$."]*[\\w$"])`, 'g');

/** Whether a finding names the table of an index it could not name. */
export const namesIndexTable = (f: Finding): boolean => f.message.includes(TABLE_OF);

/**
 * The finding with "the table of <index>" replaced by the index's table, where `earlier` (the
 * earlier files' facts) or `own` (the file's changes) created the index.
 */
export function withIndexTablesNamed(f: Finding, own: readonly SchemaChange[], earlier?: SchemaFacts): Finding {
  if (!namesIndexTable(f)) return f;
  const named = (text: string): string =>
    text.replace(TABLE_OF_INDEX, (phrase, index: string) => {
      const name = index.replace(/"/g, '').split('.').at(-1)!;
      const table = earlier?.tableOfIndex(name) ?? own.find((c) => c.op === 'index' && c.name === name)?.table;
      return table ? displayTable(table) : phrase;
    });
  const related = f.relatedHere?.map((r) => ({ ...r, message: named(r.message) }));
  return { ...f, message: named(f.message), ...(related ? { relatedHere: related } : {}) };
}
