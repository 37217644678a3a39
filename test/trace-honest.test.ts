/**
 * Keeps the linter honest: every err case of the PostgreSQL rules' tests, traced on a real
 * PostgreSQL. For each statement a finding is on, the lock the hover names and every lock the
 * finding's message names ("ACCESS EXCLUSIVE on orders") must be the strongest lock PostgreSQL
 * took on that table, and a claim that the table is rewritten must match its storage being
 * replaced (and the hover must claim it when it is).
 *
 * The cases are the rule tests' own: their expectRanges calls record them (RECORD_CASES_ENV), so a
 * new rule's cases are traced too. Each case's schema comes from the case itself (setupFor).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { hoverSql, lintSql, loadParser, mergeSettings } from '../server/src/engine';
import { LOCK_MODES } from '../server/src/engine/sql/locks';
import { parseStatement } from '../server/src/engine/sql/parse';
import { splitSql } from '../server/src/engine/sql/split';
import { PG_LOCK_MODES, strongestLocks, traceStatements, type TracedStatement } from '../operations/migrations/trace';
import type { Db } from '../operations/migrations';
import { startPostgres, type StartOptions, type TestPostgres } from '../simulators/postgres';
import { temporaryDirectory } from '../simulators/temp';
import { RECORD_CASES_ENV, type RecordedCase } from './helpers/lint';
import { setupFor } from './helpers/trace-setup';

/**
 * Err cases that cannot be traced, by rule and the case's first line, with the reason. The test
 * fails when another case cannot be traced, and when one listed here can be.
 */
const NOT_TRACEABLE: Record<string, string> = {
  'ban-concurrent-index-creation-in-transaction: START TRANSACTION;':
    'the case is the error: PostgreSQL refuses REINDEX CONCURRENTLY in a transaction block (and setupFor makes tables, not the indexes it names); the rule names no lock',
  "unbatched-backfill: UPDATE subscriptions SET storage = 5368709120 WHERE storage = 1073741824 AND product_id = 'free';":
    'setupFor makes *_id columns bigint, and the case compares them with text as ente and windmill do; the rule names no lock',
  'ban-concurrent-index-creation-in-transaction: DO $$': 'the case is the error: PostgreSQL refuses CREATE INDEX CONCURRENTLY in a DO block',
  'require-concurrent-partition-detach: ALTER TABLE public.measurements': 'setupFor builds plain tables, not a partitioned table with its partition',
  'require-concurrent-partition-detach: BEGIN;': 'setupFor builds plain tables, not a partitioned table with its partition',
  'require-concurrent-reindex: REINDEX INDEX public.users_email_key;': 'setupFor makes a table of a name it does not know, not an index',
  'require-concurrent-reindex: CREATE TABLE bookings (id bigint PRIMARY KEY);':
    'setupFor makes a table of a name it does not know, not an index (users_pkey), a schema or a database; the REINDEX TABLE cases trace the lock',
  'changing-trigger: CREATE OR REPLACE VIEW order_totals AS SELECT 1 AS total;':
    'setupFor builds the dropped trigger on a table, and a view takes only INSTEAD OF triggers; DROP TRIGGER on a table is traced by the other cases',
  'ban-drop-not-null: ALTER TABLE auth.identities':
    'the trace setup builds no schema auth for the case (supabase/auth style); the lock is traced by set-schema and the other ALTER TABLE cases',
  'ban-uncommitted-transaction: COMMIT;': 'the case divides by zero on purpose, as pg-regress transactions.sql does; it names no lock',
  "renaming-enum-value: ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';": 'the trace setup creates tables, not enum types; the rule names no table lock',
  'renaming-enum-value: ALTER TYPE public.order_status': 'the trace setup creates tables, not enum types; the rule names no table lock',
  'renaming-type: ALTER DOMAIN billing.money_amount RENAME TO amount;': 'the trace setup creates tables, not domains; renaming a domain names no table lock',
  'set-schema: ALTER TYPE public.factor_type SET SCHEMA auth;': 'the trace setup creates tables, not types or functions; moving a type names no table lock',
};

const pgName = (mode: string): string | undefined => PG_LOCK_MODES[LOCK_MODES.indexOf(mode as (typeof LOCK_MODES)[number])];
const MODES = [...LOCK_MODES].sort((a, b) => b.length - a.length).join('|');
/**
 * "ACCESS EXCLUSIVE on public.orders", "SHARE ROW EXCLUSIVE on orders and customers", "… on the table of orders_idx",
 * "… on orders and the table orders_customer_id_fkey references", "… on parent and the tables with foreign keys to
 * parent" (tables no migration names: not checked).
 */
const LOCK_CLAIM = new RegExp(
  `(took )?\\b(${MODES}) on ((?:the table of )?[\\w."]+(?: and (?:the table [\\w."]+ references|the tables with foreign keys to [\\w."]+|[\\w."]+))*)`,
  'g',
);
const UNNAMED_REFERENCED = /^the table .+ references$|^the tables with foreign keys to /;

/** The rule tests' cases, as their expectRanges calls record them when run with RECORD_CASES_ENV. */
function recordRuleCases(folder: string): RecordedCase[] {
  const testFolder = __dirname;
  const ruleTests = fs.readdirSync(testFolder).filter((f) => /^server__src__engine__sql__rules__.+\.test\.mjs$/.test(f));
  assert.ok(ruleTests.length >= 25, `only ${ruleTests.length} rule tests in ${testFolder}`);
  const entry = path.join(folder, 'rule-tests.mjs');
  fs.writeFileSync(entry, ruleTests.map((f) => `import ${JSON.stringify(pathToFileURL(path.join(testFolder, f)).href)};`).join('\n'));
  const record = path.join(folder, 'cases.jsonl');
  const env: NodeJS.ProcessEnv = { ...process.env, [RECORD_CASES_ENV]: record };
  // Run as a plain script, not as a child of this test run's reporter.
  delete env.NODE_TEST_CONTEXT;
  const run = spawnSync(process.execPath, [entry], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, `the rule tests failed:\n${run.stdout.slice(-3000)}${run.stderr.slice(-2000)}`);
  const seen = new Set<string>();
  return fs
    .readFileSync(record, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedCase)
    .filter((c) => {
      const key = JSON.stringify([c.rule, c.sql, c.settings]);
      if (c.ranges.length === 0 || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

const caseName = (c: RecordedCase): string => `${c.rule}: ${c.sql.split('\n').find((line) => line.trim() && !line.startsWith('--')) ?? ''}`;

/** A table as the trace names it: unquoted, schema-qualified only outside public. */
const traceName = (table: string, indexTables: Map<string, string>): string => {
  const plain = table.replace(/"/g, '').replace(/\.+$/, '');
  const index = /^the table of (.+)$/.exec(plain)?.[1];
  if (index) return indexTables.get(index.split('.').at(-1)!) ?? plain;
  return plain.startsWith('public.') ? plain.slice('public.'.length) : plain;
};

interface Claim {
  mode: string;
  tables: string[];
  /** The sentence says the table is rewritten ("… on orders: blocks reads and writes until the table is rewritten"). */
  rewrite: boolean;
  source: string;
}

/**
 * The locks a text names for its own statement: not "took …" (a lock an earlier statement took),
 * nor "on the table" / "on its table" (what a later change would take).
 */
function lockClaims(text: string, source: string): Claim[] {
  return [...text.matchAll(LOCK_CLAIM)]
    .filter((m) => !m[1] && !/^(the|its)$/.test(m[3]!))
    .map((m) => {
      const rest = text.slice(m.index + m[0].length);
      return { mode: m[2]!, tables: m[3]!.split(' and ').filter((t) => !UNNAMED_REFERENCED.test(t)), rewrite: /^:[^.]*\brewrit/.test(rest), source };
    });
}

/** A table's name after the statement (the trace names relations as they are then): ALTER TABLE … RENAME TO, … SET SCHEMA. */
function nameAfter(sql: string, table: string): string {
  const outcome = parseStatement(sql);
  for (const parsed of outcome.ok ? outcome.statements : []) {
    if (parsed.kind === 'RenameStmt' && parsed.node.renameType === 'OBJECT_TABLE' && parsed.node.newname) return parsed.node.newname;
    if (parsed.kind === 'AlterObjectSchemaStmt' && parsed.node.relation && parsed.node.newschema)
      return parsed.node.newschema === 'public' ? table.split('.').at(-1)! : `${parsed.node.newschema}.${table.split('.').at(-1)}`;
  }
  return table;
}

/** The engines measured: the embedded PostgreSQL (18), and Debian's PostgreSQL 15, an older major whose locks differ in places. */
const ENGINES: { name: string; options: StartOptions }[] = [
  { name: 'embedded PostgreSQL', options: {} },
  { name: "Debian's PostgreSQL 15", options: { installedMajor: 15 } },
];

for (const engine of ENGINES)
  describe(`the locks the linter names are the locks PostgreSQL takes (${engine.name})`, () => {
    let server: TestPostgres;
    let admin: Db;
    let folder: string;
    let cases: RecordedCase[];
    let major: number;
    before(async () => {
      await loadParser();
      folder = temporaryDirectory('rg-trace-honest-');
      cases = recordRuleCases(folder);
      server = await startPostgres(engine.options);
      admin = await server.connect();
      major = (await admin.query<{ major: number }>("SELECT current_setting('server_version_num')::int / 10000 AS major")).rows[0]!.major;
    });
    after(async () => {
      await admin?.close();
      await server?.stop();
      if (folder) fs.rmSync(folder, { recursive: true, force: true });
    });

    it("every rule's err cases: the named lock is the strongest traced lock, and rewrite claims hold", async (t) => {
      const mismatches: string[] = [];
      const untraceable: Record<string, string> = {};
      let checked = 0;
      for (const [i, c] of cases.entries()) {
        const settings = mergeSettings(c.settings);
        // A case written for another PostgreSQL version (pgVersion 10's rewrites) is judged on that version only.
        if (c.settings.pgVersion !== undefined && c.settings.pgVersion !== major) continue;
        const findings = lintSql(c.sql, settings).filter((f) => f.rule === c.rule);
        const database = `case_${i}`;
        await admin.query(`CREATE DATABASE ${database}`);
        const db = await server.connect(database);
        try {
          const setup = await setupFor(db, c.sql);
          if ('failure' in setup) {
            untraceable[caseName(c)] = setup.failure;
            continue;
          }
          for (const statement of setup.setup) await db.query(statement);
          const traced = await traceStatements(db, c.sql, false);
          if (traced.failure) {
            untraceable[caseName(c)] = `line ${traced.failure.line}: ${traced.failure.message}`;
            continue;
          }
          const pieces = splitSql(c.sql).pieces;
          for (const finding of findings) {
            const index = pieces.findIndex((p) => finding.start >= p.start && finding.start <= p.end);
            const statement: TracedStatement | undefined = traced.statements[index];
            // Statements that cannot run in a transaction block (CONCURRENTLY): their locks are not measured.
            if (!statement || statement.notTraced) continue;
            const hover = hoverSql(c.sql, pieces[index]!.start, settings)?.contents ?? '';
            const claims = [...lockClaims(/^\*\*.*?\*\*/.exec(hover)?.[0] ?? '', 'hover'), ...lockClaims(finding.message, 'message')];
            const measured = new Map(strongestLocks(statement.locks).map((lock) => [lock.relation, lock.mode]));
            const where = `${caseName(c)} — ${statement.sql.split('\n')[0]}`;
            for (const claim of claims) {
              for (const table of claim.tables.map((t) => nameAfter(statement.sql, traceName(t, setup.indexTables)))) {
                checked++;
                if (measured.get(table) !== pgName(claim.mode))
                  mismatches.push(`${where}: the ${claim.source} names ${claim.mode} on ${table}, PostgreSQL took ${measured.get(table) ?? 'none'}`);
                if (claim.rewrite && !statement.rewrites.includes(table))
                  mismatches.push(`${where}: the ${claim.source} says ${table} is rewritten, PostgreSQL did not replace its storage`);
                // TRUNCATE replaces the storage too, and says so its own way.
                if (claim.source === 'hover' && !claim.rewrite && statement.rewrites.includes(table) && !/^TRUNCATE\b/i.test(statement.sql))
                  mismatches.push(`${where}: PostgreSQL rewrote ${table}, the hover does not say so`);
              }
            }
          }
        } finally {
          await db.close();
          await admin.query(`DROP DATABASE ${database}`);
        }
      }
      assert.deepEqual(mismatches, []);
      assert.deepEqual(
        Object.keys(untraceable).sort(),
        Object.keys(NOT_TRACEABLE).sort(),
        `err cases that could not be traced (list them in NOT_TRACEABLE with the reason, or teach setupFor what they need):\n${Object.entries(untraceable)
          .map(([name, failure]) => `  ${name} — ${failure}`)
          .join('\n')}`,
      );
      t.diagnostic(`${cases.length} err cases, ${checked} lock claims checked`);
      assert.ok(checked >= 40, `only ${checked} lock claims checked`);
    });
  });
