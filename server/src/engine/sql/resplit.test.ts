import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffTexts, resplitSql, splitSql } from './split';

/** Deterministic pseudo-random numbers, so a failure replays. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** Text that exercises every construct the splitter knows: quotes, comments, dollar bodies, psql, COPY, BEGIN ATOMIC. */
const SCRIPT = [
  '-- header',
  "SET lock_timeout = '2s';",
  "CREATE TABLE a (id int, note text DEFAULT 'x;y');",
  '/* block /* nested */ ; */ ALTER TABLE a ADD COLUMN b int;',
  'DO $$ BEGIN PERFORM 1; END $$;',
  'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;',
  '\\set x 1',
  'SELECT :x \\gset',
  'COPY a FROM stdin;',
  '1\tfoo;',
  '\\.',
  "UPDATE a SET note = E'it\\'s;' WHERE id = 1;",
  'SELECT "semi;colon" FROM a;',
  '-- +goose StatementBegin',
  'SELECT 3',
  '-- +goose StatementEnd',
  'DROP TABLE a',
].join('\n');

const FRAGMENTS = [
  ' ',
  '\n',
  'x',
  ';',
  "'",
  '"',
  '$$',
  '$q$',
  '--',
  '/*',
  '*/',
  '(',
  ')',
  '\\',
  'BEGIN ATOMIC ',
  'END;',
  'COPY a FROM stdin;\n',
  '\\.\n',
  "E'",
  'SELECT 1;\n',
  '\n-- +goose StatementEnd\n',
];

describe('resplitSql', () => {
  it('gives exactly what a fresh split gives after every edit, reusing the pieces before the edit', () => {
    const next = random(7);
    let text = SCRIPT;
    let split = splitSql(text);
    let keptTotal = 0;
    let piecesTotal = 0;
    for (let step = 0; step < 3000; step++) {
      const before = text;
      const at = Math.floor(next() * (text.length + 1));
      if (next() < 0.35 && text.length > 0) text = text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(next() * 12)));
      else text = text.slice(0, at) + FRAGMENTS[Math.floor(next() * FRAGMENTS.length)] + text.slice(at);
      // Keep the text from growing without bound.
      if (text.length > 3 * SCRIPT.length) text = SCRIPT;
      const incremental = resplitSql(split, text, diffTexts(before, text), before.length);
      const fresh = splitSql(text);
      assert.deepEqual({ pieces: incremental.pieces, comments: incremental.comments }, fresh, `step ${step}:\n${before}\n---->\n${text}`);
      for (let i = 0; i < incremental.keptBefore; i++) assert.equal(incremental.pieces[i], split.pieces[i]);
      keptTotal += incremental.keptBefore + (incremental.pieces.length - incremental.rescannedUpTo);
      piecesTotal += fresh.pieces.length;
      split = incremental;
    }
    // Most pieces must come from the old split rather than the scanner.
    assert.ok(keptTotal > piecesTotal / 2, `only ${keptTotal} of ${piecesTotal} pieces taken from the old split`);
  });

  it('finds the common prefix and suffix of two texts', () => {
    const long = 'x'.repeat(10000);
    assert.deepEqual(diffTexts(`${long}a${long}`, `${long}bb${long}`), { prefix: 10000, suffix: 10000 });
    assert.deepEqual(diffTexts('abc', 'abc'), { prefix: 3, suffix: 0 });
    assert.deepEqual(diffTexts('aaaa', 'aa'), { prefix: 2, suffix: 0 });
    assert.deepEqual(diffTexts('', 'ab'), { prefix: 0, suffix: 0 });
    assert.deepEqual(diffTexts(`q${long}`, `r${long}`), { prefix: 0, suffix: 10000 });
  });
});
