/** Per-resource settings: .rollout-guard.yaml of the workspace folder, then VS Code settings on top. */
import path from 'node:path';
import { globMatcher } from '../engine/glob';
import { URI } from 'vscode-uri';
import { EDITOR_DIAGNOSTICS_LIMIT } from './convert';
import {
  ConfigError,
  mergeSettings,
  validateSettings,
  type ApplicationChartRelease,
  type EngineSettings,
  type PartialSettings,
  type WorkloadMapping,
} from '../engine';
import { explicitUnits, folderConfigFile, manifestExclusion, readConfigFile, type LoadedConfig } from '../workspace/config-file';
import { chartRelease, type ChartRelease } from '../workspace/helm';

/** The `rolloutGuard` section as VS Code sends it. */
export interface EditorSettings {
  enable?: boolean;
  pgVersion?: number;
  assumeInTransaction?: boolean | 'implicit' | 'auto';
  rules?: Record<string, string>;
  configFile?: string;
  schemaValidation?: 'auto' | 'on' | 'off';
  kubernetesVersion?: string;
  maxDiagnosticsPerFile?: number;
  /** Globs that Red Hat YAML validates against its Kubernetes schema (from its yaml.schemas), sent by the client. */
  redHatKubernetesGlobs?: string[];
}

export interface ResolvedSettings {
  enabled: boolean;
  engine: EngineSettings;
  /** Problems with the config file or settings, shown to the user once. */
  problems: string[];
  /** The config file used, if any. */
  configPath?: string;
  /** Its `workloads:`, with its folder's URI (sources are relative to it). */
  workloads?: { list: WorkloadMapping[]; configDir: string };
  /** `manifests.exclude` of the config file: YAML files (paths on disk) neither checked nor indexed. */
  manifestExcluded?: (file: string) => boolean;
  /** `manifests.units` of the config file: folders (URIs) each deployed as one unit. */
  explicitUnits?: string[];
  /** How a chart folder (a path on disk) is released: `manifests.charts` of the config file, else as the Application that deploys it does. */
  chartRelease: (chartDir: string, application: ApplicationChartRelease | undefined) => ChartRelease;
  /** Most diagnostics published per file (see findingsToPublish). */
  diagnosticsLimit: number;
  /** For schemaValidation `auto`: files another extension already validates. */
  standsBackFor: (uri: string, text: string) => boolean;
}

/** Reads and validates the settings for one document; never throws. */
export function resolveSettings(documentUri: string, workspaceFolders: string[], editor: EditorSettings | null | undefined): ResolvedSettings {
  const problems: string[] = [];
  const folder = workspaceFolderOf(documentUri, workspaceFolders);
  let fromFile: PartialSettings | undefined;
  let configPath: string | undefined;
  let workloads: ResolvedSettings['workloads'];
  let manifestExcluded: ResolvedSettings['manifestExcluded'];
  let units: string[] | undefined;
  let config: LoadedConfig | undefined;
  if (folder) {
    configPath = folderConfigFile(folder, editor?.configFile);
    if (configPath) {
      try {
        config = readConfigFile(configPath, path.relative(folder, configPath));
        fromFile = config.settings;
        manifestExcluded = manifestExclusion(config);
        units = explicitUnits(config)?.map((unit) => URI.file(unit).toString());
        if (config.sections.workloads?.length) workloads = { list: config.sections.workloads, configDir: URI.file(path.dirname(configPath)).toString() };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(error.message);
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
    if (editor?.schemaValidation !== undefined) record.schemaValidation = editor.schemaValidation;
    if (editor?.kubernetesVersion !== undefined) record.kubernetesVersion = editor.kubernetesVersion;
    fromEditor = validateSettings(record, 'rolloutGuard settings');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error.message);
  }
  let diagnosticsLimit = EDITOR_DIAGNOSTICS_LIMIT;
  const limit = editor?.maxDiagnosticsPerFile;
  if (limit !== undefined) {
    if (Number.isInteger(limit) && limit >= 1) diagnosticsLimit = limit;
    else
      problems.push(
        `rolloutGuard.maxDiagnosticsPerFile must be a whole number of at least 1, not ${JSON.stringify(limit)}; using ${EDITOR_DIAGNOSTICS_LIMIT}.`,
      );
  }
  const globs = editor?.redHatKubernetesGlobs ?? [];
  const matches = globMatcher(globs, { matchBase: true, skipInvalid: true });
  const standsBackFor = (uri: string, text: string): boolean => {
    // A `# yaml-language-server: $schema=…kubernetes…` modeline, or a file mapped in yaml.schemas.
    if (/#\s*yaml-language-server:\s*\$schema=\S*kubernetes/i.test(text.slice(0, 2000))) return true;
    const file = URI.parse(uri).fsPath;
    return matches(folder ? path.relative(folder, file).split(path.sep).join('/') : path.basename(file));
  };
  return {
    enabled: editor?.enable !== false,
    engine: mergeSettings(fromFile, fromEditor),
    problems,
    configPath,
    workloads,
    manifestExcluded,
    explicitUnits: units,
    chartRelease: (chartDir, application) => chartRelease(config, chartDir, application),
    diagnosticsLimit,
    standsBackFor,
  };
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

/**
 * Resolved settings per document, pulled from the client on first need and kept until the
 * settings, the config file or the document change. Each problem is told to the user once.
 */
export class SettingsCache {
  /** The workspace folders' URIs. */
  folders: string[] = [];
  private readonly cache = new Map<string, Promise<ResolvedSettings>>();
  private readonly reportedProblems = new Set<string>();

  constructor(
    /** The client's rolloutGuard settings for a document (null when it cannot be asked). */
    private readonly pull: (uri: string) => Promise<EditorSettings | null>,
    private readonly tell: (problem: string) => void,
  ) {}

  for(uri: string): Promise<ResolvedSettings> {
    let cached = this.cache.get(uri);
    if (!cached) {
      cached = (async () => {
        const resolved = resolveSettings(uri, this.folders, await this.pull(uri));
        for (const problem of resolved.problems) {
          if (this.reportedProblems.has(problem)) continue;
          this.reportedProblems.add(problem);
          this.tell(problem);
        }
        return resolved;
      })();
      this.cache.set(uri, cached);
    }
    return cached;
  }

  /** The document closed. */
  forget(uri: string): void {
    this.cache.delete(uri);
  }

  /** The settings or the config file changed: everything is read again, and problems told again. */
  clear(): void {
    this.cache.clear();
    this.reportedProblems.clear();
  }
}
