import type { SqlRule } from '../context';
import { covers } from '../keys';
import { ident } from './_shared';

/** From a foreign key's location to the referenced table: `REFERENCES customers`, `CONSTRAINT fk FOREIGN KEY (a) REFERENCES t`. */
const CLAUSE = /^(?:constraint\s+(?:"[^"]*"|[\w$]+)\s+)?(?:foreign\s+key\s*\([^)]*\)\s*)?references\s+(?:(?:"[^"]*"|[\w$]+)\s*\.\s*)?(?:"[^"]*"|[\w$]+)/i;

export const fkMissingIndex: SqlRule = {
  id: 'fk-missing-index',
  severity: 'hint',
  summary: 'A foreign key on new columns with no index on them: deleting or re-keying a referenced row scans the referencing table.',
  kinds: [],
  atEnd(ctx, report) {
    const { foreignKeys, indexKeys } = ctx.state;
    for (const fk of foreignKeys) {
      if (indexKeys.some((index) => covers(index, fk))) continue;
      const unit = ctx.locateUnit(fk.unit);
      if (!unit) continue;
      const start = unit.start + fk.at;
      const clause = CLAUSE.exec(ctx.text.slice(start, unit.end));
      const columns = fk.columns.map(ident).join(', ');
      const name = `${fk.table.split('.').at(-1)}_${fk.columns.join('_')}_idx`.slice(0, 63);
      const after = unit.semicolon >= 0 ? unit.semicolon + 1 : unit.end;
      // Quoted as written: "Booking" is not booking.
      const table = fk.table.split('.').map(ident).join('.');
      const create = fk.newTable
        ? `CREATE INDEX ${ident(name)} ON ${table} (${columns});`
        : `CREATE INDEX CONCURRENTLY ${ident(name)} ON ${table} (${columns});`;
      report({
        start,
        end: clause ? start + clause[0].length : Math.min(start + 1, unit.end),
        message: `No index on ${fk.table} (${columns}) in this file: every DELETE of a ${fk.referenced} row, or change of its key, scans ${fk.table} to check for references (under a lock, and per row deleted), and joins on the key find no index. Add ${create}`,
        fixes: fk.newTable ? [{ title: `Add ${create}`, edits: [{ start: after, end: after, newText: `\n${create}` }] }] : [],
      });
    }
  },
};
