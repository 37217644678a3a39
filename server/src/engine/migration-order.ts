/**
 * The order of the migration files of a folder, and what the earlier ones tell a later one: the
 * schema facts they establish (sql/schema.ts) withdraw the findings that carry them as condition.
 * A folder's migrations run by name (`0042_add_index.sql`, `20240101120000_x.up.sql`), or by
 * folder name when each migration is a folder (Prisma's `<timestamp>_name/migration.sql`,
 * diesel's and sourcegraph's `<version>_name/up.sql`), or by version folder and then name (cadence's
 * `versioned/v0.6/cluster_config.sql`; synapse's `schema/common/delta/25/…` and `schema/main/delta/95/…`,
 * one chain). Rollback files never run before a later
 * migration, and files written for another engine (ory's `….mysql.up.sql`) belong to its chain:
 * neither counts.
 */
import type { Finding } from './types';
import { engineInName, isRollbackFile, SYNAPSE_SCHEMA } from './sql/migration-tools';
import { holdsAfter, SchemaFacts, type SchemaChange } from './sql/schema';
import { namesUnknownTable, withUnknownTablesNamed } from './sql/unknown-tables';

export interface MigrationPlace {
  /** The folder whose migrations run in order. */
  folder: string;
  /** What orders it among them: its file name, or its own folder's name. */
  name: string;
}

const MIGRATION_IN_FOLDER = /^(migration|up)\.(sql|pgsql|psql)$/i;
/** `0042_…`, `20240101120000_…`, `2019-02-26-002946_…`, Flyway's `V3__…`. */
const VERSIONED = /^[A-Za-z]?\d/;
const ROLLBACK_FOLDER = /^(down|rollback|undo|revert|verify)$/i;
/**
 * A folder per schema version, its files applied in the versions' order (cadence's
 * `versioned/v0.6/*.sql`, Cassandra-style schema tools, synapse's `delta/95/*.sql`): `v0.6`, `1.2.3`, `95`.
 */
export const VERSION_FOLDER = /^v?\d+(\.\d+)*$/i;

/** Where a migration file runs among the others of its folder; undefined for rollback files and other engines' files. */
export function migrationPlace(file: string): MigrationPlace | undefined {
  const parts = file.split(/[\\/]/);
  const base = parts.at(-1)!;
  if (isRollbackFile(file) || engineInName(base)) return undefined;
  const nested = MIGRATION_IN_FOLDER.test(base) && parts.length > 2;
  const own = nested ? parts.length - 2 : parts.length - 1;
  if (ROLLBACK_FOLDER.test(parts[own - 1] ?? '')) return undefined;
  // synapse's deltas of all its databases are one chain, version by version: `schema/<database>/delta/<version>/<name>`.
  if (SYNAPSE_SCHEMA.exec(file)?.[1] === 'delta') return { folder: parts.slice(0, own - 3).join('/'), name: `${parts[own - 1]}/${base}` };
  // A file in a version folder runs after the files of the versions before: ordered by `<version>/<name>`.
  if (!nested && parts.length > 2 && VERSION_FOLDER.test(parts[own - 1]!))
    return { folder: parts.slice(0, own - 1).join('/'), name: `${parts[own - 1]}/${base}` };
  return { folder: parts.slice(0, own).join('/'), name: parts[own]! };
}

/**
 * Whether a migration's name orders it among the others for their schema facts: it starts with a
 * version or a timestamp. A folder of files named otherwise (PostgreSQL's regression suite, scripts)
 * is no chain of migrations; `trace` still applies the files before one by name.
 */
export const ordersByVersion = (place: { name: string }): boolean => VERSIONED.test(place.name);

/** Natural order: runs of digits compare as numbers (`2_x` before `10_x`), the rest character by character. */
export function compareMigrationNames(a: string, b: string): number {
  const chunks = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p, q] = [x[i]!, y[i]!];
    if (p === q) continue;
    if (/^\d/.test(p) && /^\d/.test(q)) {
      const [m, n] = [p.replace(/^0+(?=\d)/, ''), q.replace(/^0+(?=\d)/, '')];
      if (m.length !== n.length) return m.length - n.length;
      if (m !== n) return m < n ? -1 : 1;
      continue;
    }
    return p < q ? -1 : 1;
  }
  return x.length - y.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Whether a finding depends on the earlier migrations of its folder: they may establish the fact
 * that withdraws it, or say which table an index it names the table of is on.
 */
export const needsEarlierFiles = (f: Finding): boolean => !!f.unlessEarlier || namesUnknownTable(f);

/**
 * A file's findings without those withdrawn by `earlier` (the facts of the files before it) followed
 * by the file's own changes before the finding's statement; and with the tables of the indexes they
 * name ("the table of <index>") named where those facts know them.
 */
export function withoutWithdrawn(findings: Finding[], earlier: SchemaFacts, own: readonly SchemaChange[]): Finding[] {
  if (!findings.some(needsEarlierFiles)) return findings;
  // The rule found the file's own changes not enough: only what the earlier files know of the table can make a difference.
  const renamedTo = new Set(own.flatMap((c) => (c.op === 'rename-table' ? [c.to] : [])));
  const withdrawn = (f: Finding): boolean => {
    if (!f.unlessEarlier) return false;
    const { condition, after } = f.unlessEarlier;
    if (!earlier.knows(condition.table.name) && !renamedTo.has(condition.table.name)) return false;
    return holdsAfter(earlier, own, condition, Math.min(after, own.length));
  };
  // A once-per-file rule's finding that is withdrawn gives way to its next one (orElse).
  const standing = (f: Finding | undefined): Finding | undefined => (f && withdrawn(f) ? standing(f.orElse) : f);
  return findings.flatMap((f) => {
    const kept = standing(f);
    return kept ? [withUnknownTablesNamed(kept, own, earlier)] : [];
  });
}

/** The tables a finding's conditions name, its stand-ins' (orElse) too. */
const conditionTables = (f: Finding | undefined): string[] =>
  f ? [...(f.unlessEarlier ? [f.unlessEarlier.condition.table.name] : []), ...conditionTables(f.orElse)] : [];

/** Linted PostgreSQL files: their findings and the schema changes each makes. */
export interface LintedMigration {
  file: string;
  findings: Finding[];
  changes: readonly SchemaChange[];
}

/** Each file's findings, without those the earlier files of its migration folder withdraw (in the files' order). */
export function withEarlierFiles(files: readonly LintedMigration[]): Finding[][] {
  const result = files.map((f) => f.findings);
  const folders = new Map<string, { index: number; name: string }[]>();
  files.forEach((f, index) => {
    const place = migrationPlace(f.file);
    if (!place || !ordersByVersion(place)) return;
    let folder = folders.get(place.folder);
    if (!folder) folders.set(place.folder, (folder = []));
    folder.push({ index, name: place.name });
  });
  for (const folder of folders.values()) {
    folder.sort((a, b) => compareMigrationNames(a.name, b.name));
    // The files up to the last one with a finding that a fact could withdraw, and the facts of the
    // tables those findings name (of all tables, if a table is renamed to one of those names).
    const running = folder.slice(0, folder.findLastIndex(({ index }) => files[index]!.findings.some(needsEarlierFiles)) + 1);
    const named = new Set(running.flatMap(({ index }) => files[index]!.findings.flatMap(conditionTables)));
    // An index's table is not known in advance: every table's facts count then.
    const allTables = running.some(({ index }) => files[index]!.findings.some(namesUnknownTable));
    const renamedTo = allTables || running.some(({ index }) => files[index]!.changes.some((c) => c.op === 'rename-table' && named.has(c.to)));
    const facts = new SchemaFacts();
    for (const { index } of running) {
      const { findings, changes } = files[index]!;
      result[index] = withoutWithdrawn(findings, facts, changes);
      for (const change of changes) if (renamedTo || !('table' in change) || named.has(change.table.name)) facts.apply(change);
    }
  }
  return result;
}
