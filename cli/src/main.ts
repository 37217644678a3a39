import { keepParsedStatements } from '../../server/src/engine';
import { runCli } from './cli';

// One pass over the files: kept parse trees would only cost memory (pg-regress: 196 → 154 MB).
keepParsedStatements(0);

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`rollout-guard: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
