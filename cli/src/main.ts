import { keepParsedStatements } from '../../server/src/engine';
import { runCli } from './cli';
import { isSqlLintWorker, runSqlLintWorker } from './parallel-lint';

// One pass over the files: kept parse trees would only cost memory (pg-regress: 196 → 154 MB).
keepParsedStatements(0);

// `rollout-guard check | head`: a reader that stops early is not an error, and the exit status stays the run's.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

const io = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env, lintWorker: process.argv[1] };
const args = process.argv.slice(2);
(isSqlLintWorker(args) ? runSqlLintWorker().then(() => 0) : runCli(args, io)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`rollout-guard: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
