/** The lint engine: text and settings in, findings out. No LSP, no VS Code, no I/O. */
import type { CodeIndex } from './code-index';
import { ConfigError, parseConfig, type ConfigFile } from './config';
import { ManifestWorkspace } from './manifests/workspace';
import { isKustomizationFile } from './kustomize/kustomization';
import { phaseOfFile } from './phases';
import { lintSql, type SqlLintMemo } from './sql/lint';
import { isRollbackFile } from './sql/migration-tools';
import type { SchemaChange } from './sql/schema';
import { splitSql } from './sql/split';
import { dialectOf, isUncheckedEngine } from './mysql/dialect';
import { lintMysql } from './mysql/lint';
import { lintEmbedded } from './embedded/lint';
import { flagRuleIds, lintFlagReads } from './flags/lint';
import type { FlagSnapshot } from './flags/snapshot';
import type { EngineSettings, Finding } from './types';
import { codeRuleIds, lintCode } from './code/lint';
import type { WorkloadsContext } from './code/rule';
import { workspaceEnv } from './env/workload-env';
import type { OutsideKeys } from './env/types';
import { engineSeverity } from './registry';

export { compiledParser, loadParser, type CompiledParser } from './sql/parse';
export { keepParsedStatements } from './statement-cache';
export { lintSql, SqlLintMemo } from './sql/lint';
export { SchemaFacts, type SchemaChange } from './sql/schema';
export {
  compareMigrationNames,
  migrationPlace,
  needsEarlierFiles,
  ordersByVersion,
  VERSION_FOLDER,
  withEarlierFiles,
  withoutWithdrawn,
  type LintedMigration,
  type MigrationPlace,
} from './migration-order';
export { isContractStep } from './phases';
export * from './types';
export { ruleRegistry, allRuleIds } from './registry';
export {
  parseConfig,
  mergeSettings,
  validateSettings,
  ConfigError,
  CONFIG_FILE_NAME,
  type ConfigFile,
  type ConfigPath,
  type ConfigSections,
  type PartialSettings,
} from './config';
export { decodeFile, MAX_FILE_BYTES, tooLargeReason } from './files';
export { LineIndex } from './text';

export { ManifestWorkspace } from './manifests/workspace';
export type { ApplicationChartRelease, ChartRendering } from './manifests/helm';
export { isKustomizeInput, KUSTOMIZATION_FILE_NAMES, parseKustomization, referencedPaths } from './kustomize/kustomization';
export { CodeIndex, CODE_FILE, NOT_APPLICATION_CODE } from './code-index';
export { hoverSql, type StatementHover } from './sql/hover';
export { measuredHover, TRACE_COMMAND, TRACED_NOTIFICATION, WORKSPACE_TRUSTED_NOTIFICATION, type MeasuredStatement, type MeasuredTrace } from './sql/measured';
export { hoverManifest } from './manifests/hover';
export { lintMysql } from './mysql/lint';
export { hoverMysql } from './mysql/hover';
export { dialectOf } from './mysql/dialect';
export { lintEmbedded, mayHoldSql } from './embedded/lint';
export { runsInWorkload } from './code/rules/missing-env';
export type { WorkloadsContext } from './code/rule';
export type { EnvSource, OutsideKeys, WorkloadEnv, WorkloadEnvSource, WorkloadMapping } from './env/types';
export { workspaceEnv } from './env/workload-env';
export { findFlagReads, mayReadFlags, type FlagRead } from './js/flag-reads';
export { flagLenses, hoverFlag, lintFlagReads } from './flags/lint';
export * from './flags/snapshot';

/** SQL files; synapse keeps its PostgreSQL-only schema deltas in `….sql.postgres` (and its SQLite ones, not checked, in `….sql.sqlite`). */
const SQL_EXTENSIONS = /\.(sql|pgsql|psql|sql\.postgres)$/i;
const YAML_EXTENSIONS = /\.ya?ml$/i;
/** TypeScript / JavaScript: only the SQL inside query(…), execute(…), raw(…) and sql`…` is linted. */
export const CODE_EXTENSIONS = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/i;

export type FileKind = 'sql' | 'yaml' | 'config' | 'code' | undefined;

export function fileKind(fileName: string): FileKind {
  if (/(^|[\\/])\.rollout-guard\.ya?ml$/.test(fileName)) return 'config';
  if (SQL_EXTENSIONS.test(fileName)) return 'sql';
  // A kustomization may be named `Kustomization`, without an extension.
  if (YAML_EXTENSIONS.test(fileName) || isKustomizationFile(fileName)) return 'yaml';
  if (CODE_EXTENSIONS.test(fileName) && !/\.d\.[mc]?ts$/i.test(fileName)) return 'code';
  return undefined;
}

export interface LintRequest {
  fileName: string;
  text: string;
  settings: EngineSettings;
  isCancelled?: () => boolean;
  /** The workspace a YAML file belongs to, with the file already in it; default: the file alone. */
  workspace?: ManifestWorkspace;
  /** Results of the previous lint of this SQL document, to re-check only what changed. */
  sqlMemo?: SqlLintMemo;
  /** The workspace's application code (for column-still-referenced in contract steps). */
  codeIndex?: CodeIndex;
  /**
   * `workloads:` of the configuration: TS/JS files in their sources are checked against the
   * workloads' environment in `workspace` (missing-env), the configuration file names those not
   * in it. `outside`: keys of ConfigMaps and Secrets the workspace does not hold (the cluster's).
   */
  workloads?: WorkloadsContext & { outside?: OutsideKeys };
  /** False: a TS/JS file is checked for its environment reads only, not its SQL (the CLI without --embedded). */
  sqlInCode?: boolean;
  /** TS/JS: the flag service's definitions, to check flag reads against; without them nothing is said about flags. */
  flags?: FlagSnapshot;
  /** PostgreSQL: told what the file changes in the schema facts (see sql/schema.ts and migration-order.ts). */
  onSchemaChanges?: (changes: readonly SchemaChange[]) => void;
  /**
   * PostgreSQL: the migration tool the file's project depends on (workspace/migration-folder.ts), for
   * `assumeInTransaction: auto` when the file does not show its own (sql/migration-tools.ts).
   */
  migrationTool?: string;
  /**
   * The engine the file's project runs its migrations on, when its project says (Prisma's
   * migration_lock.toml: `mysql`, `sqlite`…; workspace/migration-folder.ts), after what the file's
   * marker, the configured globs and its name say: MySQL gets the MySQL rules, engines not checked here nothing.
   */
  projectEngine?: string;
}

/** Lints one file by its kind; files of other kinds give no findings. */
export function lintText(request: LintRequest): Finding[] {
  switch (fileKind(request.fileName)) {
    case 'sql': {
      // It runs only to undo a migration (like the Down part of a goose file), or on an engine not checked here.
      if (isRollbackFile(request.fileName) || isUncheckedEngine(request.fileName, request.text, request.settings, request.projectEngine)) return [];
      const dialect = dialectOf(request.fileName, request.text, request.settings, request.projectEngine);
      if (dialect !== 'postgres')
        return lintMysql(request.text, request.settings, { dialect, phase: phaseOfFile(request.fileName), isCancelled: request.isCancelled });
      return withMysqlHint(
        request.text,
        lintSql(request.text, request.settings, {
          isCancelled: request.isCancelled,
          memo: request.sqlMemo,
          phase: phaseOfFile(request.fileName),
          codeIndex: request.codeIndex,
          onSchemaChanges: request.onSchemaChanges,
          fileName: request.fileName,
          projectTool: request.migrationTool,
        }),
      );
    }
    case 'code': {
      const sql = request.sqlInCode === false ? [] : lintEmbedded(request.fileName, request.text, request.settings, request);
      const flags = request.flags ? lintFlagReads(request.text, request.flags, request.settings, request.isCancelled) : [];
      // An ignore of a rule on code (flag or environment reads) suppresses nothing in the SQL: the SQL side does not report it.
      const ignoreOf = (ids: ReadonlySet<string>) => (f: Finding) => f.rule === 'unused-ignore' && ids.has(request.text.slice(f.start, f.end));
      const sqlOnly = sql.filter((f) => !ignoreOf(flagRuleIds)(f));
      const { workloads, workspace } = request;
      if (!workloads?.workloads.length || !workspace) return flags.length ? [...sqlOnly, ...flags].sort((a, b) => a.start - b.start) : sqlOnly;
      const uses = new Set<string>();
      const code = lintCode(request.fileName, request.text, {
        ...workloads,
        settings: request.settings,
        env: workspaceEnv(workspace, uses, workloads.outside),
      });
      workspace.recordUses(request.fileName, uses);
      return [...sqlOnly.filter((f) => !ignoreOf(codeRuleIds)(f)), ...code, ...flags].sort((a, b) => a.start - b.start);
    }
    case 'yaml': {
      let workspace = request.workspace;
      if (!workspace) {
        workspace = new ManifestWorkspace();
        workspace.update(request.fileName, request.text);
      }
      return workspace.lint(request.fileName, request.settings);
    }
    case 'config':
      return lintConfig(request);
    default:
      return [];
  }
}

const MYSQL_LOOK = /`\w+`|\bENGINE\s*=\s*InnoDB\b|\bAUTO_INCREMENT\b|^\s*DELIMITER\s/im;

/** PostgreSQL syntax errors in a file written for MySQL say how to switch the dialect. */
function withMysqlHint(text: string, findings: Finding[]): Finding[] {
  if (!findings.some((f) => f.rule === 'syntax-error') || !MYSQL_LOOK.test(withoutComments(text))) return findings;
  const hint = ' This file looks like MySQL: add a line `-- rollout-guard: dialect mysql` or set `dialect: mysql` in .rollout-guard.yaml.';
  return findings.map((f) => (f.rule === 'syntax-error' ? { ...f, message: f.message + hint } : f));
}

/** The text with its comments blanked out: a backtick in a comment says nothing about the dialect. */
function withoutComments(text: string): string {
  let out = '';
  let from = 0;
  for (const comment of splitSql(text).comments) {
    out += text.slice(from, comment.start);
    from = comment.end;
  }
  return out + text.slice(from);
}

/** The configuration file itself: a finding where it is wrong, and on each workload the workspace does not hold. */
function lintConfig({ text, fileName, workspace, settings }: LintRequest): Finding[] {
  let config: ConfigFile;
  try {
    config = parseConfig(text, fileName.split(/[\\/]/).pop());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [{ rule: 'invalid-config', severity: 'error', start: error.start ?? 0, end: error.end ?? 1, message: error.message }];
  }
  const severity = engineSeverity('unknown-workload', settings);
  if (!workspace || !severity || !config.sections.workloads) return [];
  const uses = new Set<string>();
  const env = workspaceEnv(workspace, uses);
  const findings = config.sections.workloads.flatMap((workload, i): Finding[] => {
    if (env.envOf(workload).length) return [];
    const at = config.errorAt(['workloads', i, 'name'], '');
    const name = `${workload.kind} ${workload.namespace ? `${workload.namespace}/` : ''}${workload.name}`;
    return [
      {
        rule: 'unknown-workload',
        severity,
        start: at.start ?? 0,
        end: at.end ?? 1,
        message: `${name} is not among the workspace's manifests (or has no pod template): the environment reads of ${workload.source.join(', ')} are not checked against it (missing-env). Fix the kind, namespace or name, or check the folder that holds its manifests too.`,
      },
    ];
  });
  workspace.recordUses(fileName, uses);
  return findings;
}
