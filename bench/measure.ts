/** How the bench measures: wall time and peak memory of a command, medians and percentiles. */
import { spawnSync } from 'node:child_process';
import { repoRoot, type TestLspClient } from '../simulators/lsp-client';

export interface Measure {
  seconds: number;
  peakMb: number;
}

/** Runs a command under GNU time for wall time and peak resident memory. */
export function measure(command: string, args: string[]): Measure {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lastLine = r.stderr.trim().split('\n').at(-1) ?? '';
  const kb = Number(lastLine);
  if (!Number.isFinite(kb)) throw new Error(`${command} failed: ${r.stderr.slice(-500)}`);
  return { seconds, peakMb: kb / 1024 };
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

/** Resolves once the language server has published diagnostics for every one of `uris` (call before initialize). */
export function allPublished(client: TestLspClient, uris: readonly string[]): Promise<void> {
  return new Promise<void>((resolve) => {
    const seen = new Set<string>();
    for (const uri of uris) void client.diagnostics(uri).then(() => (seen.add(uri), seen.size === uris.length && resolve()));
  });
}
