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
    // The token is the one credential; fetch refuses URLs with user information anyway.
    if (parsed.username || parsed.password)
      throw new FlagServiceError('unreachable', `the flag service URL "${this.displayUrl}" must not hold a user name or password`);
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_FLAG_REQUEST_TIMEOUT_MS;
  }

  /** The answer's JSON (undefined for an empty body). `contentType` defaults to JSON when there is a body. */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.base}/${path}`, {
        method,
        headers: {
          authorization: this.options.token,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': contentType }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        throw new FlagServiceError('unreachable', `the flag service at ${this.displayUrl} did not answer within ${this.timeoutMs / 1000} s`);
      throw new FlagServiceError(
        'unreachable',
        `the flag service at ${this.displayUrl} is unreachable (${e.cause?.code ?? e.cause?.message ?? e.message ?? String(error)})`,
      );
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

  malformed(what: string): FlagServiceError {
    return new FlagServiceError('server', `the flag service at ${this.displayUrl} did not answer like ${this.options.apiName}: ${what}`);
  }
}
