// `npm start`: the playground. The real VS Code (code-server) with the packaged extension on a demo
// workspace whose migrations and manifests have realistic problems, plus the live parts
// (playground/rig.ts): a Kubernetes API stand-in with a checkout canary, a demo service taking
// traffic by the live VirtualService weights, a real Prometheus scraping it, an embedded
// PostgreSQL with a demo orders table, Unleash with the flag the canary reads. Prints one URL;
// Ctrl-C stops it all.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline/promises';
import { cleanNpmEnv, codeServerBin, node24Bin, root, runStep, setup } from './setup.mjs';

const vsix = path.join(root, 'dist/rollout-guard.vsix');

/** Newest modification time of the files under `dirs` (folders walked, files taken as they are). */
function newestSource(...dirs) {
  const newest = (p) => {
    const stat = fs.statSync(p);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return fs.readdirSync(p).reduce((max, name) => Math.max(max, newest(path.join(p, name))), 0);
  };
  return Math.max(...dirs.map((d) => newest(path.join(root, d))));
}

function isOlderThan(file, sourcesMtime) {
  return !fs.existsSync(file) || fs.statSync(file).mtimeMs < sourcesMtime;
}

function freePort(preferred) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(freePort(0)));
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

try {
  await setup('start');
  // The VSIX and the rig's bundle, rebuilt only when a source is newer.
  const sources = newestSource('client', 'operations', 'server/src', 'cli/src', 'syntaxes', 'media', 'package.json', 'scripts/build.mjs');
  if (isOlderThan(vsix, sources)) await runStep('Packaging the extension (production build and vsce)', 'npm', ['run', 'package'], { env: cleanNpmEnv() });
  if (isOlderThan(path.join(root, 'out/playground/rig.js'), Math.max(sources, newestSource('playground', 'simulators'))))
    await runStep('Building the playground', process.execPath, ['scripts/build.mjs', 'playground']);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
// Another home (the smoke test's) leaves a running playground's files alone.
const home = process.env.ROLLOUT_GUARD_PLAYGROUND_HOME ?? path.join(root, '.cache/playground');
const workspace = path.join(home, 'workspace');
// A fresh copy each time: the demo's problems are back, and the repository stays untouched.
fs.rmSync(workspace, { recursive: true, force: true });
fs.cpSync(path.join(root, 'playground/workspace'), workspace, { recursive: true });
const userData = path.join(home, 'user');
fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
fs.writeFileSync(
  path.join(userData, 'User/settings.json'),
  JSON.stringify(
    {
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
    },
    null,
    2,
  ),
);
console.log('Starting the cluster stand-in, the demo service, Prometheus, PostgreSQL and Unleash…');
const { startRig } = createRequire(import.meta.url)(path.join(root, 'out/playground/rig.js'));
const rig = await startRig({ workspace, stateDir: path.join(home, 'state'), log: (line) => console.log(`  ${line}`) });
// The flag service's token for the editor and its terminal (the CLI reads it from there too).
const env = { ...cleanNpmEnv(node24Bin), ROLLOUT_GUARD_FLAGS_TOKEN: rig.unleash.adminToken };
const extensions = path.join(home, 'extensions');
const install = spawnSync(codeServerBin, ['--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', vsix, '--force'], {
  env,
  encoding: 'utf8',
});
if (install.status !== 0) {
  console.error(install.stderr || install.stdout);
  process.exit(1);
}
const port = await freePort(Number(process.env.PORT) || 8080);
const child = spawn(
  codeServerBin,
  [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--extensions-dir',
    extensions,
    '--user-data-dir',
    userData,
    '--disable-telemetry',
    '--disable-update-check',
    // A reloaded page gets a new extension host: the old one ends after 30 s, not 3 hours.
    '--reconnection-grace-time',
    '30',
    workspace,
  ],
  { env, stdio: ['ignore', 'pipe', 'pipe'] },
);
let announced = false;
const help = `Break the canary: type "errors 0.2" (20 % errors) or "latency 800" (ms); "heal" restores it; "weight" shows its traffic share.`;
const watch = (data) => {
  if (!announced && /HTTP server listening/.test(String(data))) {
    announced = true;
    console.log(`\nRollout Guard playground: http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}\n${help}\nPress Ctrl-C to stop.`);
  }
};
child.stdout.on('data', watch);
child.stderr.on('data', watch);
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('Stopping…');
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const deadline = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(deadline);
  }
  await rig.stop();
  process.exit(code);
}
child.on('exit', (code) => void stop(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stop(0));
if (process.stdin.isTTY) {
  const commands = readline.createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    const [word, value] = line.trim().split(/\s+/);
    if (word === 'errors' && Number(value) >= 0 && Number(value) <= 1) rig.setCanary({ errorRate: Number(value) });
    else if (word === 'latency' && Number(value) >= 0) rig.setCanary({ latencyMs: Number(value) });
    else if (word === 'heal') rig.setCanary({ errorRate: 0, latencyMs: 30 });
    else if (word !== 'weight') return console.log(help);
    console.log(`canary v2: ${rig.canaryWeight()} % of traffic`);
  });
}
