import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

describe('require-concurrent-partition-detach', () => {
  it('ok: CONCURRENTLY, FINALIZE, ATTACH, and a partitioned table created in the same file', () => {
    const sql = [
      'ALTER TABLE measurements DETACH PARTITION measurements_2023 CONCURRENTLY;',
      'ALTER TABLE measurements DETACH PARTITION measurements_2023 FINALIZE;',
      "ALTER TABLE measurements ATTACH PARTITION measurements_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
      'CREATE TABLE events (at timestamptz) PARTITION BY RANGE (at);',
      'ALTER TABLE events DETACH PARTITION events_old;',
    ].join('\n');
    expectRanges('require-concurrent-partition-detach', sql, []);
  });

  it('err: a retention job detaching last year (pg_partman style), with the fix adding CONCURRENTLY', () => {
    const sql = 'ALTER TABLE public.measurements\n  DETACH PARTITION public.measurements_2023;';
    const found = expectRanges('require-concurrent-partition-detach', sql, ['2:3-2:44']);
    assert.match(
      found[0]!.message,
      /^Detaching public\.measurements_2023 takes ACCESS EXCLUSIVE on public\.measurements, and on the partition too: reads and writes of every partition wait/,
    );
    assert.equal(applyFix(sql, found[0]!.finding), 'ALTER TABLE public.measurements\n  DETACH PARTITION public.measurements_2023 CONCURRENTLY;');
  });

  it('err: no fix in a transaction or before PostgreSQL 14', () => {
    const tx = expectRanges('require-concurrent-partition-detach', 'BEGIN;\nALTER TABLE measurements DETACH PARTITION m_2023;\nCOMMIT;', ['2:26-2:49']);
    assert.deepEqual(tx[0]!.finding.fixes, undefined);
    const old = expectRanges('require-concurrent-partition-detach', 'ALTER TABLE measurements DETACH PARTITION m_2023;', ['1:26-1:49'], { pgVersion: 13 });
    assert.match(old[0]!.message, /PostgreSQL 13 has no DETACH … CONCURRENTLY \(14\+\)/);
  });
});
