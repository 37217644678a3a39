/**
 * The schema a rule test's SQL expects, built from the SQL itself: its statements run in a
 * transaction that is rolled back, and each time PostgreSQL says something is missing (a table,
 * a column, an index, a constraint, a trigger or its function, a key a foreign key needs), the
 * object is created and the statement tried again. The objects created, in order, are the setup
 * to commit before tracing the SQL for real. No hand-written schema: a new rule's cases set
 * themselves up.
 */
import { errorText, sqlState, type Db } from '../../operations/migrations/db';
import { statementsOf } from '../../operations/migrations/trace';
import { parseStatement, plpgsqlQueries } from '../../server/src/engine/sql/parse';
import { stringOf, subtree, unwrap, type RangeVar } from '../../server/src/engine/sql/ast';

export interface TraceSetup {
  /** Statements that create what the SQL expects, to run (committed) before it. */
  setup: string[];
  /** The table of each index the SQL or its setup created or used, by index name. */
  indexTables: Map<string, string>;
}

export type SetupOutcome = TraceSetup | { failure: string };

/** SQLSTATE 25001: "… cannot run inside a transaction block". */
const ACTIVE_SQL_TRANSACTION = '25001';
const TRANSACTION_CONTROL = /^(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release)\b/i;
/** Repairs of one statement before giving up on it. */
const MAX_REPAIRS = 25;

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** A name as PostgreSQL's messages print it (`public.orders`), quoted part by part. */
const qualified = (name: string): string => name.split('.').map(quote).join('.');

/** A column type from its name: keys and counts are numbers, `…_at` times, flags booleans, periods ranges, the rest text. */
function columnType(column: string): string {
  if (/(^|_)(during|period)$/i.test(column)) return 'tstzrange';
  if (/(^|_)(id|count|cents|total|amount|number|score|quantity|version|position|size|age|priority)$/i.test(column)) return 'bigint';
  if (/(_at|_on|^published|^updated|^created|date|time)$/i.test(column)) return 'timestamptz';
  if (/^(is|has)_|(^|_)(enabled|active|deleted|removed|locked|verified|archived|approved)$/i.test(column)) return 'boolean';
  if (/(^|_)(data|payload|metadata|settings|attributes|json)$/i.test(column)) return 'jsonb';
  return 'text';
}

/** The tables a statement names (FROM, UPDATE, ALTER TABLE, …, and in a DO block's body), as written. */
function tablesNamed(sql: string): string[] {
  const outcome = parseStatement(sql);
  if (!outcome.ok) return [];
  const names = new Set<string>();
  const body = outcome.statements.some((s) => s.kind === 'DoStmt') ? plpgsqlQueries(sql) : undefined;
  if (body && 'queries' in body) for (const query of body.queries) for (const name of tablesNamed(query)) names.add(name);
  for (const node of subtree(outcome.statements.map((s) => s.node))) {
    // A RangeVar, wrapped (in a FROM list) or as a statement's own field (its relation).
    const range = (unwrap(node, 'RangeVar') ?? node) as RangeVar;
    if (typeof range.relname === 'string') names.add(range.schemaname ? `${range.schemaname}.${range.relname}` : range.relname);
  }
  return [...names];
}

/** The table a statement's (first) foreign key references. */
function referencedTable(sql: string): string | undefined {
  const outcome = parseStatement(sql);
  if (!outcome.ok) return undefined;
  for (const node of subtree(outcome.statements.map((s) => s.node))) {
    const c = unwrap(node, 'Constraint');
    if (c?.contype === 'CONSTR_FOREIGN' && c.pktable?.relname) return c.pktable.schemaname ? `${c.pktable.schemaname}.${c.pktable.relname}` : c.pktable.relname;
  }
  return undefined;
}

/** The columns a statement's foreign key to `table` references (its `REFERENCES table (a, b)`). */
function referencedColumns(sql: string, table: string): string[] {
  const outcome = parseStatement(sql);
  if (!outcome.ok) return [];
  for (const node of subtree(outcome.statements.map((s) => s.node))) {
    const c = unwrap(node, 'Constraint');
    if (c?.contype === 'CONSTR_FOREIGN' && c.pktable?.relname === table.split('.').at(-1)) return (c.pk_attrs ?? []).map((a) => stringOf(a) ?? '?');
  }
  return [];
}

async function existingTables(db: Db, names: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const name of names) {
    const { rows } = await db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [qualified(name)]);
    if (rows[0]?.ok) found.push(name);
  }
  return found;
}

async function hasColumn(db: Db, table: string, column: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped`, [
    qualified(table),
    column,
  ]);
  return rows.length > 0;
}

/** The columns the setup added as text, which a comparison with a number may need as one. */
type TextColumns = { table: string; column: string }[];

/** What to create for PostgreSQL's complaint about `sql`, or undefined when it is not about something missing. */
async function repairFor(db: Db, error: unknown, sql: string, textColumns: TextColumns): Promise<string[] | undefined> {
  const message = error instanceof Error ? error.message : '';
  const detail = (error as { detail?: string }).detail ?? '';
  const state = sqlState(error);
  let m: RegExpExecArray | null;
  if (state === '3F000' && (m = /^schema "(.+)" does not exist/.exec(message))) return [`CREATE SCHEMA ${quote(m[1]!)}`];
  if (state === '42P01' && (m = /^(?:relation|table) "(.+)" does not exist/.exec(message))) {
    const schema = m[1]!.includes('.') ? [`CREATE SCHEMA IF NOT EXISTS ${quote(m[1]!.split('.')[0]!)}`] : [];
    return [...schema, `CREATE TABLE ${qualified(m[1]!)} (id bigint)`];
  }
  if ((m = /^materialized view "(.+)" does not exist/.exec(message))) return [`CREATE MATERIALIZED VIEW ${qualified(m[1]!)} AS SELECT 1::bigint AS id`];
  if ((m = /^"(.+)" is not a materialized view/.exec(message))) {
    return [`DROP TABLE ${qualified(m[1]!)}`, `CREATE MATERIALIZED VIEW ${qualified(m[1]!)} AS SELECT 1::bigint AS id`];
  }
  const addColumn = (table: string, column: string): string => {
    if (columnType(column) === 'text') textColumns.push({ table, column });
    return `ALTER TABLE ${qualified(table)} ADD COLUMN ${quote(column)} ${columnType(column)}`;
  };
  if (state === '42703' && (m = /^column "?([^"\s]+)"? of relation "(.+)" does not exist/.exec(message))) return [addColumn(m[2]!, m[1]!)];
  if (state === '42703' && (m = /^column "?([^"\s]+)"? (?:referenced in foreign key constraint |named in key )?does not exist/.exec(message))) {
    const column = m[1]!.split('.').at(-1)!;
    const tables = [];
    for (const table of await existingTables(db, tablesNamed(sql))) if (!(await hasColumn(db, table, column))) tables.push(table);
    return tables.length ? tables.map((table) => addColumn(table, column)) : undefined;
  }
  if (state === '42883' && /^operator does not exist: text [^\w\s]+ (integer|bigint|numeric)/.test(message)) {
    // A column the setup made text is compared with a number: make the first one the statement names a number.
    const index = textColumns.findIndex(({ column }) => new RegExp(`\\b${column}\\b`).test(sql));
    if (index < 0) return undefined;
    const { table, column } = textColumns.splice(index, 1)[0]!;
    return [`ALTER TABLE ${qualified(table)} ALTER COLUMN ${quote(column)} TYPE bigint USING NULL`];
  }
  // PostgreSQL 16+ names the tables' roles; 15 says `Key columns "a" and "b" are of incompatible types`.
  if (
    (m = /^Key columns "(.+)"(?: of the referencing table)? and "(.+)"(?: of the referenced table)? are of incompatible types: (.+) and (.+)\.$/.exec(detail))
  ) {
    const referenced = referencedTable(sql);
    return referenced ? [`ALTER TABLE ${qualified(referenced)} ALTER COLUMN ${quote(m[2]!)} TYPE ${m[3]} USING NULL`] : undefined;
  }
  if (state === '42704' && (m = /^index "([^"]+)" for table "([^"]+)" does not exist/.exec(message))) {
    return [`CREATE INDEX ${quote(m[1]!)} ON ${qualified(m[2]!)} (id)`];
  }
  if (state === '42704' && (m = /^index "([^"]+)" does not exist/.exec(message))) {
    const holder = `${m[1]!}_table`;
    return [`CREATE TABLE ${qualified(holder)} (id bigint)`, `CREATE INDEX ${quote(m[1]!.split('.').at(-1)!)} ON ${qualified(holder)} (id)`];
  }
  if (state === '42704' && (m = /^constraint "(.+)" of relation "(.+)" does not exist/.exec(message))) {
    return [`ALTER TABLE ${qualified(m[2]!)} ADD CONSTRAINT ${quote(m[1]!)} CHECK (true) NOT VALID`];
  }
  if (state === '42704' && (m = /^trigger "(.+)" for table "(.+)" does not exist/.exec(message))) {
    return [
      ...triggerFunction('rollout_guard_noop'),
      `CREATE TRIGGER ${quote(m[1]!)} BEFORE UPDATE ON ${qualified(m[2]!)} FOR EACH ROW EXECUTE FUNCTION rollout_guard_noop()`,
    ];
  }
  if (state === '42704' && (m = /^type "(.+)" does not exist/.exec(message))) return [`CREATE TYPE ${qualified(m[1]!)} AS ENUM ('a')`];
  if (state === '42883' && (m = /^function (\w+)\(\) does not exist/.exec(message))) return triggerFunction(m[1]!);
  if (state === ACTIVE_SQL_TRANSACTION) {
    // VACUUM and the like cannot run here: create the tables they name that are missing.
    const named = tablesNamed(sql);
    const existing = await existingTables(db, named);
    const missing = named.filter((table) => !existing.includes(table));
    return missing.length ? missing.map((table) => `CREATE TABLE ${qualified(table)} (id bigint)`) : [];
  }
  if ((m = /^there is no primary key for referenced table "(.+)"/.exec(message))) return [`ALTER TABLE ${qualified(m[1]!)} ADD PRIMARY KEY (id)`];
  if ((m = /^there is no unique constraint matching given keys for referenced table "(.+)"/.exec(message))) {
    const columns = referencedColumns(sql, m[1]!);
    return columns.length ? [`ALTER TABLE ${qualified(m[1]!)} ADD UNIQUE (${columns.map(quote).join(', ')})`] : undefined;
  }
  if (/^there is no unique or exclusion constraint matching the ON CONFLICT specification/.test(message)) {
    const upsert = /^\s*insert\s+into\s+([\w."]+)[\s\S]*\bon\s+conflict\s*\(([^)]+)\)/i.exec(sql);
    return upsert ? [`ALTER TABLE ${qualified(upsert[1]!.replace(/"/g, ''))} ADD UNIQUE (${upsert[2]})`] : undefined;
  }
  return undefined;
}

const triggerFunction = (name: string): string[] => [
  `CREATE OR REPLACE FUNCTION ${quote(name)}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
];

/** The table of every index in the database, by index name. */
async function indexTables(db: Db, into: Map<string, string>): Promise<void> {
  const { rows } = await db.query<{ index: string; table: string }>(
    `SELECT i.relname AS index, CASE WHEN n.nspname = 'public' THEN t.relname ELSE n.nspname || '.' || t.relname END AS table
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`,
  );
  for (const row of rows) into.set(row.index, row.table);
}

/** Finds the setup `text` needs on the (empty) database of `db`; leaves the database as it was. */
export async function setupFor(db: Db, text: string): Promise<SetupOutcome> {
  const setup: string[] = [];
  const tables = new Map<string, string>();
  const textColumns: TextColumns = [];
  await db.query('BEGIN');
  try {
    for (const { line, sql } of statementsOf(text)) {
      if (TRANSACTION_CONTROL.test(sql)) continue;
      // Without CONCURRENTLY (it cannot run in a transaction block) and IF EXISTS (which hides what is missing).
      const runnable = sql.replace(/\bconcurrently\b/i, '').replace(/\bif\s+exists\b/gi, '');
      for (let repairs = 0; ; repairs++) {
        // Before the statement runs: the index it drops is gone after.
        await indexTables(db, tables);
        await db.query('SAVEPOINT rollout_guard_setup');
        try {
          await db.query(runnable);
          await db.query('RELEASE SAVEPOINT rollout_guard_setup');
          break;
        } catch (error) {
          await db.query('ROLLBACK TO SAVEPOINT rollout_guard_setup');
          const repair = repairs < MAX_REPAIRS ? await repairFor(db, error, runnable, textColumns) : undefined;
          if (!repair) return { failure: `line ${line}: ${errorText(error)}` };
          // Nothing missing for a statement that cannot run here: on to the next one.
          if (repair.length === 0) break;
          for (const statement of repair) {
            try {
              await db.query(statement);
            } catch (failed) {
              return { failure: `line ${line}: ${errorText(error)}; the setup ${statement} failed: ${errorText(failed)}` };
            }
            setup.push(statement);
          }
        }
      }
    }
    return { setup, indexTables: tables };
  } finally {
    await db.query('ROLLBACK');
  }
}
