/**
 * The schema facts the earlier migrations of an open migration's folder establish (see
 * engine/migration-order.ts), for the findings they withdraw: each earlier file's changes are
 * kept with the text they came from, so a file is linted again only when its text changed (an
 * open document edited, a file changed on disk).
 */
import { compareMigrationNames, migrationPlace, ordersByVersion, SchemaFacts, type EngineSettings, type SchemaChange } from '../engine';
import { folderMigrations, isMigrationKind } from '../workspace/migration-folder';

export class EarlierMigrations {
  private readonly changes = new Map<string, { text: string; changes: readonly SchemaChange[] }>();

  constructor(
    /** An open document's text (it wins over the disk), else undefined. */
    private readonly openText: (file: string) => string | undefined,
    private readonly readText: (file: string) => Promise<string | undefined>,
    /** Lints an earlier file, for the schema changes it makes. */
    private readonly changesOf: (file: string, text: string, settings: EngineSettings) => readonly SchemaChange[],
  ) {}

  /** What the migrations before `file` in its folder establish; `settings`: the file's (its folder's). */
  async factsBefore(file: string, settings: EngineSettings): Promise<SchemaFacts> {
    const facts = new SchemaFacts();
    const place = migrationPlace(file);
    if (!place || !ordersByVersion(place)) return facts;
    for (const earlier of folderMigrations(place.folder)) {
      if (!ordersByVersion(earlier) || compareMigrationNames(earlier.name, place.name) >= 0) continue;
      for (const change of await this.changesIn(earlier.file, settings)) facts.apply(change);
    }
    return facts;
  }

  private async changesIn(file: string, settings: EngineSettings): Promise<readonly SchemaChange[]> {
    const kept = this.changes.get(file);
    const text = this.openText(file) ?? kept?.text ?? (await this.readText(file));
    if (text === undefined) return [];
    if (kept?.text === text) return kept.changes;
    const changes = this.changesOf(file, text, settings);
    this.changes.set(file, { text, changes });
    return changes;
  }

  /** A file changed on disk, was deleted, or its document closed: read it again when it is next needed. */
  changed(file: string): void {
    this.changes.delete(file);
  }

  /** The settings changed: the files may lint differently (their dialect). */
  clear(): void {
    this.changes.clear();
  }
}

/** Whether the findings of migration `later` may depend on `file` (a migration earlier in the same folder). */
export function runsBefore(file: string, later: string): boolean {
  if (!isMigrationKind(file) || !isMigrationKind(later)) return false;
  const a = migrationPlace(file);
  const b = migrationPlace(later);
  return !!a && !!b && ordersByVersion(a) && ordersByVersion(b) && a.folder === b.folder && compareMigrationNames(a.name, b.name) < 0;
}
