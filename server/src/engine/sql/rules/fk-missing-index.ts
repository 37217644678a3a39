import { displayTable, type SqlRule } from '../context';
import { ident } from './_shared';

/** From a foreign key's location to the referenced table: `REFERENCES customers`, `CONSTRAINT fk FOREIGN KEY (a) REFERENCES t`. */
const CLAUSE = /^(?:constraint\s+(?:"[^"]*"|[\w$]+)\s+)?(?:foreign\s+key\s*\([^)]*\)\s*)?references\s+(?:(?:"[^"]*"|[\w$]+)\s*\.\s*)?(?:"[^"]*"|[\w$]+)/i;

export const fkMissingIndex: SqlRule = {
  id: 'fk-missing-index',
  severity: 'hint',
  summary: 'A foreign key on new columns with no index on them: deleting or re-keying a referenced row scans the referencing table.',
  kinds: [],
  atEnd(ctx, report) {
    for (const fk of ctx.state.foreignKeys) {
      if (ctx.state.createsIndexOn(fk.table, fk.columns)) continue;
      const unit = ctx.locateUnit(fk.unit);
      if (!unit) continue;
      const start = unit.start + fk.at;
      const clause = CLAUSE.exec(ctx.text.slice(start, unit.end));
      const columns = fk.columns.map(ident).join(', ');
      const table = displayTable(fk.table);
      const name = `${fk.table.name}_${fk.columns.join('_')}_idx`.slice(0, 63);
      const after = unit.semicolon >= 0 ? unit.semicolon + 1 : unit.end;
      // Quoted as written: "Booking" is not booking.
      const quoted = [fk.table.schema, fk.table.name].flatMap((part) => (part ? [ident(part)] : [])).join('.');
      const create = fk.newTable
        ? `CREATE INDEX ${ident(name)} ON ${quoted} (${columns});`
        : `CREATE INDEX CONCURRENTLY ${ident(name)} ON ${quoted} (${columns});`;
      report({
        start,
        end: clause ? start + clause[0].length : Math.min(start + 1, unit.end),
        message: `No index on ${table} (${columns}) in this file: every DELETE of a ${fk.referenced} row, or change of its key, scans ${table} to check for references (under a lock, and per row deleted), and joins on the key find no index. Add ${create}`,
        fixes: fk.newTable ? [{ title: `Add ${create}`, edits: [{ start: after, end: after, newText: `\n${create}` }] }] : [],
        // An index an earlier file of the folder made, not dropped before the key was added.
        unlessEarlier: { condition: { fact: 'index', table: fk.table, columns: fk.columns }, after: fk.after },
      });
    }
  },
};
