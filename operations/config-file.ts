/** Where `.rollout-guard.yaml` is found: one rule for the CLI's commands and the extension. */
import fs from 'node:fs';
import path from 'node:path';

export const CONFIG_FILE_NAME = '.rollout-guard.yaml';

/** .rollout-guard.yaml in `cwd` or the nearest parent folder, stopping at a repository root (a folder with .git). */
export function findConfigFile(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    if (fs.existsSync(path.join(dir, '.git')) || path.dirname(dir) === dir) return undefined;
  }
}
