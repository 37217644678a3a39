/**
 * The one loader of .rollout-guard.yaml from disk, for the CLI's commands, the language server and
 * the extension: where the file is, and reading it into the engine's checked ConfigFile.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAME, ConfigError, parseConfig, type ConfigFile } from '../engine/config';
import { globMatcher } from '../engine/glob';

export { CONFIG_FILE_NAME };

/** A configuration file read from disk. */
export interface LoadedConfig extends ConfigFile {
  /** Its absolute path. */
  path: string;
}

/** .rollout-guard.yaml in `cwd` or the nearest parent folder, stopping at a repository root (a folder with .git). */
export function findConfigFile(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    if (fs.existsSync(path.join(dir, '.git')) || path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The configuration file `check` reads without --config: the nearest .rollout-guard.yaml above the
 * paths it checks (from their common folder up to the repository root), so checking another
 * repository's folder reads that repository's configuration; else the nearest above `cwd` (a
 * folder rendered outside the repository, e.g. by `helm template`, is checked with the repository's).
 */
export function checkConfigFile(cwd: string, paths: readonly string[]): string | undefined {
  const common = commonFolder(paths.map((given) => path.resolve(cwd, given)));
  return (common === undefined ? undefined : findConfigFile(common)) ?? findConfigFile(cwd);
}

/** The deepest folder that holds every one of `paths` (absolute; a file counts as its folder); undefined for none or paths on different drives. */
function commonFolder(paths: readonly string[]): string | undefined {
  const folderOf = (full: string): string => (isDirectory(full) ? full : path.dirname(full));
  const holds = (folder: string, full: string): boolean => full === folder || full.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);
  let common: string | undefined;
  for (const full of paths) {
    const folder = folderOf(full);
    if (common === undefined) common = folder;
    while (!holds(common, folder)) {
      if (path.dirname(common) === common) return undefined;
      common = path.dirname(common);
    }
  }
  return common;
}

function isDirectory(full: string): boolean {
  try {
    return fs.statSync(full).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The configuration file of a workspace folder, as the editor reads it (the language server, the
 * Migrations and the Rollouts views): `configured` (the rolloutGuard.configFile setting) relative to
 * the folder, else .rollout-guard.yaml at its root; undefined when that file does not exist.
 */
export function folderConfigFile(folder: string, configured: string | undefined): string | undefined {
  const file = path.resolve(folder, configured || CONFIG_FILE_NAME);
  return fs.existsSync(file) ? file : undefined;
}

/** The configuration of a workspace folder (see folderConfigFile); messages name it relative to the folder. Throws ConfigError. */
export function loadFolderConfig(folder: string, configured: string | undefined): LoadedConfig | undefined {
  const file = folderConfigFile(folder, configured);
  return file ? readConfigFile(file, path.relative(folder, file) || file) : undefined;
}

/** Reads and checks a configuration file. Throws ConfigError when it cannot be read or is not valid. */
export function readConfigFile(file: string, displayName = file): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (error as Error).message})`, { source: displayName });
  }
  return { ...parseConfig(text, displayName), path: file };
}

/**
 * The configuration of commands run in `cwd`: `explicit` (relative to `cwd`, which must exist) or
 * else the nearest .rollout-guard.yaml; undefined when there is none. Messages name it relative to `cwd`.
 */
export function loadConfig(cwd: string, explicit?: string): LoadedConfig | undefined {
  const file = explicit ? path.resolve(cwd, explicit) : findConfigFile(cwd);
  return file ? readConfigFile(file, path.relative(cwd, file) || file) : undefined;
}

/** `manifests.units` of a configuration file as absolute folder paths, or undefined when it lists none. */
export function explicitUnits(config: LoadedConfig): string[] | undefined {
  const units = config.sections.manifests?.units;
  return units?.length ? units.map((unit) => path.resolve(path.dirname(config.path), unit)) : undefined;
}

/**
 * Whether `manifests.exclude` of a configuration file leaves a YAML file out (neither checked nor
 * indexed): a glob matches the file's path relative to the configuration file's folder, or one of
 * its folders (`charts` leaves out everything below charts/). Undefined when nothing is excluded.
 */
export function manifestExclusion(config: LoadedConfig): ((file: string) => boolean) | undefined {
  const globs = config.sections.manifests?.exclude;
  if (!globs?.length) return undefined;
  const matches = globMatcher(globs);
  const base = path.dirname(config.path);
  return (file) => {
    const relative = path.relative(base, file).split(path.sep);
    if (relative[0] === '..' || path.isAbsolute(relative.join('/'))) return false;
    return relative.some((_, i) => matches(relative.slice(0, i + 1).join('/')));
  };
}
