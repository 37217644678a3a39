/**
 * Where the migration runner connects: the database URL from the editor setting, the
 * `database:` section of .rollout-guard.yaml or the environment, and the password kept
 * apart from it (VS Code's SecretStorage, merged in only when a run starts). vscode-free:
 * the CLI reads the same configuration.
 */
import type { ConfigFile } from '../../server/src/engine/config';
import { DatabaseUrlError, parseDatabaseUrl } from './db';
import { hideUserInfo } from '../redact';

/** `database.url` of a configuration file, or undefined when it has none. Throws ConfigError at its line when the URL is not one. */
export function databaseUrlFromConfig(config: ConfigFile): string | undefined {
  const url = config.sections.database?.url;
  if (!url) return undefined;
  try {
    parseDatabaseUrl(url);
  } catch (error) {
    if (error instanceof DatabaseUrlError) throw config.errorAt(['database', 'url'], `database.url: ${error.message}`);
    throw error;
  }
  return url;
}

export type DatabaseUrlSource = 'local' | 'flag' | 'setting' | 'config' | 'env';

export interface ResolvedDatabaseUrl {
  url: string;
  source: DatabaseUrlSource;
  /** For messages: where the URL came from. */
  origin: string;
}

export interface DatabaseUrlCandidates {
  /** The local PostgreSQL started in this editor session. */
  local?: string;
  flag?: string;
  setting?: string;
  /** `database.url` of the configuration file, and the file's name. */
  config?: { url: string; file: string };
  env?: NodeJS.ProcessEnv;
}

/**
 * The URL to use, first found wins: this session's local PostgreSQL, --database-url, the
 * editor setting, ROLLOUT_GUARD_DATABASE_URL / DATABASE_URL (CLI), the configuration file.
 * The editor passes no environment, the CLI no setting (see their docs).
 */
export function resolveDatabaseUrl(candidates: DatabaseUrlCandidates): ResolvedDatabaseUrl | undefined {
  const env = candidates.env ?? {};
  if (candidates.local) return { url: candidates.local, source: 'local', origin: 'the local PostgreSQL started in this window' };
  if (candidates.flag) return { url: candidates.flag, source: 'flag', origin: '--database-url' };
  if (candidates.setting) return { url: candidates.setting, source: 'setting', origin: 'setting rolloutGuard.migrations.databaseUrl' };
  for (const name of ['ROLLOUT_GUARD_DATABASE_URL', 'DATABASE_URL']) {
    const value = env[name];
    if (value) return { url: value, source: 'env', origin: `environment variable ${name}` };
  }
  if (candidates.config) return { url: candidates.config.url, source: 'config', origin: `database.url in ${candidates.config.file}` };
  return undefined;
}

/** The password written in a URL ('' when none). */
export function passwordIn(url: string): string {
  try {
    const password = new URL(url).password;
    try {
      return decodeURIComponent(password);
    } catch {
      return password;
    }
  } catch {
    return '';
  }
}

/**
 * The key a stored password is filed under: user, host, port and database (with the same
 * defaults the runner applies), so one password serves every URL naming that login.
 */
export function secretKeyFor(url: string): string {
  const target = parseDatabaseUrl(url);
  return `rolloutGuard.databasePassword:${target.user}@${target.host}:${target.port}/${target.database}`;
}

/** The URL with `password` in it, replacing any password it had; unchanged when password is empty. */
export function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  const parsed = new URL(url);
  if (!parsed.username) throw new DatabaseUrlError('the database URL names no user; write postgres://user@host:port/database to use a stored password');
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** The URL for messages and logs: its password replaced by ***. Unparsable text is hidden after the scheme. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return hideUserInfo(url);
  }
  if (!parsed.password) return url;
  parsed.password = '***';
  return parsed.toString().replace('%2A%2A%2A', '***');
}

/** `text` with every given secret (and its URL-encoded form) replaced by ***. */
export function scrubSecrets(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out;
}
