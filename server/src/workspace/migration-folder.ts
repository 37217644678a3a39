/**
 * The migrations of a folder on disk, in the order they run (migration-order.ts): its files, or the
 * `migration.sql` / `up.sql` of its subfolders; rollback files and other engines' files left out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { compareMigrationNames, fileKind, migrationPlace } from '../engine';

/** The migrations of `folder` (a MigrationPlace's folder), in the order they run, with the names that order them (paths with the platform's separator). */
export function folderMigrations(folder: string): { file: string; name: string }[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: { file: string; name: string }[] = [];
  for (const entry of entries) {
    const candidates = entry.isDirectory()
      ? ['migration.sql', 'up.sql'].map((name) => path.join(folder, entry.name, name)).filter((f) => fs.existsSync(f))
      : [path.join(folder, entry.name)];
    for (const candidate of candidates)
      if (fileKind(candidate) === 'sql' && migrationPlace(candidate)?.name === entry.name) found.push({ file: candidate, name: entry.name });
  }
  return found.sort((a, b) => compareMigrationNames(a.name, b.name));
}

/** The migrations before `file` in its folder, in the order they run (paths with the platform's separator). */
export function earlierMigrations(file: string): string[] {
  const place = migrationPlace(file);
  if (!place) return [];
  return folderMigrations(place.folder)
    .filter((m) => compareMigrationNames(m.name, place.name) < 0)
    .map((m) => m.file);
}
