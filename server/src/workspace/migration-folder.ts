/**
 * What the disk says about a migration: the migrations of its folder, in the order they run
 * (migration-order.ts), and the migration tool its project depends on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { compareMigrationNames, fileKind, migrationPlace, VERSION_FOLDER } from '../engine';

/** The migrations of `folder` (a MigrationPlace's folder), in the order they run, with the names that order them (paths with the platform's separator). */
export function folderMigrations(folder: string): { file: string; name: string }[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: { file: string; name: string }[] = [];
  const here = path.resolve(folder);
  for (const entry of entries) {
    for (const candidate of candidatesIn(folder, entry)) {
      const place = migrationPlace(candidate);
      if (isMigrationKind(candidate) && place && path.resolve(place.folder) === here) found.push({ file: candidate, name: place.name });
    }
  }
  return found.sort((a, b) => compareMigrationNames(a.name, b.name));
}

/** synapse's databases, whose `delta/<version>/` folders are one chain (migration-order.ts). */
const SYNAPSE_DATABASES = new Set(['common', 'main', 'state']);

/** The files an entry of a migration folder may hold migrations in: itself, a version folder's files, `<name>/migration.sql`, synapse's deltas. */
function candidatesIn(folder: string, entry: fs.Dirent): string[] {
  const at = path.join(folder, entry.name);
  if (!entry.isDirectory()) return [at];
  if (VERSION_FOLDER.test(entry.name)) return filesIn(at);
  if (SYNAPSE_DATABASES.has(entry.name) && path.basename(folder) === 'schema' && fs.existsSync(path.join(at, 'delta')))
    return versionFolders(path.join(at, 'delta')).flatMap(filesIn);
  return ['migration.sql', 'up.sql'].map((name) => path.join(at, name)).filter((f) => fs.existsSync(f));
}

/** The version folders in `folder`. */
function versionFolders(folder: string): string[] {
  try {
    return fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && VERSION_FOLDER.test(entry.name))
      .map((entry) => path.join(folder, entry.name));
  } catch {
    return [];
  }
}

/** SQL migrations, and TS/JS ones (knex, TypeORM, db-migrate…): their SQL makes schema changes too. */
export const isMigrationKind = (file: string): boolean => fileKind(file) === 'sql' || fileKind(file) === 'code';

/** The files of a version folder (migration-order.ts VERSION_FOLDER). */
function filesIn(folder: string): string[] {
  try {
    return fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(folder, entry.name));
  } catch {
    return [];
  }
}

/** The migrations before `file` in its folder, in the order they run (paths with the platform's separator). */
export function earlierMigrations(file: string): string[] {
  const place = migrationPlace(file);
  if (!place) return [];
  return folderMigrations(place.folder)
    .filter((m) => compareMigrationNames(m.name, place.name) < 0)
    .map((m) => m.file);
}

/**
 * The migration tool of the project `file` belongs to, for `assumeInTransaction: auto` when the file
 * does not show its own (migration-tools.ts): the nearest go.mod or Cargo.toml (else package.json) above it, up to the
 * repository's root (else the only one in a folder of the root), depends on one of these and the file is named as that tool names migrations:
 * - golang-migrate (`<version>_<name>.up.sql`) sends each file as one query string;
 * - morph (Mattermost's, `<version>_<name>.up.sql`) runs each in a transaction, unless it starts
 *   with `-- morph:nontransactional`: then it sends the file as one query string;
 * - pop (`<version>_<name>.up.sql`; also ory/x's popx) runs each in a transaction, and sends popx's
 *   `….autocommit.up.sql` as one query string;
 * - sqlx (`<version>_<name>.sql`, `.up.sql`) runs each in a transaction;
 * - diesel (`<version>_<name>/up.sql`) runs each in a transaction, or sends it as one query string
 *   when the migration's metadata.toml says `run_in_transaction = false`;
 * - postgres-migrations (a package.json dependency; `<id>-<name>.sql`) runs each in a transaction.
 * A project that depends on golang-migrate and morph or pop runs its migrations with the latter
 * (mattermost's go.mod requires both); one that depends on two others for the same layout says nothing.
 * Prisma's migrations are known by migration_lock.toml beside their folders. Flyway needs no
 * project: its migrations' names show it (migration-tools.ts), and a script
 * configuration file beside one (`V7__index.sql.conf`) that says `executeInTransaction=false` runs
 * it outside a transaction.
 */
export function projectMigrationTool(file: string, seen?: ManifestsSeen, engine = projectEngine(file)): string | undefined {
  if (/^\s*executeInTransaction\s*=\s*false\b/im.test(readText(`${path.resolve(file)}.conf`) ?? '')) return 'Flyway without a transaction';
  // Prisma runs any `<name>/migration.sql` beside its lock file, in name order (umami's `01_init`); drizzle's
  // migrator the `<index>_<name>.sql` its journal lists.
  if (engine === 'postgres') return path.basename(file) === 'migration.sql' ? 'Prisma' : 'drizzle';
  const base = path.basename(file);
  let tool: (typeof PROJECT_TOOLS)[number] | undefined;
  // A Go or Rust project's tool, else a Node project's (package.json).
  for (const kinds of MANIFEST_KINDS) {
    const manifest = projectManifest(path.dirname(path.resolve(file)), kinds, seen);
    const found = manifest
      ? PROJECT_TOOLS.filter((t) => t.manifest === path.basename(manifest.file) && t.dependency.test(manifest.text) && t.names.test(base))
      : [];
    // golang-migrate is a library many projects pull in for something else: beside a runner of its own (mattermost's
    // morph, ory's popx), that runner applies the migrations.
    const tools = found.length > 1 ? found.filter((t) => t.name !== 'golang-migrate') : found;
    if (tools.length > 1) return undefined;
    tool ??= tools[0];
    if (tool) break;
  }
  if (!tool) return undefined;
  if (tool.name === 'pop' && /\.autocommit\.up\.sql$/i.test(base)) return 'pop with .autocommit';
  if (tool.name === 'diesel' && /^\s*run_in_transaction\s*=\s*false\b/m.test(readText(path.join(path.dirname(file), 'metadata.toml')) ?? ''))
    return 'diesel with run_in_transaction = false';
  return tool.name;
}

/**
 * The engine a file's project runs its migrations on, when the project says (LintRequest.projectEngine):
 * the provider of Prisma's migration_lock.toml beside the migration's folder (`postgres`, `mysql`,
 * `sqlite`, `sqlserver`, `cockroachdb`), or the dialect of drizzle-kit's `meta/_journal.json` beside
 * the migration (`postgresql`, `mysql`, `sqlite`, `turso`, `singlestore`).
 */
export function projectEngine(file: string, seen?: ManifestsSeen): string | undefined {
  const full = path.resolve(file);
  if (path.basename(file) === 'migration.sql') {
    const lock = readProjectFile(path.join(path.dirname(path.dirname(full)), 'migration_lock.toml'), seen);
    const provider = lock && /^\s*provider\s*=\s*"(\w+)"/m.exec(lock)?.[1]?.toLowerCase();
    if (provider) return provider === 'postgresql' ? 'postgres' : provider;
  }
  const journal = /^\d+_.*\.sql$/i.test(path.basename(file)) ? readProjectFile(path.join(path.dirname(full), 'meta', '_journal.json'), seen) : undefined;
  const dialect = journal && /"dialect"\s*:\s*"(\w+)"/.exec(journal)?.[1]?.toLowerCase();
  if (!dialect) return undefined;
  return dialect === 'postgresql' || dialect === 'pg' ? 'postgres' : dialect === 'turso' ? 'sqlite' : dialect;
}

const PROJECT_TOOLS: { name: string; manifest: string; dependency: RegExp; names: RegExp }[] = [
  { name: 'golang-migrate', manifest: 'go.mod', dependency: /\bgithub\.com\/golang-migrate\/migrate\b/, names: /^\d+_.*\.up\.sql$/i },
  // ory/x's popx is pop's runner in ory's projects (kratos, hydra, keto).
  { name: 'pop', manifest: 'go.mod', dependency: /\bgithub\.com\/(gobuffalo\/pop|ory\/x)\b/, names: /^\d+_.*\.up\.sql$/i },
  { name: 'morph', manifest: 'go.mod', dependency: /\bgithub\.com\/mattermost\/morph\b/, names: /^\d+_.*\.up\.sql$/i },
  { name: 'sqlx', manifest: 'Cargo.toml', dependency: /^\s*(sqlx\s*=|\[(?:workspace\.)?dependencies\.sqlx\])/m, names: /^\d+_.*\.sql$/i },
  // Node's postgres-migrations (supabase/storage): `<id>[-_]<name>.sql`.
  { name: 'postgres-migrations', manifest: 'package.json', dependency: /"postgres-migrations"\s*:/, names: /^\d+[-_]?.*\.sql$/i },
  {
    name: 'diesel',
    manifest: 'Cargo.toml',
    dependency: /^\s*(diesel(_migrations)?\s*=|\[(?:workspace\.)?dependencies\.diesel(_migrations)?\])/m,
    names: /^up\.sql$/i,
  },
];

/** The manifests that name a project's tool, nearest first: Go's and Rust's, then Node's. */
const MANIFEST_KINDS: readonly (readonly string[])[] = [['go.mod', 'Cargo.toml'], ['package.json']];

type Manifest = { file: string; text: string } | undefined;
/** The manifests found so far, by the folder they were looked for from (and project files by their path): a run over many files reads each once. */
export type ManifestsSeen = Map<string, Manifest>;

/**
 * The nearest manifest of `kinds` (go.mod or Cargo.toml; package.json) in `dir` or above, not above the
 * repository's root (a folder with .git); else the one manifest in a folder of the root itself: harbor
 * keeps its migrations in `make/migrations/postgresql/` and its Go module in `src/go.mod`.
 */
function projectManifest(dir: string, kinds: readonly string[], seen?: ManifestsSeen): Manifest {
  const key = `${kinds.join()}:${dir}`;
  if (seen?.has(key)) return seen.get(key);
  let found = manifestIn(dir, kinds);
  const repositoryRoot = fs.existsSync(path.join(dir, '.git'));
  if (!found && !repositoryRoot && path.dirname(dir) !== dir) found = projectManifest(path.dirname(dir), kinds, seen);
  else if (!found && repositoryRoot) found = soleManifestBelow(dir, kinds);
  seen?.set(key, found);
  return found;
}

function manifestIn(dir: string, kinds: readonly string[]): Manifest {
  for (const name of kinds) {
    const text = readText(path.join(dir, name));
    if (text !== undefined) return { file: path.join(dir, name), text };
  }
  return undefined;
}

/** The manifest of the one folder directly in `root` that holds one; none when several do. */
function soleManifestBelow(root: string, kinds: readonly string[]): Manifest {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const found = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).flatMap((e) => manifestIn(path.join(root, e.name), kinds) ?? []);
  return found.length === 1 ? found[0] : undefined;
}

/** A project file's text, read once per run when `seen` keeps what was read (a lock file or journal serves a whole folder). */
function readProjectFile(file: string, seen?: ManifestsSeen): string | undefined {
  if (seen?.has(file)) return seen.get(file)?.text;
  const text = readText(file);
  seen?.set(file, text === undefined ? undefined : { file, text });
  return text;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
