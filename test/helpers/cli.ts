/** The CLI run in this process, its output captured. */
import { Writable } from 'node:stream';

import { runCli } from '../../cli/src/cli';
/** Runs the CLI in this process with `cwd` and `env`. */
export async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await runCli(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), cwd, env });
  return { code, stdout, stderr };
}
