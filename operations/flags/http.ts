/**
 * One request to a flag service's REST API, as every provider makes it: the token in the
 * Authorization header, a timeout, JSON in and out, and each failure a FlagServiceError whose
 * message names the service (its URL without credentials) and never the token.
 */
import { hideUserInfo } from '../redact';
import { FlagServiceError } from './provider';

/** A request that gets no answer fails after this long, like the cluster's (--request-timeout). */
export const DEFAULT_FLAG_REQUEST_TIMEOUT_MS = 30_000;

export interface FlagApiOptions {
  /** The API base URL. */
  url: string;
  token: string;
  timeoutMs?: number;
  /** Names the API in messages about answers that are not its own: "the Unleash Admin API". */
  apiName: string;
  /** Said after a 404 without a reason of the service's own: what the URL should be. */
  urlHint: string;
}

/** The error a request is ended with when no answer came in time. */
const TIMED_OUT = new Error('timed out');

export class FlagApi {
  readonly displayUrl: string;
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: FlagApiOptions) {
    this.displayUrl = hideUserInfo(options.url).replace(/\/+$/, '');
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new FlagServiceError('unreachable', `the flag service URL "${this.displayUrl}" is not a valid URL (expected e.g. ${options.urlHint})`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new FlagServiceError('unreachable', `the flag service URL must start with http:// or https://, got "${this.displayUrl}"`);
    // The token is the one credential: a user name or password in the URL would be a second one.
    if (parsed.username || parsed.password)
      throw new FlagServiceError('unreachable', `the flag service URL "${this.displayUrl}" must not hold a user name or password`);
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_FLAG_REQUEST_TIMEOUT_MS;
  }

  /** The answer's JSON (undefined for an empty body). `contentType` defaults to JSON when there is a body. */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
    let response: { status: number; ok: boolean };
    let text: string;
    try {
      ({ response, text } = await this.send(method, `${this.base}/${path}`, body === undefined ? undefined : JSON.stringify(body), contentType));
    } catch (error) {
      if (error === TIMED_OUT)
        throw new FlagServiceError('unreachable', `the flag service at ${this.displayUrl} did not answer within ${this.timeoutMs / 1000} s`);
      const e = error as NodeJS.ErrnoException;
      throw new FlagServiceError('unreachable', `the flag service at ${this.displayUrl} is unreachable (${e.code ?? e.message ?? String(error)})`);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
      if (response.ok) throw this.malformed(`${method} ${path} answered something other than JSON`);
    }
    if (response.ok) return json;
    const reason = typeof (json as { message?: unknown })?.message === 'string' ? (json as { message: string }).message : undefined;
    const status = `HTTP ${response.status}${reason ? `: ${reason}` : ''}`;
    if (response.status === 401) throw new FlagServiceError('unauthorized', `the flag service at ${this.displayUrl} rejected the token (HTTP 401)`);
    if (response.status === 403)
      throw new FlagServiceError('unauthorized', `the flag service at ${this.displayUrl} refused the token this request (${status})`);
    if (response.status === 404)
      throw new FlagServiceError(
        'not-found',
        reason && !/path you were looking for|^Unknown resource$/.test(reason)
          ? `the flag service at ${this.displayUrl}: ${reason}`
          : `the flag service at ${this.displayUrl} has no ${path.replace(/\?.*$/, '')} (${status}); is the URL ${this.options.urlHint}?`,
      );
    if (response.status === 400 || response.status === 409)
      throw new FlagServiceError('refused', `the flag service at ${this.displayUrl} refused the change (${status})`);
    throw new FlagServiceError('server', `the flag service at ${this.displayUrl} failed (${status}); try again later`);
  }

  /**
   * One HTTP exchange through node:http(s): `check` reads a flag service once per run, and the
   * first fetch() of a process loads its HTTP client (about 45 ms; node:http, about 10).
   */
  private send(
    method: string,
    url: string,
    body: string | undefined,
    contentType: string,
  ): Promise<{ response: { status: number; ok: boolean }; text: string }> {
    const headers: Record<string, string> = { authorization: this.options.token, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = contentType;
    const transport = process.getBuiltinModule(url.startsWith('https:') ? 'node:https' : 'node:http');
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { method, headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', reject);
        answer.on('end', () => {
          clearTimeout(timer);
          const status = answer.statusCode ?? 0;
          resolve({ response: { status, ok: status >= 200 && status < 300 }, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      const timer = setTimeout(() => request.destroy(TIMED_OUT), this.timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(body);
    });
  }

  malformed(what: string): FlagServiceError {
    return new FlagServiceError('server', `the flag service at ${this.displayUrl} did not answer like ${this.options.apiName}: ${what}`);
  }
}
