/** Which SQL dialect a file is written in: a marker line, then the configured globs, then its name, then the default. */
import { globMatcher } from '../glob';
import { engineInName } from '../sql/migration-tools';
import type { EngineSettings, SqlDialect } from '../types';

const MARKER = /(?:--|#|\/\/|\/\*)\s*rollout-guard:\s*dialect\s+(postgres(?:ql)?|mysql|mariadb)\b/i;

const matchers = new Map<string, (path: string) => boolean>();

/**
 * The dialect of a file. Globs match the end of the path (`db/mysql/**` matches
 * /home/me/app/db/mysql/001.sql and file:///…/db/mysql/001.sql alike), so neither the
 * workspace root nor the config file's folder needs to be known here.
 */
export function dialectOf(fileName: string, text: string, settings: Pick<EngineSettings, 'dialect' | 'dialects'>): SqlDialect {
  return explicitDialect(fileName, text, settings) ?? settings.dialect;
}

/** The dialect a marker line, a configured glob or the file's name (`….mysql.up.sql`) gives the file, if any. */
export function explicitDialect(fileName: string, text: string, settings: Pick<EngineSettings, 'dialects'>): SqlDialect | undefined {
  const marker = MARKER.exec(text.length > 4096 ? text.slice(0, 4096) : text)?.[1]?.toLowerCase();
  if (marker) return marker.startsWith('postgres') ? 'postgres' : (marker as SqlDialect);
  if (settings.dialects.length) {
    const path = filePath(fileName);
    const suffixes: string[] = [];
    const parts = path.split('/');
    for (let i = parts.length - 1; i >= 0; i--) suffixes.push(parts.slice(i).join('/'));
    for (const { glob, dialect } of settings.dialects) {
      let matches = matchers.get(glob);
      // Globs are checked when the configuration is read; one that still cannot be read matches nothing.
      if (!matches) matchers.set(glob, (matches = globMatcher(glob.replace(/^\.\//, ''), { skipInvalid: true })));
      if (suffixes.some((s) => matches(s))) return dialect;
    }
  }
  const engine = engineInName(fileName);
  return engine === 'mysql' || engine === 'mariadb' ? engine : undefined;
}

/** A path with forward slashes, from a path or a file URI. */
function filePath(fileName: string): string {
  let path = fileName;
  if (/^[a-z][\w+.-]*:\/\//i.test(path)) {
    try {
      path = decodeURIComponent(new URL(path).pathname);
    } catch {
      // not a URL after all
    }
  }
  return path.replace(/\\/g, '/');
}
