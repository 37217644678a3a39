/** Finds the YAML files of a workspace folder, honouring files.exclude and .gitignore files. */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

const ALWAYS_SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn']);
/** A workspace with more YAML files than this is indexed partially, with a warning. */
export const MAX_INDEXED_FILES = 20_000;

export interface ScanResult {
  files: string[];
  truncated: boolean;
}

/**
 * `excludeGlobs` are VS Code's files.exclude patterns that are on (relative to the folder).
 * Nested .gitignore files apply to their own folder, as git does.
 */
export async function scanYamlFiles(folder: string, excludeGlobs: string[]): Promise<ScanResult> {
  return scanFiles(folder, excludeGlobs, (name) => /\.ya?ml$/i.test(name));
}

/** Files of a folder whose name `wanted` accepts, honouring files.exclude and .gitignore files. */
export async function scanFiles(folder: string, excludeGlobs: string[], wanted: (name: string, relative: string) => boolean): Promise<ScanResult> {
  const excluded = excludeGlobs.length ? picomatch(excludeGlobs, { dot: true }) : () => false;
  const files: string[] = [];
  const walk = async (dir: string, ignores: { base: string; rules: Ignore }[]): Promise<void> => {
    if (files.length >= MAX_INDEXED_FILES) return;
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const here = [...ignores];
    if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      try {
        here.push({ base: dir, rules: ignore().add(await fs.readFile(path.join(dir, '.gitignore'), 'utf8')) });
      } catch {
        // An unreadable .gitignore ignores nothing.
      }
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(folder, full).split(path.sep).join('/');
      if (ALWAYS_SKIPPED.has(entry.name) || excluded(relative)) continue;
      const isDir = entry.isDirectory();
      if (here.some((g) => g.rules.ignores(path.relative(g.base, full).split(path.sep).join('/') + (isDir ? '/' : '')))) continue;
      if (isDir) await walk(full, here);
      else if (entry.isFile() && wanted(entry.name, relative)) files.push(full);
    }
  };
  await walk(folder, []);
  return { files: files.slice(0, MAX_INDEXED_FILES), truncated: files.length >= MAX_INDEXED_FILES };
}

/** The patterns of a files.exclude setting that are switched on. */
export function activeExcludes(setting: unknown): string[] {
  if (!setting || typeof setting !== 'object') return [];
  return Object.entries(setting as Record<string, unknown>)
    .filter(([, on]) => on === true)
    .map(([glob]) => glob);
}
