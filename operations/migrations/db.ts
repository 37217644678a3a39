/**
 * A PostgreSQL connection for the migration runner: node-postgres behind a small typed
 * surface, connection failures turned into messages that name the server (never the
 * password), and cancellation of a running statement from a second connection.
 */
import os from 'node:os';
import pg, { type Client, type QueryResultRow } from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';

/** Where a connection goes, for messages. Never holds the password. */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** A bad --database-url: a usage error. */
export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

/** Could not connect, or lost the connection: names host, port and what failed. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
  constructor(
    readonly target: ConnectionTarget,
    readonly reason: string,
    readonly stage: 'connect' | 'lost',
  ) {
    super(
      stage === 'connect'
        ? `cannot connect to PostgreSQL at ${describeTarget(target)}: ${reason}`
        : `lost the connection to PostgreSQL at ${describeTarget(target)}: ${reason}`,
    );
  }
}

export function describeTarget(target: ConnectionTarget): string {
  return `${target.host}:${target.port} (database ${target.database}, user ${target.user})`;
}

/** Host, port, database and user of a postgres:// URL, with the same defaults as node-postgres. */
export function parseDatabaseUrl(url: string): ConnectionTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUrlError('the database URL is not a valid URL; expected postgres://user@host:port/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseUrlError(`the database URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  // Passwords stay out of URLs (SecretStorage, PGPASSWORD); a query password would also win over a stored one.
  if (parsed.searchParams.has('password'))
    throw new DatabaseUrlError(
      'the database URL sets ?password=: leave the password out of the URL (it is asked for and kept in SecretStorage, or taken from PGPASSWORD)',
    );
  if (parsed.searchParams.has('hostaddr'))
    throw new DatabaseUrlError('the database URL sets ?hostaddr=, which the PostgreSQL client used here does not support: name the host instead');
  // Where node-postgres will connect, read as it reads it: ?host=, ?port= and ?user= override the
  // URL's own, so messages and the stored password's key name the real target.
  let options: ReturnType<typeof parseConnectionString>;
  try {
    options = parseConnectionString(withExplicitSslMode(url));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const file = (error as { path?: string }).path;
    throw new DatabaseUrlError(
      code && file
        ? `the database URL names ${file}, which cannot be read (${code}) (sslrootcert, sslcert or sslkey)`
        : `the database URL cannot be read: ${(error as Error).message}`,
    );
  }
  const env = process.env;
  const user = options.user || env.PGUSER || env.USER || os.userInfo().username;
  const host = (options.host ?? '').replace(/^\[(.*)\]$/, '$1') || env.PGHOST || 'localhost';
  const port = Number(options.port || env.PGPORT || 5432);
  const database = options.database || env.PGDATABASE || user;
  return { host, port, database, user };
}

/**
 * node-postgres 8 treats sslmode prefer, require and verify-ca as verify-full, and prints a
 * multi-line warning saying so on every run. Writing verify-full, which is what it does, keeps
 * the connection exactly as secure and the output quiet.
 */
function withExplicitSslMode(url: string): string {
  try {
    const parsed = new URL(url);
    const mode = parsed.searchParams.get('sslmode');
    if (!mode || !['prefer', 'require', 'verify-ca'].includes(mode) || parsed.searchParams.has('uselibpqcompat')) return url;
    parsed.searchParams.set('sslmode', 'verify-full');
    return parsed.toString();
  } catch {
    return url;
  }
}

/** The SQLSTATE of a PostgreSQL error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return error instanceof pg.DatabaseError && typeof code === 'string' ? code : undefined;
}

/** PostgreSQL's message with its detail and hint. */
export function errorText(error: unknown): string {
  if (error instanceof pg.DatabaseError) {
    return [error.message, error.detail && `(${error.detail})`, error.hint && `Hint: ${error.hint}`].filter(Boolean).join(' ');
  }
  return error instanceof Error ? error.message : String(error);
}

/** Errors after which the connection is gone (socket errors, server shutdown, protocol errors). */
export function isConnectionLoss(error: unknown): boolean {
  const state = sqlState(error);
  if (state) return state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03';
  const message = error instanceof Error ? error.message : '';
  return (
    typeof (error as { code?: unknown } | undefined)?.code === 'string' ||
    /Connection terminated|Client has encountered a connection error|not queryable/i.test(message)
  );
}

export interface QueryRows<R> {
  rows: R[];
  rowCount: number;
}

export interface ConnectOptions {
  applicationName?: string;
  connectTimeoutMs?: number;
}

/** One session. Queries run one after another, as the runner needs them. */
export class Db {
  private lostReason: string | undefined;

  private constructor(
    private readonly client: Client,
    private readonly url: string,
    private readonly password: string,
    readonly target: ConnectionTarget,
    /** Backend process id of this session (pg_stat_activity.pid). */
    readonly pid: number,
  ) {
    client.on('error', (error) => {
      this.lostReason = this.scrub(error.message);
    });
  }

  static async connect(url: string, options: ConnectOptions = {}): Promise<Db> {
    const target = parseDatabaseUrl(url);
    const password = safeDecode(new URL(url).password);
    const client = new pg.Client({
      connectionString: withExplicitSslMode(url),
      application_name: options.applicationName ?? 'rollout-guard',
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      keepAlive: true,
    });
    // An error event before connect() settles must not crash the process.
    client.on('error', () => {});
    try {
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      return new Db(client, url, password, target, rows[0]!.pid);
    } catch (error) {
      await client.end().catch(() => {});
      throw new ConnectionError(target, scrubPassword(connectFailure(error, target, options.connectTimeoutMs ?? 10_000), password), 'connect');
    }
  }

  async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryRows<R>> {
    if (this.lostReason !== undefined) throw new ConnectionError(this.target, this.lostReason, 'lost');
    try {
      // Row types here are interfaces without an index signature, which QueryResultRow demands.
      const result = await this.client.query<R & QueryResultRow>(params ? { text: sql, values: params } : sql);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      if (isConnectionLoss(error)) throw new ConnectionError(this.target, this.scrub(errorText(error)), 'lost');
      throw error;
    }
  }

  /** Cancels the statement this session is running (from a second, short-lived session). */
  async cancelRunningStatement(): Promise<void> {
    const side = await Db.connect(this.url, { applicationName: 'rollout-guard cancel' });
    try {
      await side.query('SELECT pg_cancel_backend($1)', [this.pid]);
    } finally {
      await side.close();
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }

  private scrub(message: string): string {
    return scrubPassword(message, this.password);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function scrubPassword(message: string, password: string): string {
  return password ? message.split(password).join('***') : message;
}

/** What failed while connecting, in words. */
function connectFailure(error: unknown, target: ConnectionTarget, timeoutMs: number): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = errorText(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is PostgreSQL running and listening on that host and port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${target.host} not found`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable (${code})`;
    case 'ECONNRESET':
      return 'the server closed the connection while connecting';
    case '28P01':
      return `password authentication failed for user ${target.user}`;
    case '28000':
      return `the server does not allow user ${target.user} to connect (${message})`;
    case '3D000':
      return `database ${target.database} does not exist`;
    case '57P03':
      return 'the server is starting up or shutting down';
  }
  // node-postgres' words when the server asks for a password and the URL (and PGPASSWORD) gave none.
  if (/client password must be a string/.test(message)) return `the server asks for a password for user ${target.user} and none was given`;
  if (/timeout/i.test(message)) return `no answer within ${Math.round(timeoutMs / 1000)} s (connection timeout)`;
  return message;
}
