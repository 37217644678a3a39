import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { keepParsedStatements, StatementCache } from './statement-cache';

describe('StatementCache', () => {
  afterEach(() => keepParsedStatements(20_000));

  it('keeps the statements used lately and drops the ones not used for a while', () => {
    keepParsedStatements(4);
    const cache = new StatementCache<number>();
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3); // a and b move to the older generation
    assert.equal(cache.get('a'), 1); // used again: back in the newer one, with c
    cache.set('d', 4); // c and a become the older generation; b is gone
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('c'), 3);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('d'), 4);
  });

  it('keeps nothing when turned off', () => {
    keepParsedStatements(0);
    const cache = new StatementCache<number>();
    cache.set('a', 1);
    assert.equal(cache.get('a'), undefined);
  });
});
