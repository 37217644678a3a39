/**
 * `check --cache`: the findings of files checked before, kept in one file between runs (like
 * ESLint's --cache). A file's entry is used when its key is the same: its text, its path (the phase
 * and dialect come from the name), its project's migration tool, the settings and the build of the CLI. Only files whose findings
 * depend on nothing else are kept: SQL files that are not contract steps (those are compared with the
 * application code), with their schema changes, before the earlier files of their folder withdraw
 * any of their findings (that is done on every run); manifests and application code are checked across files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EngineSettings } from '../../server/src/engine';
import type { SqlJob, SqlResult } from './parallel-lint';

/** The default cache file, and the file's name in a folder given as --cache-location. */
export const CACHE_FILE_NAME = '.rollout-guard-cache';

interface CacheEntry extends SqlResult {
  key: string;
}

export class ResultCache {
  private constructor(
    private readonly location: string,
    private readonly entries: Map<string, CacheEntry>,
    private readonly runKey: string,
  ) {}

  /** The cache at `location` (a file, or a folder to keep it in); empty when missing or unreadable. */
  static open(location: string, settings: EngineSettings, version: string): ResultCache {
    const file = isDirectory(location) ? path.join(location, CACHE_FILE_NAME) : location;
    let entries = new Map<string, CacheEntry>();
    try {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, CacheEntry>;
      entries = new Map(Object.entries(stored));
    } catch {
      // No cache yet, or one that cannot be read: every file is checked.
    }
    return new ResultCache(file, entries, JSON.stringify([version, buildIdentity(), settings]));
  }

  /** The findings (and schema changes) kept for the job's file with this text (and project tool), or undefined. */
  get(job: SqlJob): SqlResult | undefined {
    const entry = this.entries.get(job.fileName);
    return entry?.key === this.keyOf(job) ? { findings: entry.findings, changes: entry.changes } : undefined;
  }

  set(job: SqlJob, { findings, changes }: SqlResult): void {
    this.entries.set(job.fileName, { key: this.keyOf(job), findings, changes });
  }

  /** Writes the cache; a cache that cannot be written only costs the next run its time. */
  save(): void {
    try {
      fs.mkdirSync(path.dirname(this.location), { recursive: true });
      const partial = `${this.location}.${process.pid}`;
      fs.writeFileSync(partial, JSON.stringify(Object.fromEntries(this.entries)));
      fs.renameSync(partial, this.location);
    } catch {
      // Read-only folder.
    }
  }

  private keyOf({ fileName, text, migrationTool, projectEngine }: SqlJob): string {
    // Loaded here, not at start-up: most runs use no cache.
    const hash = process.getBuiltinModule('node:crypto').createHash('sha256');
    return hash
      .update(this.runKey)
      .update('\0')
      .update(fileName)
      .update('\0')
      .update(migrationTool ?? '')
      .update('\0')
      .update(projectEngine ?? '')
      .update('\0')
      .update(text)
      .digest('hex');
  }
}

function isDirectory(location: string): boolean {
  try {
    return fs.statSync(location).isDirectory();
  } catch {
    return false;
  }
}

/** The running build (a development build keeps its version number while its rules change). */
function buildIdentity(): string {
  try {
    const stat = fs.statSync(__filename);
    return `${stat.size}-${stat.mtimeMs}`;
  } catch {
    return '';
  }
}
