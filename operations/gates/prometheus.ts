/**
 * A small Prometheus HTTP API client (instant and range queries) over fetch. Every failure
 * is a PrometheusError whose message names what failed: the server could not be reached,
 * did not answer in time, answered with an HTTP error, or rejected the query. Credentials in
 * the URL travel as an Authorization header and never appear in messages.
 */
import { hideUserInfo } from '../redact';

export type PrometheusFailure = 'unreachable' | 'timeout' | 'http' | 'bad-query' | 'bad-response';

export class PrometheusError extends Error {
  override name = 'PrometheusError';
  constructor(
    message: string,
    readonly kind: PrometheusFailure,
  ) {
    super(message);
  }
}

/**
 * One series of an instant vector: its labels and value. The value is null unless the API sent
 * a finite decimal number (see parseSampleValue); `raw` is what it sent, for messages.
 */
export interface Sample {
  labels: Record<string, string>;
  value: number | null;
  raw: unknown;
}

/** One series of a range matrix: [unix seconds, value] pairs, null where the value is not a finite number. */
export interface Series {
  labels: Record<string, string>;
  points: [number, number | null][];
}

export interface PrometheusOptions {
  /** Per-request timeout, also sent to Prometheus as the query timeout (default 10 s). */
  timeoutMs?: number;
  /** Extra headers, e.g. a bearer token for a managed Prometheus. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

interface ApiResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

export class PrometheusClient {
  /** The URL as shown in messages: no user name or password. */
  readonly displayUrl: string;
  private readonly base: URL;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(url: string, options: PrometheusOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PrometheusError(`the Prometheus URL "${displayPrometheusUrl(url)}" is not a valid URL (expected e.g. http://prometheus:9090)`, 'bad-query');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new PrometheusError(`the Prometheus URL must start with http:// or https://, got "${displayPrometheusUrl(url)}"`, 'bad-query');
    this.headers = { accept: 'application/json', ...options.headers };
    if (parsed.username || parsed.password) {
      const user = decodeURIComponent(parsed.username);
      const password = decodeURIComponent(parsed.password);
      this.headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      parsed.username = '';
      parsed.password = '';
    }
    // An '@' left in the path, query or fragment is a password the URL parser did not take as one
    // (it held a '/', '?' or '#'): the request would go to another host, with the rest in its path.
    if (parsed.href.includes('@'))
      throw new PrometheusError(
        `the Prometheus URL "${displayPrometheusUrl(url)}" has an '@' outside its user information: percent-encode the password's special characters (/ as %2F, ? as %3F, # as %23, @ as %40)`,
        'bad-query',
      );
    if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
    this.base = parsed;
    this.displayUrl = parsed.href.replace(/\/$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetch = options.fetch ?? fetch;
  }

  /** Instant query at `time` (default: now). */
  async query(query: string, time?: Date): Promise<Sample[]> {
    const params: Record<string, string> = { query };
    if (time) params.time = String(time.getTime() / 1000);
    const data = await this.call('api/v1/query', params);
    if (data.resultType === 'scalar') return [{ labels: {}, ...this.sampleOf(data.result) }];
    if (data.resultType !== 'vector' || !Array.isArray(data.result))
      throw this.malformed(`an instant query returned ${describeResult(data)}, expected an instant vector`);
    return data.result.map((r: unknown) => {
      if (!isObject(r)) throw this.malformed(`an instant vector holds ${describeValue(r)}, expected a series`);
      return { labels: labelsOf(r.metric), ...this.sampleOf(r.value) };
    });
  }

  /** Range query from `start` to `end` every `stepSeconds`. */
  async queryRange(query: string, start: Date, end: Date, stepSeconds: number): Promise<Series[]> {
    const data = await this.call('api/v1/query_range', {
      query,
      start: String(start.getTime() / 1000),
      end: String(end.getTime() / 1000),
      step: String(stepSeconds),
    });
    if (data.resultType !== 'matrix' || !Array.isArray(data.result)) throw this.malformed(`a range query returned ${describeResult(data)}, expected a matrix`);
    return data.result.map((r: unknown) => {
      if (!isObject(r) || !Array.isArray(r.values)) throw this.malformed(`a matrix holds ${describeValue(r)}, expected a series with values`);
      const points = r.values.map((pair: unknown): [number, number | null] => {
        const { time, raw } = this.pairOf(pair);
        return [time, parseSampleValue(raw)];
      });
      return { labels: labelsOf(r.metric), points };
    });
  }

  /** A [unix seconds, "value"] pair as the API writes it. */
  private pairOf(pair: unknown): { time: number; raw: unknown } {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number' || !Number.isFinite(pair[0]))
      throw this.malformed(`a sample is ${describeValue(pair)}, expected [unix time, "value"]`);
    return { time: pair[0], raw: pair[1] };
  }

  private sampleOf(pair: unknown): { value: number | null; raw: unknown } {
    const { raw } = this.pairOf(pair);
    return { value: parseSampleValue(raw), raw };
  }

  private malformed(what: string): PrometheusError {
    return new PrometheusError(`${this.displayUrl} did not answer like the Prometheus API: ${what}`, 'bad-response');
  }

  private async call(path: string, params: Record<string, string>): Promise<{ resultType?: string; result?: unknown }> {
    const url = new URL(path, this.base);
    const body = new URLSearchParams({ ...params, timeout: `${Math.max(1, Math.floor(this.timeoutMs / 1000))}s` });
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw this.transportError(error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw this.transportError(error);
    }
    let json: ApiResponse | undefined;
    try {
      json = JSON.parse(text) as ApiResponse;
    } catch {
      json = undefined;
    }
    if (json?.status === 'error') {
      const kind = json.errorType === 'bad_data' ? 'bad-query' : response.ok ? 'bad-response' : 'http';
      const what = kind === 'bad-query' ? 'rejected the query' : `answered HTTP ${response.status}`;
      throw new PrometheusError(`Prometheus at ${this.displayUrl} ${what}: ${json.error ?? json.errorType ?? 'no reason given'}`, kind);
    }
    if (!response.ok) {
      const hint =
        response.status === 401 || response.status === 403 ? ' (check the credentials)' : response.status === 404 ? ' (is this the Prometheus base URL?)' : '';
      throw new PrometheusError(`Prometheus at ${this.displayUrl} answered HTTP ${response.status} ${response.statusText}${hint}`, 'http');
    }
    if (!json || json.status !== 'success' || !json.data)
      throw new PrometheusError(
        `${this.displayUrl} did not answer like the Prometheus API (no JSON "status": "success"); is this the Prometheus base URL?`,
        'bad-response',
      );
    return json.data;
  }

  private transportError(error: unknown): PrometheusError {
    const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      return new PrometheusError(`Prometheus at ${this.displayUrl} did not answer within ${this.timeoutMs / 1000} s`, 'timeout');
    const reason = e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
    return new PrometheusError(`Prometheus at ${this.displayUrl} is unreachable (${reason})`, 'unreachable');
  }
}

/** A finite decimal number as the Prometheus API writes one: "0.0123", "-2", "1e-3", "1.5E+06". */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A sample value, or null when it is not data. Prometheus sends values as strings; only a finite
 * decimal number is data. "NaN" (0/0: nothing served), "+Inf", "-Inf", "", " ", "0x0", a JSON
 * number or anything else is no data, and no data never passes a gate.
 */
export function parseSampleValue(raw: unknown): number | null {
  if (typeof raw !== 'string' || raw.length > 64 || !DECIMAL.test(raw)) return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function labelsOf(metric: unknown): Record<string, string> {
  if (!isObject(metric)) return {};
  return Object.fromEntries(Object.entries(metric).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** A short description of an unexpected JSON value, for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function describeResult(data: { resultType?: unknown; result?: unknown }): string {
  return typeof data.resultType === 'string' ? `a ${data.resultType} result (${describeValue(data.result)})` : `no result type (${describeValue(data.result)})`;
}

/** A Prometheus URL as the user wrote it, fit to show: no user information. */
export function displayPrometheusUrl(text: string): string {
  return hideUserInfo(text).replace(/\/$/, '');
}

/**
 * Where a Prometheus bearer token is kept in SecretStorage: one per origin (scheme, host and
 * port), so a token is only ever sent to the server it was stored for, whatever URL a workspace
 * names later. Undefined when the URL does not parse.
 */
export function prometheusTokenKey(url: string): string | undefined {
  try {
    return `rolloutGuard.prometheus.token:${new URL(url).origin}`;
  } catch {
    return undefined;
  }
}
