/**
 * A real Prometheus for tests: Debian's /usr/bin/prometheus on a free loopback port, with a
 * generated configuration (1 s scrapes) and a temporary storage folder. Readiness and the
 * first scrapes are awaited by polling the HTTP API with a deadline. One per test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../operations/net';
import { temporaryDirectory } from './temp';

export { freePort };

export const PROMETHEUS_BINARY = process.env.ROLLOUT_GUARD_PROMETHEUS_BINARY ?? '/usr/bin/prometheus';

export interface TestPrometheus {
  readonly url: string;
  readonly port: number;
  /** Polls an instant query until `accept` returns true for its samples; throws after `timeoutMs` with the last result. */
  waitFor(query: string, accept: (values: number[]) => boolean, timeoutMs?: number): Promise<number[]>;
  stop(): Promise<void>;
}

export interface PrometheusStartOptions {
  /** host:port scrape targets, each its own job named by its key. */
  targets: Record<string, string>;
  /** Deadline for start-up and the first scrape of every target (default 30 s). */
  timeoutMs?: number;
  /** The prometheus executable (default /usr/bin/prometheus, or ROLLOUT_GUARD_PROMETHEUS_BINARY). */
  binary?: string;
}

/** Resolves after `ms`: the pause between two polls of a condition (never a wait for a result). */
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `attempt` until it returns a value other than undefined, or throws with `describe()` after the deadline. */
export async function pollUntil<T>(attempt: () => Promise<T | undefined>, timeoutMs: number, describe: () => string, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await pause(everyMs);
  }
}

export async function startPrometheus(options: PrometheusStartOptions): Promise<TestPrometheus> {
  const binary = options.binary ?? PROMETHEUS_BINARY;
  if (!fs.existsSync(binary)) throw new Error(`Prometheus is not installed (${binary} is missing): install it: apt-get install prometheus`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const dir = temporaryDirectory('rg-prometheus-');
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 900ms',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    ...Object.entries(options.targets).flatMap(([name, target]) => [
      `  - job_name: ${JSON.stringify(name)}`,
      '    static_configs:',
      `      - targets: [${JSON.stringify(target)}]`,
    ]),
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), config + '\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log: string[] = [];
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer): void => {
    log.push(chunk.toString());
    if (log.length > 50) log.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      resolve();
    }),
  );
  child.once('error', (error) => {
    exited = `could not start: ${error.message}`;
  });
  const cleanup = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(killer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const api = async (pathAndQuery: string): Promise<unknown> => {
    const response = await fetch(`${url}${pathAndQuery}`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  };
  const query = async (q: string): Promise<number[]> => {
    const body = (await api(`/api/v1/query?query=${encodeURIComponent(q)}`)) as { data: { result: { value: [number, string] }[] } };
    return body.data.result.map((r) => Number(r.value[1]));
  };
  const problem = (): string => (exited ? `Prometheus ${exited}: ${log.join('').trim().split('\n').slice(-5).join(' | ')}` : '');

  try {
    await pollUntil(
      async () => {
        if (exited) throw new Error(problem());
        try {
          return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) })).ok || undefined;
        } catch {
          return undefined;
        }
      },
      timeoutMs,
      () => `Prometheus on ${url} never became ready; log: ${log.join('').trim().split('\n').slice(-5).join(' | ')}`,
    );
    const wanted = Object.values(options.targets);
    await pollUntil(
      async () => {
        if (exited) throw new Error(problem());
        const body = (await api('/api/v1/targets')) as { data: { activeTargets: { scrapeUrl: string; health: string; lastError: string }[] } };
        const up = body.data.activeTargets.filter((t) => t.health === 'up').map((t) => new URL(t.scrapeUrl).host);
        return wanted.every((w) => up.includes(w)) || undefined;
      },
      timeoutMs,
      () => `Prometheus did not scrape every target (${wanted.join(', ')}) in time`,
    );
  } catch (error) {
    await cleanup();
    throw error;
  }

  return {
    url,
    port,
    async waitFor(q, accept, waitMs = 20_000) {
      let last: number[] | string = [];
      return pollUntil(
        async () => {
          try {
            last = await query(q);
          } catch (error) {
            last = (error as Error).message;
            return undefined;
          }
          return accept(last) ? last : undefined;
        },
        waitMs,
        () => `${q} never gave an accepted result; last: ${JSON.stringify(last)}`,
        200,
      );
    },
    stop: cleanup,
  };
}
