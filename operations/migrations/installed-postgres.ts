/**
 * A throwaway PostgreSQL from binaries installed on the machine (Debian's postgresql-15, PGDG's
 * on RHEL, Homebrew's postgresql@15): found by major version, initdb'd in a folder the caller
 * owns, started on a free loopback port. `trace --pg-version` measures on it, and the tests
 * compare measured locks across majors with it. vscode-free.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalPostgresError } from './local-postgres';
import { freePort } from '../net';

/** PostgreSQL of the wanted major is not installed here; the message says what to install. */
export class PostgresNotInstalled extends Error {
  override name = 'PostgresNotInstalled';
}

/** The major of the `postgres` binary in `binDir` (`postgres (PostgreSQL) 15.18 (Debian …)` → 15), or undefined. */
function majorOf(binDir: string): number | undefined {
  const postgres = path.join(binDir, 'postgres');
  if (!fs.existsSync(postgres)) return undefined;
  const version = /\(PostgreSQL\) (\d+)/.exec(spawnSync(postgres, ['--version'], { encoding: 'utf8' }).stdout ?? '');
  return version ? Number(version[1]) : undefined;
}

/** Where packages put PostgreSQL `major`'s binaries: Debian/Ubuntu, RHEL (PGDG), Homebrew on Apple silicon and on Intel. */
function packagedBinDirs(major: number): string[] {
  return [`/usr/lib/postgresql/${major}/bin`, `/usr/pgsql-${major}/bin`, `/opt/homebrew/opt/postgresql@${major}/bin`, `/usr/local/opt/postgresql@${major}/bin`];
}

/** The command that installs PostgreSQL `major` on this system. */
function installHint(major: number): string {
  if (os.platform() === 'darwin') return `brew install postgresql@${major}`;
  if (fs.existsSync('/etc/redhat-release')) return `sudo dnf install postgresql${major}-server`;
  return `sudo apt-get install postgresql-${major}`;
}

/** The folder of PostgreSQL `major`'s binaries on this machine (packaged places, then `pg_config --bindir`); throws PostgresNotInstalled. */
export function installedPostgresBinDir(major: number): string {
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidates = [...packagedBinDirs(major), ...(pgConfig.status === 0 ? [pgConfig.stdout.trim()] : [])];
  const found = candidates.find((binDir) => majorOf(binDir) === major);
  if (!found) throw new PostgresNotInstalled(`PostgreSQL ${major} is not installed here: ${installHint(major)}`);
  return found;
}

/** The uid and gid of the postgres user (the packages create it): PostgreSQL refuses to run as root. */
export function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0)
    throw new LocalPostgresError('PostgreSQL refuses to run as root, and there is no postgres user to run it as: sudo adduser --system --group postgres');
  return { uid, gid };
}

export interface InstalledPostgresOptions {
  binDir: string;
  /** An empty folder the caller owns and removes after stop(): the cluster and its socket go there. */
  dir: string;
  /** More server settings (`-c name=value` pairs). */
  flags?: string[];
}

export interface InstalledPostgres {
  /** postgres://postgres:…@127.0.0.1:port/postgres, password included: never show it, use redactUrl. */
  url: string;
  port: number;
  password: string;
  stop(): Promise<void>;
}

/**
 * initdb a cluster in `dir` and start it, as the `postgres` user when this process is root (spawned
 * with its uid: signals reach PostgreSQL itself). Ready when its log says so, not after a delay.
 */
export async function startInstalledPostgres(options: InstalledPostgresOptions): Promise<InstalledPostgres> {
  const { binDir, dir } = options;
  const user = process.getuid?.() === 0 ? postgresUser() : undefined;
  const password = randomBytes(12).toString('hex');
  fs.mkdirSync(dir, { recursive: true });
  const passwordFile = path.join(dir, 'password');
  fs.writeFileSync(passwordFile, password, { mode: 0o600 });
  if (user) {
    fs.chownSync(dir, user.uid, user.gid);
    fs.chownSync(passwordFile, user.uid, user.gid);
  }
  const data = path.join(dir, 'data');
  const initArgs = ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C'];
  const init = spawnSync(path.join(binDir, 'initdb'), initArgs, { encoding: 'utf8', cwd: dir, uid: user?.uid, gid: user?.gid });
  if (init.status !== 0) throw new LocalPostgresError(`initdb (${binDir}) failed: ${init.stderr || init.stdout || init.error?.message}`);
  let lastError: unknown;
  // The free port can be taken between the probe and PostgreSQL's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      path.join(binDir, 'postgres'),
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', ...(options.flags ?? [])],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        cwd: dir,
        uid: user?.uid,
        gid: user?.gid,
      },
    );
    let log = '';
    const ready = await new Promise<boolean>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        log += String(chunk);
        if (/ready to accept connections/.test(log)) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    if (!ready) {
      lastError = new LocalPostgresError(`PostgreSQL (${binDir}) did not start on 127.0.0.1:${port}:\n${log.slice(-2000)}`);
      continue;
    }
    const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    // A process that dies does not leave its PostgreSQL behind (immediate shutdown).
    const stopOnExit = (): boolean => child.kill('SIGQUIT');
    process.once('exit', stopOnExit);
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      port,
      password,
      async stop() {
        process.removeListener('exit', stopOnExit);
        child.kill('SIGINT'); // fast shutdown
        await exited;
      },
    };
  }
  throw lastError;
}
