/** Finds the files of a folder, honouring files.exclude and .gitignore files as the editor and git do; shared by the language server and `rollout-guard check`. */
// node:fs's promises, read when a walk starts (loading node:fs/promises costs every CLI run a few milliseconds).
import fs, { existsSync, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { CONFIG_FILE_NAME } from '../engine/config';
import { globMatcher } from '../engine/glob';
import { isKustomizationFile } from '../engine/kustomize/kustomization';

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
  return scanFiles(folder, excludeGlobs, (name) => /\.ya?ml$/i.test(name) || isKustomizationFile(name));
}

/** The .gitignore rules in force in a folder: its own file's, on top of its parents'. */
type GitIgnores = { base: string; rules: Ignore }[];

/** `inherited` plus `dir`'s own .gitignore, if it has a readable one. */
async function withGitignoreOf(dir: string, inherited: GitIgnores): Promise<GitIgnores> {
  try {
    return [...inherited, { base: dir, rules: ignore().add(await fs.promises.readFile(path.join(dir, '.gitignore'), 'utf8')) }];
  } catch {
    // None, or unreadable: it ignores nothing.
    return inherited;
  }
}

const posix = (p: string): string => p.split(path.sep).join('/');

/** Whether files.exclude (`excluded`, relative to `excludesBase`) or a .gitignore leaves `full` out. */
function leftOut(full: string, isDir: boolean, gitignores: GitIgnores, excluded: (relative: string) => boolean, excludesBase: string): boolean {
  if (excluded(posix(path.relative(excludesBase, full)))) return true;
  return gitignores.some((g) => g.rules.ignores(posix(path.relative(g.base, full)) + (isDir ? '/' : '')));
}

/**
 * Files of a folder whose name `wanted` accepts, honouring files.exclude and .gitignore files.
 * With `ownProjectOnly`, folders below that are projects of their own (see projectRootOf) are left out.
 * files.exclude globs are relative to `excludesBase` (the workspace folder; default `folder`).
 */
export async function scanFiles(
  folder: string,
  excludeGlobs: string[],
  wanted: (name: string, relative: string) => boolean,
  { ownProjectOnly = false, excludesBase = folder } = {},
): Promise<ScanResult> {
  const excluded = globMatcher(excludeGlobs, { skipInvalid: true });
  const files: string[] = [];
  const walk = async (dir: string, inherited: GitIgnores): Promise<void> => {
    if (files.length >= MAX_INDEXED_FILES) return;
    let entries: Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (ownProjectOnly && dir !== folder && entries.some((e) => PROJECT_MARKERS.includes(e.name))) return;
    const here = entries.some((e) => e.name === '.gitignore' && e.isFile()) ? await withGitignoreOf(dir, inherited) : inherited;
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const isDir = entry.isDirectory();
      if (ALWAYS_SKIPPED.has(entry.name) || leftOut(full, isDir, here, excluded, excludesBase)) continue;
      if (isDir) await walk(full, here);
      else if (entry.isFile() && wanted(entry.name, posix(path.relative(folder, full)))) files.push(full);
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

/**
 * What marks the root of a project: its Rollout Guard configuration or its repository. Package
 * manifests do not: in a monorepo the code that reads a table often lives in another package
 * than its migrations.
 */
const PROJECT_MARKERS = [CONFIG_FILE_NAME, '.git'];

/**
 * The root of the project `file` belongs to: the nearest folder above it with a marker,
 * not going above `boundary` (the workspace folder, or the CLI's current folder), which is the
 * answer when none is found. Application code is looked for there, so a migration of one
 * project is not compared with the code of another (a copy, a vendored demo) beside it.
 */
export function projectRootOf(file: string, boundary: string): string {
  const top = path.resolve(boundary);
  let dir = path.dirname(path.resolve(file));
  const inside = (d: string): boolean => d === top || d.startsWith(top + path.sep);
  if (!inside(dir)) return top;
  for (;;) {
    if (PROJECT_MARKERS.some((marker) => existsSync(path.join(dir, marker)))) return dir;
    if (dir === top) return top;
    dir = path.dirname(dir);
  }
}

/**
 * Whether `file` (below `folder`) is left out by files.exclude (globs relative to `excludesBase`)
 * or by a .gitignore on its way down from `folder`.
 */
export async function isIgnored(folder: string, file: string, excludeGlobs: string[], excludesBase = folder): Promise<boolean> {
  const relative = posix(path.relative(folder, file));
  if (relative.startsWith('../')) return false;
  const parts = relative.split('/');
  if (parts.some((p) => ALWAYS_SKIPPED.has(p))) return true;
  const excluded = globMatcher(excludeGlobs, { skipInvalid: true });
  let gitignores: GitIgnores = [];
  let dir = folder;
  for (let i = 0; i < parts.length; i++) {
    gitignores = await withGitignoreOf(dir, gitignores);
    const full = path.join(dir, parts[i]!);
    if (leftOut(full, i < parts.length - 1, gitignores, excluded, excludesBase)) return true;
    dir = full;
  }
  return false;
}
