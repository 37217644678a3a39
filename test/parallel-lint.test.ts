import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lintOnThread, lintSqlFiles, type SqlJob } from '../cli/src/parallel-lint';
import { loadParser, mergeSettings, type CompiledParser } from '../server/src/engine';
import { repoRoot } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';

const bin = path.join(repoRoot, 'bin/rollout-guard.js');
const settings = mergeSettings();

/** A migration with findings (one per rule kind), a syntax error and plenty of statements: about 30 KB. */
function migration(n: number): string {
  const lines = [`CREATE INDEX orders_${n}_idx ON orders (status);`, `ALTER TABLE orders_${n} ADD COLUMN note text NOT NULL DEFAULT 'x';`, 'SELEC broken;'];
  for (let i = 0; i < 400; i++) lines.push(`INSERT INTO audit_${n} (id, body) VALUES (${i}, 'row ${i} of migration ${n}');`);
  lines.push(`UPDATE orders_${n} SET status = 'new';`);
  return lines.join('\n') + '\n';
}

// 40 files, 1.2 MB: over the size where check starts threads.
const jobs: SqlJob[] = Array.from({ length: 40 }, (_, n) => ({ fileName: `/migrations/${String(n).padStart(3, '0')}_step.sql`, text: migration(n) }));

describe('checking SQL files on several threads', () => {
  let tmp: string;
  before(async () => {
    await loadParser();
    tmp = temporaryDirectory('rg-jobs-');
    for (const job of jobs) fs.writeFileSync(path.join(tmp, path.basename(job.fileName)), job.text);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'check', '.', '--format', 'json', ...args], { cwd: tmp, encoding: 'utf8' });

  it('the CLI reports the same findings, in the same order, on one thread and on three', () => {
    const one = run('--jobs', '1');
    const three = run('--jobs', '3');
    assert.equal(one.status, 1, one.stderr);
    assert.equal(three.status, one.status, three.stderr);
    assert.equal(three.stdout, one.stdout);
    const rules = new Set((JSON.parse(one.stdout) as { findings: { rule: string }[] }).findings.map((f) => f.rule));
    for (const rule of ['require-concurrent-index-creation', 'syntax-error', 'unbatched-backfill'])
      assert.ok(rules.has(rule), `${rule} in ${[...rules].join(', ')}`);
  });

  it("a lint thread takes every job left in the queue and returns each file's findings", async () => {
    const alone = new Map(await lintOnThread(bin, { jobs, settings, next: new SharedArrayBuffer(4) }));
    assert.equal(alone.size, jobs.length);
    const sequential = await lintSqlFiles(jobs, settings, 1, undefined);
    assert.deepEqual(
      jobs.map((_, index) => alone.get(index)),
      sequential,
    );
  });

  it('a lint thread handed the compiled parser uses it and finds the same', async () => {
    // As check does: the launcher's compiled module (bin/rollout-guard.js) goes to every thread.
    const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => CompiledParser } }).WebAssembly;
    const parser = new wasm.Module(fs.readFileSync(path.join(repoRoot, 'dist/libpg-query.wasm')));
    const shared = new Map(await lintOnThread(bin, { jobs, settings, next: new SharedArrayBuffer(4), parser }));
    assert.equal(shared.size, jobs.length);
    assert.deepEqual(
      jobs.map((_, index) => shared.get(index)),
      await lintSqlFiles(jobs, settings, 1, undefined),
    );
    // Handed a module that is not the parser, the thread cannot start: it runs the module it is given.
    const empty = new wasm.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    assert.deepEqual(await lintOnThread(bin, { jobs, settings, next: new SharedArrayBuffer(4), parser: empty }), []);
  });

  it('a thread that fails loses nothing: its files are checked on the main thread', async () => {
    const failing = path.join(tmp, 'failing-worker.js');
    fs.writeFileSync(failing, "throw new Error('this thread fails at start');\n");
    assert.deepEqual(await lintSqlFiles(jobs, settings, 3, failing), await lintSqlFiles(jobs, settings, 1, undefined));
  });

  it('--jobs takes a whole number from 1', () => {
    for (const value of ['0', 'two', '1.5']) {
      const result = run('--jobs', value);
      assert.equal(result.status, 2);
      assert.match(result.stderr, /--jobs must be a whole number from 1/);
    }
  });
});
