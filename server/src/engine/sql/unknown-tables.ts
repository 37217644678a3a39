/**
 * Locks on tables a statement does not name: a DROP INDEX locks "the table of <index>" (state.ts
 * tableOfIndex), and dropping a foreign key locks "the table <constraint> references" too
 * (tableReferencedBy). The file itself, or the earlier migrations of its folder, may say which tables
 * those are: the index created on a named table, the foreign key added with its REFERENCES.
 */
import type { Finding } from '../types';
import { displayTable } from './context';
import { sameTable, type SchemaChange, type SchemaFacts, type TableRef } from './schema';
import { refOfName, tableOfIndex, tableReferencedBy, tablesReferencing } from './state';

const NAME = '([\\w$."]*[\\w$"])';
const TABLE_OF = tableOfIndex('');
const TABLE_OF_INDEX = new RegExp(`${TABLE_OF}${NAME}`, 'g');
const [BEFORE_CONSTRAINT, AFTER_CONSTRAINT] = tableReferencedBy('\0').split('\0') as [string, string];
/** With the " and " before it: a self-referencing key's table is named once already. */
const TABLE_REFERENCED = new RegExp(`( and )?${BEFORE_CONSTRAINT}${NAME}${AFTER_CONSTRAINT}`, 'g');

const REFERENCING = tablesReferencing('');
const TABLES_REFERENCING = new RegExp(`( and )?${REFERENCING}${NAME}`, 'g');

/** Whether a finding names a table that way. */
export const namesUnknownTable = (f: Finding): boolean =>
  f.message.includes(TABLE_OF) || f.message.includes(REFERENCING) || (f.message.includes(BEFORE_CONSTRAINT) && f.message.includes(AFTER_CONSTRAINT));

const unqualified = (name: string): string => name.replace(/"/g, '').split('.').at(-1)!;

/** `text` with those tables named where `earlier` (the earlier files' facts) or `own` (the file's changes) say which they are. */
export function namedTables(text: string, own: readonly SchemaChange[], earlier?: SchemaFacts): string {
  const ownKey = (name: string): { table: TableRef; references: TableRef } | undefined =>
    own.findLast((c): c is Extract<SchemaChange, { op: 'foreign-key' }> => c.op === 'foreign-key' && c.name === name);
  return text
    .replace(TABLE_OF_INDEX, (phrase, index: string) => {
      const name = unqualified(index);
      const table = earlier?.tableOfIndex(name) ?? own.find((c): c is Extract<SchemaChange, { op: 'index' }> => c.op === 'index' && c.name === name)?.table;
      return table ? displayTable(table) : phrase;
    })
    .replace(TABLE_REFERENCED, (phrase, and: string | undefined, constraint: string) => {
      const key = earlier?.foreignKeyNamed(unqualified(constraint)) ?? ownKey(unqualified(constraint));
      if (!key) return phrase;
      return sameTable(key.table, key.references) ? '' : `${and ?? ''}${displayTable(key.references)}`;
    })
    .replace(TABLES_REFERENCING, (phrase, and: string | undefined, name: string) => {
      // Named when a migration shows them; with none shown there may still be some (the phrase stays).
      const table = refOfName(name.replace(/"/g, ''));
      const tables = [...(earlier?.tablesReferencing(table) ?? [])];
      for (const c of own)
        if (c.op === 'foreign-key' && sameTable(c.references, table) && !sameTable(c.table, table) && !tables.some((t) => sameTable(t, c.table)))
          tables.push(c.table);
      return tables.length ? `${and ?? ''}${tables.map(displayTable).join(' and ')}` : phrase;
    });
}

/** The finding with those tables named where the file or the earlier migrations say which they are (see namedTables). */
export function withUnknownTablesNamed(f: Finding, own: readonly SchemaChange[], earlier?: SchemaFacts): Finding {
  if (!namesUnknownTable(f)) return f;
  const related = f.relatedHere?.map((r) => ({ ...r, message: namedTables(r.message, own, earlier) }));
  return { ...f, message: namedTables(f.message, own, earlier), ...(related ? { relatedHere: related } : {}) };
}
