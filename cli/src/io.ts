/** Where a CLI run reads and writes: process streams in bin/, buffers in tests. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A script that starts this CLI (bin/rollout-guard.js): `check` runs it in worker threads to lint SQL files in parallel. */
  lintWorker?: string;
}
