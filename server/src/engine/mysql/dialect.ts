/** Which SQL dialect a file is written in: a marker line, then the configured globs, then its name, then its project, then the default. */
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
export function dialectOf(fileName: string, text: string, settings: Pick<EngineSettings, 'dialect' | 'dialects'>, projectEngine?: string): SqlDialect {
  return explicitDialect(fileName, text, settings) ?? mysqlDialect(projectEngine) ?? settings.dialect;
}

/**
 * Whether a file runs on an engine not checked here (SQLite, SQL Server, CockroachDB…): its name
 * says so (`….cockroach.up.sql`), or its project does (`projectEngine`: Prisma's migration_lock.toml,
 * see LintRequest.projectEngine) and no marker or configured glob gives it a dialect.
 */
export function isUncheckedEngine(fileName: string, text: string, settings: Pick<EngineSettings, 'dialects'>, projectEngine?: string): boolean {
  const named = engineInName(fileName);
  if (named) return !mysqlDialect(named);
  return !!projectEngine && projectEngine !== 'postgres' && !mysqlDialect(projectEngine) && !explicitDialect(fileName, text, settings);
}

const mysqlDialect = (engine: string | undefined): SqlDialect | undefined => (engine === 'mysql' || engine === 'mariadb' ? engine : undefined);

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
  return mysqlDialect(engineInName(fileName));
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
