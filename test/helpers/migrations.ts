/** Helpers for the migration runner tests: plan folders, the real CLI as a child process, waiting on conditions. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../operations/migrations';

const repoRoot = path.resolve(__dirname, '../..');
export const cliBin = path.join(repoRoot, 'bin/rollout-guard.js');

/** Writes the plan's files into `dir` (created if needed) and returns `dir`. */
export function writePlan(dir: string, files: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves when stdout or stderr so far matches `pattern` (never, if the process exits first). */
  output: (pattern: RegExp) => Promise<void>;
  /** Settles when the process exits: its code (null when killed), signal and output. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts `node bin/rollout-guard.js …` (the real CLI, as CI runs it). */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const child = spawn(process.execPath, [cliBin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiting: { pattern: RegExp; resolve: () => void }[] = [];
  const received = (): void => {
    for (const wait of waiting.filter((w) => w.pattern.test(stdout) || w.pattern.test(stderr))) {
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve();
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => ((stdout += chunk), received()));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => ((stderr += chunk), received()));
  const output = (pattern: RegExp): Promise<void> =>
    new Promise((resolve) => {
      waiting.push({ pattern, resolve });
      received();
    });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, output, done };
}

export function runCli(args: string[], env?: NodeJS.ProcessEnv): CliRun['done'] {
  return startCli(args, env).done;
}

/**
 * Polls `check` until it returns a value other than undefined/false. For conditions only the
 * database can tell (a lock released, a session gone); fails after `timeoutMs`.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until no session of the given application is connected (a killed runner's backend has exited). */
export function sessionsGone(db: Db, applicationName: string): Promise<true> {
  return waitUntil(`the sessions of "${applicationName}" to end`, async () => {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [applicationName]);
    return rows[0]!.n === 0;
  });
}

/** One promise per event kind: resolves on the first event that matches. */
export function firstEvent<E>(predicate: (event: E) => boolean): { listener: (event: E) => void; promise: Promise<E> } {
  let resolve!: (event: E) => void;
  const promise = new Promise<E>((r) => (resolve = r));
  let fired = false;
  return {
    promise,
    listener: (event) => {
      if (!fired && predicate(event)) {
        fired = true;
        resolve(event);
      }
    },
  };
}
