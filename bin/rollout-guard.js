#!/usr/bin/env node
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('rollout-guard: the CLI is not built yet. Run `npm run build` (npm ci does it) in ' + path.dirname(__dirname) + '\n');
  process.exit(2);
}

/**
 * The bundles in dist/ (cli.js, and the command bundles it requires: cli-operations.js,
 * cli-flags.js) are compiled with V8's code cache kept between runs (Node 20 has no module compile
 * cache): compiling the 2 MB CLI bundle is a third of a small check's time, and the 7 MB operations
 * bundle costs every `canary`, `gate` or `migrate` step 0.1 s. The cache is per user; a file's
 * name says which bundle of which installation, which build of it (V8 itself checks only the
 * source's length) and which Node it was made for.
 */
function cacheDirectory() {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'rollout-guard');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'rollout-guard');
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'rollout-guard');
}
const cacheDir = cacheDirectory();
const runtime = `${process.version}-${process.arch}`;

/** Writes a bundle's code cache and removes the ones of its earlier builds. */
function writeCache(prefix, name, data) {
  fs.mkdirSync(cacheDir, { recursive: true });
  const partial = path.join(cacheDir, `${name}.${process.pid}`);
  fs.writeFileSync(partial, data);
  fs.renameSync(partial, path.join(cacheDir, name));
  for (const other of fs.readdirSync(cacheDir))
    if (other !== name && other.startsWith(prefix) && other.endsWith(`-${runtime}.v8cache`)) fs.rmSync(path.join(cacheDir, other), { force: true });
}

/**
 * Which installation a bundle belongs to: a 53-bit hash of its path (node:crypto would cost a small
 * check a few milliseconds to load).
 */
function installationKey(file) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < file.length; i++) {
    const c = file.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/**
 * Runs a bundle as `module`, compiled with its code cache (made at exit when there is none yet).
 * The cache holds the functions the run that made it compiled: `check` keeps its own, or a first
 * `--help` would leave every later check compiling the linter again (15 ms of a small check).
 */
function runCached(module, file) {
  const stat = fs.statSync(file);
  // (check's lint threads start this script with --sql-lint-worker: they run the linter too.)
  const command = file === cli && ['check', '--sql-lint-worker'].includes(process.argv[2]) ? '-check' : '';
  const prefix = `${path.basename(file, '.js')}${command}-${installationKey(file)}-`;
  const name = `${prefix}${stat.size}-${Math.round(stat.mtimeMs)}-${runtime}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(path.join(cacheDir, name));
  } catch {
    // None yet: this run makes it.
  }
  // No import() in the bundles: a script restored from a code cache has lost Node's import() loader (local-postgres.ts).
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    // At exit the cache holds the functions this run compiled too, not only the top level.
    process.once('exit', () => {
      try {
        writeCache(prefix, name, script.createCachedData());
      } catch {
        // A read-only home: every run compiles, as without a cache.
      }
    });
  }
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, path.dirname(file));
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

/**
 * `check` parses SQL: its WebAssembly parser starts compiling here, on V8's background threads,
 * while the bundle loads. The bundle takes the module from this global (pg-query.ts) and hands it
 * to its lint threads, which then share its code instead of each compiling their own.
 */
if (process.argv[2] === 'check') {
  try {
    const compiling = WebAssembly.compile(fs.readFileSync(path.join(path.dirname(cli), 'libpg-query.wasm')));
    compiling.catch(() => {}); // the bundle's loader then tries itself, and reports the problem
    globalThis[Symbol.for('rollout-guard.pg-query.wasm')] = compiling;
  } catch {
    // Unreadable: the bundle's loader reports it.
  }
}

// The command bundles cli.js requires from dist/ go through the code cache too.
const dist = path.dirname(cli);
const compileJs = Module._extensions['.js'];
Module._extensions['.js'] = (module, file) => (path.dirname(file) === dist ? runCached(module, file) : compileJs(module, file));

const cliModule = new Module(cli);
cliModule.filename = cli;
cliModule.paths = Module._nodeModulePaths(dist);
runCached(cliModule, cli);
