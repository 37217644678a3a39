/**
 * An instrumented demo service for gate tests and the playground: one HTTP server per version
 * (like the pods of a stable and a canary Deployment), each exporting Prometheus text metrics
 *   http_requests_total{version,status}
 *   http_request_duration_seconds_bucket{version,le} (+ _sum, _count)
 * on /metrics, and a traffic generator that sends real requests split by weights (the role a
 * mesh's VirtualService plays). The metrics come only from requests the servers actually served.
 * Error rate and latency per version can be changed while it runs.
 * Free of test-framework imports.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VersionBehaviour {
  /** Fraction of requests answered 500, 0..1 (spread evenly: 0.1 is every tenth request). */
  errorRate: number;
  /** Time each request takes before it is answered, in milliseconds. */
  latencyMs: number;
}

/**
 * A code path behind a feature flag in one version: the share of requests that take the new path
 * (what the flag says now) and how each path answers. A path that rejects answers 500, as a
 * handler that throws does (the new path reading a column that is not there yet).
 */
export interface DemoFeature {
  /** Share of requests on the new path now, 0..1. */
  share(): number;
  /** The body of an answer on the new or the old path; rejects when the path fails. */
  answer(newPath: boolean): Promise<string>;
}

/** Histogram buckets, in seconds (the Prometheus client libraries' defaults). */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class VersionServer {
  behaviour: VersionBehaviour;
  feature: DemoFeature | undefined;
  served = 0;
  private errorBudget = 0;
  /** Spreads the new path evenly like the error budget: a share of 0.1 is every tenth request. */
  private featureBudget = 0;
  private readonly counts = new Map<string, number>();
  private readonly buckets = BUCKETS.map(() => 0);
  private durationSum = 0;
  private durationCount = 0;
  readonly server: http.Server;
  port = 0;

  constructor(
    readonly version: string,
    behaviour: VersionBehaviour,
  ) {
    this.behaviour = { ...behaviour };
    // Pre-initialised at zero, as client libraries do: a version with no traffic has series
    // whose rates are 0/0 = NaN, the case the gates must report as no-data.
    this.counts.set('200', 0);
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5_000;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(this.metrics());
      return;
    }
    const started = process.hrtime.bigint();
    this.errorBudget += this.behaviour.errorRate;
    const fail = this.errorBudget >= 1 - 1e-9;
    if (fail) this.errorBudget -= 1;
    const answer = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain', 'x-version': this.version });
      res.end(body);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.observe(String(status), seconds);
    };
    const respond = (): void => {
      if (fail) return answer(500, 'simulated failure\n');
      const feature = this.feature;
      if (!feature) return answer(200, `hello from ${this.version}\n`);
      this.featureBudget += Math.min(1, Math.max(0, feature.share()));
      const newPath = this.featureBudget >= 1 - 1e-9;
      if (newPath) this.featureBudget -= 1;
      feature.answer(newPath).then(
        (body) => answer(200, `hello from ${this.version}: ${body}\n`),
        (error: unknown) =>
          answer(500, `${this.version} failed on the ${newPath ? 'new' : 'old'} path: ${error instanceof Error ? error.message : String(error)}\n`),
      );
    };
    // The simulated processing time of this version (the service's behaviour, not a test wait).
    if (this.behaviour.latencyMs > 0) setTimeout(respond, this.behaviour.latencyMs);
    else respond();
  }

  private observe(status: string, seconds: number): void {
    this.served++;
    this.counts.set(status, (this.counts.get(status) ?? 0) + 1);
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.buckets[i]!++;
    });
    this.durationSum += seconds;
    this.durationCount++;
  }

  metrics(): string {
    const v = `version="${this.version}"`;
    const lines = ['# HELP http_requests_total Requests served, by version and status.', '# TYPE http_requests_total counter'];
    for (const [status, n] of this.counts) lines.push(`http_requests_total{${v},status="${status}"} ${n}`);
    lines.push('# HELP http_request_duration_seconds Time to answer a request.', '# TYPE http_request_duration_seconds histogram');
    BUCKETS.forEach((le, i) => lines.push(`http_request_duration_seconds_bucket{${v},le="${le}"} ${this.buckets[i]}`));
    lines.push(`http_request_duration_seconds_bucket{${v},le="+Inf"} ${this.durationCount}`);
    lines.push(`http_request_duration_seconds_sum{${v}} ${this.durationSum}`, `http_request_duration_seconds_count{${v}} ${this.durationCount}`);
    return lines.join('\n') + '\n';
  }
}

export interface DemoService {
  /** host:port of each version's server, for Prometheus scrape targets. */
  readonly targets: Record<string, string>;
  readonly versions: string[];
  /** Base URL of a version's server. */
  url(version: string): string;
  /** Changes how a version behaves from now on. */
  set(version: string, behaviour: Partial<VersionBehaviour>): void;
  /** Puts a code path behind a flag in a version (undefined takes it out). */
  setFeature(version: string, feature: DemoFeature | undefined): void;
  /** Requests a version has answered so far. */
  served(version: string): number;
  stop(): Promise<void>;
}

/** Starts one server per version on free loopback ports. */
export async function startDemoService(versions: Record<string, VersionBehaviour>): Promise<DemoService> {
  const servers = new Map(Object.entries(versions).map(([name, behaviour]) => [name, new VersionServer(name, behaviour)]));
  await Promise.all(
    [...servers.values()].map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.server.once('error', reject);
          s.server.listen(0, '127.0.0.1', () => {
            s.port = (s.server.address() as AddressInfo).port;
            resolve();
          });
        }),
    ),
  );
  const get = (version: string): VersionServer => {
    const s = servers.get(version);
    if (!s) throw new Error(`the demo service has no version "${version}" (it has ${[...servers.keys()].join(', ')})`);
    return s;
  };
  return {
    targets: Object.fromEntries([...servers].map(([name, s]) => [name, `127.0.0.1:${s.port}`])),
    versions: [...servers.keys()],
    url: (version) => `http://127.0.0.1:${get(version).port}`,
    set: (version, behaviour) => Object.assign(get(version).behaviour, behaviour),
    setFeature: (version, feature) => void (get(version).feature = feature),
    served: (version) => get(version).served,
    async stop() {
      await Promise.all(
        [...servers.values()].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.server.close(() => resolve());
              s.server.closeAllConnections();
            }),
        ),
      );
    },
  };
}

/** Weight per version (any scale; they need not sum to 100). */
export type Weights = Record<string, number>;

export interface TrafficGenerator {
  /** Route from now on by these weights (a VirtualService change). */
  setWeights(weights: Weights): void;
  readonly sent: Record<string, number>;
  /** Answers received by status code. */
  readonly answered: Record<string, number>;
  /** Stops sending and waits for requests in flight. */
  stop(): Promise<void>;
}

export interface TrafficOptions {
  /** Requests per second over all versions. */
  ratePerSecond: number;
  weights: Weights | (() => Weights | Promise<Weights>);
  /** How often `weights` (when a function) is read again, in ms (default 1000). */
  weightsRefreshMs?: number;
}

/**
 * Sends requests at a steady rate, each to one version chosen by smooth weighted round-robin
 * (so a 10 % canary gets exactly every tenth request, not about 10 %).
 */
export function startTraffic(service: DemoService, options: TrafficOptions): TrafficGenerator {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let weights: Weights = typeof options.weights === 'function' ? {} : { ...options.weights };
  const current = new Map<string, number>();
  const sent: Record<string, number> = {};
  const answered: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const startedAt = performance.now();
  let dispatched = 0;

  const pick = (): string | undefined => {
    let total = 0;
    let best: string | undefined;
    for (const [version, weight] of Object.entries(weights)) {
      if (!(weight > 0)) continue;
      total += weight;
      const value = (current.get(version) ?? 0) + weight;
      current.set(version, value);
      if (best === undefined || value > current.get(best)!) best = version;
    }
    if (best !== undefined) current.set(best, current.get(best)! - total);
    return best;
  };

  const send = (version: string): void => {
    sent[version] = (sent[version] ?? 0) + 1;
    const request = new Promise<void>((resolve) => {
      const req = http.get(`${service.url(version)}/`, { agent }, (res) => {
        answered[res.statusCode ?? 0] = (answered[res.statusCode ?? 0] ?? 0) + 1;
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.on('error', () => {
        answered.error = (answered.error ?? 0) + 1;
        resolve();
      });
    });
    inFlight.add(request);
    void request.then(() => inFlight.delete(request));
  };

  // Catch up on every request due since the start, so the rate holds under timer jitter.
  const pump = setInterval(() => {
    const due = Math.floor(((performance.now() - startedAt) / 1000) * options.ratePerSecond);
    for (; dispatched < due; dispatched++) {
      const version = pick();
      if (version !== undefined) send(version);
    }
  }, 10);

  let refresh: ReturnType<typeof setInterval> | undefined;
  if (typeof options.weights === 'function') {
    const source = options.weights;
    const read = async (): Promise<void> => {
      try {
        weights = { ...(await source()) };
      } catch {
        // Keep routing by the last weights read, as a mesh does when its control plane is away.
      }
    };
    void read();
    refresh = setInterval(() => void read(), options.weightsRefreshMs ?? 1000);
  }

  return {
    setWeights(next) {
      weights = { ...next };
      current.clear();
    },
    sent,
    answered,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(pump);
      if (refresh) clearInterval(refresh);
      await Promise.all(inFlight);
      agent.destroy();
    },
  };
}

/**
 * Routing weights of a VirtualService's http route, by subset (or host when there is none): the
 * `weights` source that makes the traffic generator follow the cluster, e.g.
 *   startTraffic(demo, { ratePerSecond: 50, weights: async () => weightsFromVirtualService(await readVs()) })
 */
export function weightsFromVirtualService(virtualService: unknown, routeIndex = 0): Weights {
  const http = (virtualService as { spec?: { http?: { route?: { destination?: { host?: string; subset?: string }; weight?: number }[] }[] } }).spec?.http;
  const route = http?.[routeIndex]?.route;
  if (!route) throw new Error(`the VirtualService has no http route ${routeIndex}`);
  const weights: Weights = {};
  for (const d of route) {
    const name = d.destination?.subset ?? d.destination?.host ?? '';
    weights[name] = (weights[name] ?? 0) + (d.weight ?? (route.length === 1 ? 100 : 0));
  }
  return weights;
}
