#!/usr/bin/env node
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
let stat;
try {
  stat = fs.statSync(cli);
} catch {
  process.stderr.write('rollout-guard: the CLI is not built yet. Run `npm run build` (npm ci does it) in ' + path.dirname(__dirname) + '\n');
  process.exit(2);
}

/**
 * dist/cli.js is compiled with V8's code cache kept between runs (Node 20 has no module compile
 * cache): compiling the 2 MB bundle is a third of a small check's time. The cache is per user; its
 * name says which installation, which build of it (V8 itself checks only the source's length) and
 * which Node it was made for.
 */
function cacheDirectory() {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'rollout-guard');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'rollout-guard');
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'rollout-guard');
}
const installation = crypto.createHash('sha256').update(cli).digest('hex').slice(0, 12);
const runtime = `${process.version}-${process.arch}`;
const cacheName = `cli-${installation}-${stat.size}-${Math.round(stat.mtimeMs)}-${runtime}.v8cache`;

/** Writes this run's code cache and removes the ones of earlier builds of this installation. */
function writeCache(directory, data) {
  fs.mkdirSync(directory, { recursive: true });
  const partial = path.join(directory, `${cacheName}.${process.pid}`);
  fs.writeFileSync(partial, data);
  fs.renameSync(partial, path.join(directory, cacheName));
  for (const name of fs.readdirSync(directory))
    if (name !== cacheName && name.startsWith(`cli-${installation}-`) && name.endsWith(`-${runtime}.v8cache`))
      fs.rmSync(path.join(directory, name), { force: true });
}

/**
 * The CLI runs its WebAssembly parser with the baseline compiler only. A check run is short: the
 * optimising compiler's background work on the 1.7 MB parser costs more CPU than its faster code
 * saves (pg-regress, 53,000 statements: about 10 % less wall time), and the process would wait for
 * it at exit (about 150 ms on every run). Set before the bundle is compiled: V8 accepts a code cache
 * only under the flags it was made with.
 */
v8.setFlagsFromString('--liftoff-only');
/**
 * For the same reason, JavaScript is optimised later than V8's default (about 8× the interrupt
 * budget): on pg-regress the default spends about 0.5 s of CPU optimising functions the run has
 * nearly finished with, and with `--jobs` every thread does so again. Measured on 2 cores: 1.54 →
 * 1.18 s with two threads, one small file unchanged.
 */
v8.setFlagsFromString('--interrupt-budget=540000');

const cacheDir = cacheDirectory();
let cachedData;
try {
  cachedData = fs.readFileSync(path.join(cacheDir, cacheName));
} catch {
  // None yet: this run makes it.
}
const script = new vm.Script(Module.wrap(fs.readFileSync(cli, 'utf8')), { filename: cli, cachedData });
if (!cachedData || script.cachedDataRejected) {
  // At exit the cache holds the functions this run compiled too, not only the top level.
  process.once('exit', () => {
    try {
      writeCache(cacheDir, script.createCachedData());
    } catch {
      // A read-only home: every run compiles, as without a cache.
    }
  });
}
const cliModule = new Module(cli);
cliModule.filename = cli;
cliModule.paths = Module._nodeModulePaths(path.dirname(cli));
script.runInThisContext()(cliModule.exports, Module.createRequire(cli), cliModule, cli, path.dirname(cli));
