/**
 * Temporary directories that never outlive the process: each is removed when the process
 * exits (a test failure included) or is stopped by Ctrl-C / SIGTERM / SIGHUP, and by
 * `removeTemporaryDirectory` earlier.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();
let hooked = false;

function removeAll(): void {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Whoever else listens (the playground) stops its servers first, then exits: 'exit' removes
  // the directories after that. Alone, remove them and die of the signal as before.
  if (process.listenerCount(signal) > 1) return;
  removeAll();
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

/** A new directory under the system's temporary folder, named `<prefix>XXXXXX`. */
export function temporaryDirectory(prefix: string): string {
  if (!hooked) {
    hooked = true;
    process.on('exit', removeAll);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Writes `files` (paths under `root` → text) into `root`, making their folders; returns `root`. */
export function writeFiles(root: string, files: Record<string, string>): string {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** A new temporary directory (see temporaryDirectory) holding `files`. */
export const temporaryTree = (prefix: string, files: Record<string, string>): string => writeFiles(temporaryDirectory(prefix), files);

export function removeTemporaryDirectory(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.delete(dir);
}
