import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapLimited } from './map-limited';

describe('mapLimited', () => {
  it('returns the results in the order of the items, whatever order they finish in', async () => {
    // Each item waits for the one after it to start, so they finish last to first.
    const started: (() => void)[] = [];
    const waits = [0, 1, 2, 3].map((i) => new Promise<void>((resolve) => (started[i] = resolve)));
    const results = await mapLimited([0, 1, 2, 3], 4, async (i) => {
      started[i + 1]?.();
      if (i < 3) await waits[i + 1];
      return i * 10;
    });
    assert.deepEqual(results, [0, 10, 20, 30]);
  });

  it('runs at most `limit` at a time, and every item once', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await mapLimited([...Array(10).keys()], 3, async (i) => {
      running++;
      most = Math.max(most, running);
      seen.push(i);
      await Promise.resolve();
      running--;
    });
    assert.equal(most, 3);
    assert.deepEqual(seen, [...Array(10).keys()]);
  });

  it('with no items, runs nothing', async () => {
    assert.deepEqual(await mapLimited([], 4, () => Promise.reject(new Error('not called'))), []);
  });
});
