/**
 * Backfill benchmark on a real PostgreSQL (embedded, durable settings): the batched,
 * resumable backfill of 1,000,000 rows against one plain UPDATE of the same rows, and the
 * longest time one batch held its row locks (its transaction's duration, seen from the
 * client, so an upper bound).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadPlan, runPhase, type Db } from '../operations/migrations';
import { startPostgres } from '../simulators/postgres';
import { temporaryDirectory } from '../simulators/temp';

const ROWS = 1_000_000;
const ROUNDS = 3;

const SET = `new_status = upper(old_status)`;

async function loadOrders(db: Db): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS orders`);
  await db.query(
    `CREATE TABLE orders (id bigint PRIMARY KEY, old_status text NOT NULL, new_status text, amount numeric NOT NULL, created_at timestamptz NOT NULL)`,
  );
  await db.query(
    `INSERT INTO orders SELECT g, (ARRAY['open', 'paid', 'shipped'])[1 + g % 3], NULL, g % 1000, timestamptz '2025-01-01' + g * interval '1 second' FROM generate_series(1, ${ROWS}) g`,
  );
  // Same starting point for both: statistics, visibility map, no dirty buffers.
  await db.query('VACUUM ANALYZE orders');
  await db.query('CHECKPOINT');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchMigrations(): Promise<string[][]> {
  const server = await startPostgres({ durable: true });
  const planDir = temporaryDirectory('rg-bench-plan-');
  try {
    const url = await server.createDatabase('bench');
    const db = await server.connect('bench');
    const plainMs: number[] = [];
    const batchedMs: number[] = [];
    const batchMs: number[] = [];
    let batches = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        await loadOrders(db);
        let started = performance.now();
        const plain = await db.query(`UPDATE orders SET ${SET} WHERE new_status IS NULL`);
        plainMs.push(performance.now() - started);
        if (plain.rowCount !== ROWS) throw new Error(`the plain UPDATE changed ${plain.rowCount} rows`);

        await loadOrders(db);
        await db.query('DROP SCHEMA IF EXISTS rollout_guard CASCADE');
        fs.writeFileSync(
          path.join(planDir, 'backfill.sql'),
          `-- rollout-guard: backfill table=orders key=id batch=1000\nUPDATE orders SET ${SET} WHERE new_status IS NULL;\n`,
        );
        const plan = await loadPlan(planDir);
        started = performance.now();
        const result = await runPhase(plan, {
          databaseUrl: url,
          phase: 'backfill',
          onEvent: (e) => {
            if (e.type === 'batch') batchMs.push(e.durationMs);
          },
        });
        batchedMs.push(performance.now() - started);
        if (result.outcome !== 'applied' || result.rows !== ROWS) throw new Error(`backfill: ${result.outcome}: ${result.message}`);
        batches += result.batches;
        const left = await db.query<{ n: string }>(`SELECT count(*) AS n FROM orders WHERE new_status IS DISTINCT FROM upper(old_status)`);
        if (left.rows[0]?.n !== '0') throw new Error(`backfill left ${left.rows[0]?.n} rows wrong`);
      }
    } finally {
      await db.close();
    }
    const plain = median(plainMs);
    const batched = median(batchedMs);
    const sorted = [...batchMs].sort((a, b) => a - b);
    const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
    const rate = (ms: number): string => `${Math.round(ROWS / (ms / 1000)).toLocaleString('en-US')} rows/s`;
    return [
      [`plain UPDATE of 1,000,000 rows (one transaction), median of ${ROUNDS}`, `${(plain / 1000).toFixed(1)} s`, rate(plain), '', ''],
      [
        `batched backfill of the same rows (rollout-guard migrate), median of ${ROUNDS}`,
        `${(batched / 1000).toFixed(1)} s`,
        `${rate(batched)}: ${(plain / batched).toFixed(2)}× the plain UPDATE (target ≥ 0.7×)`,
        '',
        '',
      ],
      [`backfill: longest batch transaction (row locks held), ${batches} batches`, `${sorted.at(-1)!.toFixed(0)} ms`, 'target < 200 ms', '', ''],
      ['backfill: batch transaction p99 / median', `${p99.toFixed(0)} ms / ${median(batchMs).toFixed(0)} ms`, '', '', ''],
    ];
  } finally {
    fs.rmSync(planDir, { recursive: true, force: true });
    await server.stop();
  }
}
