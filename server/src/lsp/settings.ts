/** Per-resource settings: .rollout-guard.yaml of the workspace folder, then VS Code settings on top. */
import fs from 'node:fs';
import path from 'node:path';
import { URI } from 'vscode-uri';
import { CONFIG_FILE_NAME, ConfigError, mergeSettings, parseConfig, validateSettings, type EngineSettings, type PartialSettings } from '../engine';

/** The `rolloutGuard` section as VS Code sends it. */
export interface EditorSettings {
  enable?: boolean;
  pgVersion?: number;
  assumeInTransaction?: boolean;
  rules?: Record<string, string>;
  configFile?: string;
}

export interface ResolvedSettings {
  enabled: boolean;
  engine: EngineSettings;
  /** Problems with the config file or settings, shown to the user once. */
  problems: string[];
  /** The config file used, if any. */
  configPath?: string;
}

/** Reads and validates the settings for one document; never throws. */
export function resolveSettings(documentUri: string, workspaceFolders: string[], editor: EditorSettings | null | undefined): ResolvedSettings {
  const problems: string[] = [];
  const folder = workspaceFolderOf(documentUri, workspaceFolders);
  let fromFile: PartialSettings | undefined;
  let configPath: string | undefined;
  if (folder) {
    const candidate = path.resolve(folder, editor?.configFile || CONFIG_FILE_NAME);
    if (fs.existsSync(candidate)) {
      configPath = candidate;
      try {
        fromFile = parseConfig(fs.readFileSync(candidate, 'utf8'), path.relative(folder, candidate));
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
  }
  let fromEditor: PartialSettings | undefined;
  try {
    // The client sends only values the user set (not VS Code's defaults), so they win over the file.
    const record: Record<string, unknown> = {};
    if (editor?.pgVersion !== undefined) record.pgVersion = editor.pgVersion;
    if (editor?.assumeInTransaction !== undefined) record.assumeInTransaction = editor.assumeInTransaction;
    if (editor?.rules && Object.keys(editor.rules).length) record.rules = editor.rules;
    fromEditor = validateSettings(record, 'rolloutGuard settings');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error.message);
  }
  return { enabled: editor?.enable !== false, engine: mergeSettings(fromFile, fromEditor), problems, configPath };
}

function workspaceFolderOf(documentUri: string, folders: string[]): string | undefined {
  let docPath: string;
  try {
    const uri = URI.parse(documentUri);
    if (uri.scheme !== 'file') return folders[0] ? URI.parse(folders[0]).fsPath : undefined;
    docPath = uri.fsPath;
  } catch {
    return undefined;
  }
  const candidates = folders.map((f) => URI.parse(f).fsPath).filter((f) => docPath === f || docPath.startsWith(f + path.sep));
  return candidates.sort((a, b) => b.length - a.length)[0];
}
