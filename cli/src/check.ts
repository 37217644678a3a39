import fs from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  decodeFile,
  MAX_FILE_BYTES,
  tooLargeReason,
  fileKind,
  LineIndex,
  ManifestWorkspace,
  KUSTOMIZATION_FILE_NAMES,
  parseKustomization,
  referencedPaths,
  CodeIndex,
  isContractStep,
  CODE_FILE,
  NOT_APPLICATION_CODE,
  loadParser,
  mergeSettings,
  runsInWorkload,
  validateSettings,
  withEarlierFiles,
  compareMigrationNames,
  migrationPlace,
  needsEarlierFiles,
  ordersByVersion,
  type EngineSettings,
  type LintedMigration,
  type FlagSnapshot,
  type Finding,
  type WorkloadsContext,
  type OutsideKeys,
  type ApplicationChartRelease,
} from '../../server/src/engine';
import { checkConfigFile, explicitUnits, loadConfig, manifestExclusion } from '../../server/src/workspace/config-file';
import { chartRelease, renderWorkspaceCharts, type ChartRelease } from '../../server/src/workspace/helm';
import { folderMigrations, projectEngine, projectMigrationTool, type ManifestsSeen } from '../../server/src/workspace/migration-folder';
import { projectRootOf, scanFiles } from '../../server/src/workspace/scan';
import type { CliIo } from './io';
import type { clusterCheck, ClusterCheckOptions } from './check-cluster';
import { escapeControl, formatJson, formatSarif, formatText, type LocatedFinding } from './format';
import { defaultThreads, lintLoaded, lintSqlFiles, lintSqlResult, type SqlJob, type SqlResult } from './parallel-lint';
import { ResultCache } from './result-cache';

export interface CheckOptions {
  paths: string[];
  format: 'text' | 'json' | 'sarif';
  pgVersion?: string;
  kubernetesVersion?: string;
  assumeInTransaction?: boolean;
  configFile?: string;
  /** Also walk folders for TS/JS files and check the SQL inside them. */
  embedded?: boolean;
  color: boolean;
  version: string;
  /** With --cache: the cache file or the folder to keep it in. */
  cacheLocation?: string;
  /** Threads for SQL files (--jobs); default: one per CPU, at most four. */
  threads?: number;
  /** --cluster: resolve references in the live cluster too (run: the cluster bundle's clusterCheck). */
  cluster?: { options: ClusterCheckOptions; run: typeof clusterCheck };
}

/** The flag service's definitions for flag reads in TS/JS (cli/src/flag.ts, loaded only when `flags:` is configured). */
export type FlagSnapshotLoader = (
  cwd: string,
  configFile: string | undefined,
  env: NodeJS.ProcessEnv,
) => Promise<{ snapshot: FlagSnapshot } | { problem: string }>;

/** Folders never worth descending into. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);
/** With --embedded: bundles and generated code repeat the sources' SQL. */
const BUILD_DIRS = new Set(['dist', 'build', 'out', 'coverage', '.next', 'vendor']);

export async function check(options: CheckOptions, io: CliIo, loadFlagSnapshot?: FlagSnapshotLoader): Promise<number> {
  let settings: EngineSettings;
  let workloads: (WorkloadsContext & { outside?: OutsideKeys }) | undefined;
  // With flags: configured, TS/JS files are walked for their flag reads (their SQL only with --embedded).
  let flags: FlagSnapshot | undefined;
  let flagsConfigured: boolean;
  let excluded: ((file: string) => boolean) | undefined;
  let units: string[] | undefined;
  let releaseOf: (chartDir: string, application: ApplicationChartRelease | undefined) => ChartRelease;
  // The flag service is asked once the paths are walked, and its answer awaited when the code is checked: the files are read and linted meanwhile.
  let flagAnswer: Promise<{ answer: Awaited<ReturnType<FlagSnapshotLoader>> } | { error: unknown }> | undefined;
  const configFile = options.configFile ?? checkConfigFile(io.cwd, options.paths);
  try {
    ({ settings, workloads, flagsConfigured, excluded, units, releaseOf } = resolveSettings(options, configFile, io.cwd));
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`rollout-guard: ${escapeControl(error.message)}\n`);
      return 2;
    }
    throw error;
  }
  const files: string[] = [];
  /** Files named on the command line: a TS/JS one has its SQL checked even without --embedded. */
  const named = new Set<string>();
  // Folders and files that could not be read: each is a finding, never a silent skip.
  const unreadablePaths = new Map<string, Finding>();
  const walkCode = !!options.embedded || flagsConfigured;
  const skipDir = (_full: string, name: string): boolean => SKIPPED_DIRS.has(name) || (walkCode && BUILD_DIRS.has(name));
  // TS/JS only when asked, with flags: configured, or in the sources of a configured workload: a CI run that checks migrations/ should not start linting application code.
  const wanted = (full: string, name: string): boolean => {
    const kind = fileKind(name);
    if (kind === 'yaml' && excluded?.(full)) return false;
    return kind !== undefined && (kind !== 'code' || walkCode || (!!workloads && runsInWorkload(workloads, full)));
  };
  for (const given of options.paths) {
    const full = path.resolve(io.cwd, given);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      io.stderr.write(`rollout-guard: ${escapeControl(given)}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${code})`}\n`);
      return 2;
    }
    const before = files.length + unreadablePaths.size;
    if (stat.isDirectory()) walkFiles(full, skipDir, wanted, files, unreadablePaths);
    else {
      files.push(full);
      named.add(full);
    }
    if (files.length + unreadablePaths.size === before) {
      io.stderr.write(`rollout-guard: ${escapeControl(given)}: no file to check in it (.sql, .yaml, .yml${walkCode ? ', .ts, .js' : ''})\n`);
      return 2;
    }
  }
  if (flagsConfigured && loadFlagSnapshot)
    flagAnswer = loadFlagSnapshot(io.cwd, configFile, io.env).then(
      (answer) => ({ answer }),
      (error: unknown) => ({ error }),
    );
  await loadParser();
  // The files given are one workspace: manifests see each other's objects.
  const workspace = new ManifestWorkspace();
  workspace.setExplicitUnits(units);
  const loaded = [...new Set(files)].sort().map((file) => ({ file, ...readFile(file) }));
  for (const [file, problem] of unreadablePaths) loaded.push({ file, problem });
  for (const f of loaded) if (f.text !== undefined && fileKind(f.file) === 'yaml') workspace.update(f.file, f.text);
  addKustomizeInputs(workspace);
  // Helm charts as helm renders them, where helm is installed.
  await renderWorkspaceCharts(workspace, {
    dirOf: (folder) => folder,
    releaseOf: (_folder, chartDir, application) => releaseOf(chartDir, application),
    env: io.env,
  });
  let dryRunFindings = new Map<string, Finding[]>();
  if (options.cluster) {
    const result = await options.cluster.run(workspace, options.cluster.options, io);
    if ('exit' in result) return result.exit;
    dryRunFindings = result.dryRunFindings;
    // missing-env: envFrom sources the workspace lacks are answered by the cluster.
    if (workloads) workloads = { ...workloads, outside: result.outside };
  }
  // A contract step is compared with the application code of its own project, read once per project.
  const codeIndexes = new Map<string, Promise<CodeIndex>>();
  const codeIndexFor = (file: string): Promise<CodeIndex> => {
    const root = projectRootOf(file, io.cwd);
    let index = codeIndexes.get(root);
    if (!index) codeIndexes.set(root, (index = buildCodeIndex(root, io.cwd, new Set(files))));
    return index;
  };
  const cache = options.cacheLocation ? ResultCache.open(options.cacheLocation, settings, options.version) : undefined;
  // Plain SQL files are checked each on its own: several at a time, on threads, and cached with
  // --cache; contract steps against the application code. Then the earlier files of each migration
  // folder (read from disk where this run does not check them) withdraw the findings their schema facts answer. Manifests are checked across files and
  // application code against the manifests' workloads: those are checked in order below.
  const threads = options.threads ?? defaultThreads();
  const sqlJob = sqlJobs();
  const sqlFiles = loaded.flatMap((f) => (f.text !== undefined && fileKind(f.file) === 'sql' ? [sqlJob(f.file, f.text)] : []));
  const sqlResults = await lintCached(
    sqlFiles.filter((f) => !isContractStep(f.fileName, f.text)),
    settings,
    threads,
    io.lintWorker,
    cache,
  );
  for (const f of sqlFiles) {
    if (!isContractStep(f.fileName, f.text)) continue;
    sqlResults.set(f.fileName, lintSqlResult({ ...f, settings, codeIndex: await codeIndexFor(f.fileName) }));
  }
  if (flagAnswer) {
    const read = await flagAnswer;
    if ('error' in read) {
      if (!(read.error instanceof ConfigError)) throw read.error;
      io.stderr.write(`rollout-guard: ${escapeControl(read.error.message)}\n`);
      return 2;
    }
    if ('snapshot' in read.answer) flags = read.answer.snapshot;
    else io.stderr.write(`rollout-guard: flag reads not checked: ${escapeControl(read.answer.problem)}\n`);
  }
  // TS/JS files (their SQL, flag and environment reads): the schema changes of their SQL count for the migrations after them, as a SQL file's do.
  const codeResults = new Map<string, SqlResult>();
  for (const f of loaded)
    if (f.text !== undefined && fileKind(f.file) === 'code')
      codeResults.set(
        f.file,
        lintSqlResult({ fileName: f.file, text: f.text, settings, workspace, workloads, flags, sqlInCode: !!options.embedded || named.has(f.file) }),
      );
  const checked = new Map([...sqlResults, ...codeResults]);
  const migrations = [...checked].map(([file, result]) => ({ file, ...result }));
  const unchecked = await earlierMigrationsNotChecked(checked, sqlJob, settings, threads, io.lintWorker, cache);
  const folded = withEarlierFiles([...migrations, ...unchecked]).slice(0, migrations.length);
  const migrationFindings = new Map(folded.map((findings, index) => [migrations[index]!.file, findings]));
  const located: LocatedFinding[] = [];
  for (const f of loaded) {
    let findings = f.text === undefined ? [f.problem!] : migrationFindings.get(f.file);
    findings ??= lintLoaded({ fileName: f.file, text: f.text!, settings, workspace, workloads, flags });
    // What the API server refused on a dry run: never cached.
    findings = [...findings, ...(dryRunFindings.get(f.file) ?? [])];
    const lines = new LineIndex(f.text ?? '');
    const shown = displayPath(io.cwd, f.file);
    for (const finding of findings) located.push(locate(shown, lines, finding, io.cwd));
  }
  const output =
    options.format === 'json'
      ? formatJson(located)
      : options.format === 'sarif'
        ? formatSarif(located, options.version)
        : formatText(located, options.color, files.length);
  io.stdout.write(output);
  cache?.save();
  return located.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}

/**
 * The migrations before a checked one in its folder that this run does not check (one file of a
 * folder given): linted for what they establish, where a finding of the checked one depends on it.
 */
async function earlierMigrationsNotChecked(
  checked: Map<string, SqlResult>,
  sqlJob: (fileName: string, text: string) => SqlJob,
  settings: EngineSettings,
  threads: number,
  lintWorker: string | undefined,
  cache: ResultCache | undefined,
): Promise<LintedMigration[]> {
  // Per folder, the last checked migration with a finding that a fact could withdraw: the ones before it count.
  const last = new Map<string, string>();
  for (const [file, { findings }] of checked) {
    const place = migrationPlace(file);
    if (!place || !ordersByVersion(place) || !findings.some(needsEarlierFiles)) continue;
    const before = last.get(place.folder);
    if (before === undefined || compareMigrationNames(before, place.name) < 0) last.set(place.folder, place.name);
  }
  const files: string[] = [];
  for (const [folder, name] of last)
    for (const m of folderMigrations(folder)) if (ordersByVersion(m) && compareMigrationNames(m.name, name) < 0 && !checked.has(m.file)) files.push(m.file);
  const readable = files.flatMap((file) => {
    const { text } = readFile(file);
    return text === undefined ? [] : [sqlJob(file, text)];
  });
  return [...(await lintCached(readable, settings, threads, lintWorker, cache))].map(([file, result]) => ({ file, ...result }));
}

/** SQL files to lint, each with the migration tool its project depends on and the engine it says (a run reads each manifest, lock file and journal once). */
function sqlJobs(): (fileName: string, text: string) => SqlJob {
  const manifests: ManifestsSeen = new Map();
  return (fileName, text) => {
    const job: SqlJob = { fileName, text };
    const engine = projectEngine(fileName, manifests);
    const migrationTool = projectMigrationTool(fileName, manifests, engine);
    if (migrationTool) job.migrationTool = migrationTool;
    if (engine) job.projectEngine = engine;
    return job;
  };
}

/** Each SQL file's findings and schema changes: kept by --cache, else linted (on threads) and kept. */
async function lintCached(
  files: SqlJob[],
  settings: EngineSettings,
  threads: number,
  lintWorker: string | undefined,
  cache: ResultCache | undefined,
): Promise<Map<string, SqlResult>> {
  const results = new Map<string, SqlResult>();
  const jobs: SqlJob[] = [];
  for (const f of files) {
    const cached = cache?.get(f);
    if (cached) results.set(f.fileName, cached);
    else jobs.push(f);
  }
  const linted = await lintSqlFiles(jobs, settings, threads, lintWorker);
  jobs.forEach((job, index) => {
    results.set(job.fileName, linted[index]!);
    cache?.set(job, linted[index]!);
  });
  return results;
}

/**
 * Files the checked kustomizations read from outside the paths given (a base folder, an env
 * file): given to the workspace so each overlay renders whole; their own findings are not reported.
 */
function addKustomizeInputs(workspace: ManifestWorkspace): void {
  const isKustomization = (file: string): boolean => KUSTOMIZATION_FILE_NAMES.includes(path.basename(file));
  const queue = workspace.fileNames.filter(isKustomization);
  while (queue.length) {
    const file = queue.pop()!;
    const kustomization = parseKustomization(file, workspace.text(file) ?? '');
    for (const target of kustomization ? referencedPaths(kustomization) : []) {
      const inFolder = KUSTOMIZATION_FILE_NAMES.map((name) => path.join(target, name)).find((f) => fs.existsSync(f));
      const wanted = inFolder ?? target;
      if (workspace.has(wanted) || !fs.existsSync(wanted) || fs.statSync(wanted).isDirectory()) continue;
      const { text } = readFile(wanted);
      if (text === undefined) continue;
      workspace.update(wanted, text);
      if (isKustomization(wanted)) queue.push(wanted);
    }
  }
}

function resolveSettings(
  options: CheckOptions,
  configFile: string | undefined,
  cwd: string,
): {
  settings: EngineSettings;
  workloads?: WorkloadsContext;
  excluded?: (file: string) => boolean;
  units?: string[];
  releaseOf: (chartDir: string, application: ApplicationChartRelease | undefined) => ChartRelease;
  flagsConfigured: boolean;
} {
  const config = loadConfig(cwd, configFile);
  const fromFlags: Record<string, unknown> = {};
  if (options.pgVersion !== undefined) fromFlags.pgVersion = options.pgVersion;
  if (options.kubernetesVersion !== undefined) fromFlags.kubernetesVersion = options.kubernetesVersion;
  if (options.assumeInTransaction) fromFlags.assumeInTransaction = true;
  const settings = mergeSettings(config?.settings, validateSettings(fromFlags, 'command line'));
  const mapped = config?.sections.workloads;
  const flagsConfigured = !!config?.sections.flags;
  const excluded = config && manifestExclusion(config);
  const units = config && explicitUnits(config);
  const releaseOf = (chartDir: string, application: ApplicationChartRelease | undefined): ChartRelease => chartRelease(config, chartDir, application);
  if (!config || !mapped?.length) return { settings, excluded, units, releaseOf, flagsConfigured };
  // Helpers imported by the code are read as they are needed, each once.
  const texts = new Map<string, string | undefined>();
  const codeText = (file: string): string | undefined => {
    if (!texts.has(file)) texts.set(file, fs.existsSync(file) ? readFile(file).text : undefined);
    return texts.get(file);
  };
  return { settings, excluded, units, releaseOf, workloads: { workloads: mapped, configDir: path.dirname(config.path), codeText }, flagsConfigured };
}

/**
 * Files below `dir` that `wanted` accepts, not descending into folders `skip` names. Symbolic
 * links are followed (a folder reached twice, a loop, is walked once); a folder or link that
 * cannot be read goes to `unreadable` with the reason.
 */
function walkFiles(
  dir: string,
  skip: (full: string, name: string) => boolean,
  wanted: (full: string, name: string) => boolean,
  out: string[],
  unreadable: Map<string, Finding>,
  visited = new Set<string>(),
): void {
  let real: string;
  let entries: fs.Dirent[];
  try {
    real = fs.realpathSync(dir);
    if (visited.has(real)) return;
    visited.add(real);
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    unreadable.set(dir, unreadableFinding(`Folder could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); nothing in it was checked.`));
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (skip(full, entry.name)) continue;
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = fs.statSync(full);
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      } catch (error) {
        if (wanted(full, entry.name))
          unreadable.set(
            full,
            unreadableFinding(`Symbolic link could not be followed (${(error as NodeJS.ErrnoException).code ?? 'error'}); it was not checked.`),
          );
        continue;
      }
    }
    if (isDirectory) walkFiles(full, skip, wanted, out, unreadable, visited);
    else if (isFile && wanted(full, entry.name)) out.push(full);
  }
}

/** The application code of the project at `root` (not the migrations being checked), skipping what git ignores. */
async function buildCodeIndex(root: string, cwd: string, checked: Set<string>): Promise<CodeIndex> {
  const index = new CodeIndex();
  const { files } = await scanFiles(root, [], (name, relative) => CODE_FILE.test(name) && !NOT_APPLICATION_CODE.test(relative), { ownProjectOnly: true });
  for (const file of files) {
    if (checked.has(file)) continue;
    const decoded = readFile(file);
    if (decoded.text !== undefined) index.set(path.relative(cwd, file).split(path.sep).join('/'), decoded.text);
  }
  return index;
}

const displayPath = (cwd: string, file: string): string => path.relative(cwd, file).split(path.sep).join('/') || path.basename(file);

/** A file's text, or the finding that says why it cannot be checked. Only regular files are read, and at most the size limit. */
function readFile(file: string): { text?: string; problem?: Finding } {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(file);
    // A FIFO would block and /dev/zero never end: what is not a regular file is not read.
    if (!stat.isFile()) return { problem: unreadableFinding('Not a regular file (a device, FIFO or socket); it was not checked.') };
    if (stat.size > MAX_FILE_BYTES) return { problem: unreadableFinding(tooLargeReason(stat.size)) };
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { problem: unreadableFinding(`File could not be read (${code}); it was not checked.`) };
  }
  const decoded = decodeFile(bytes);
  return decoded.ok ? { text: decoded.text } : { problem: unreadableFinding(decoded.reason) };
}

const unreadableFinding = (message: string): Finding => ({ rule: 'unreadable-file', severity: 'error', start: 0, end: 0, message });

function locate(file: string, index: LineIndex, finding: Finding, cwd: string): LocatedFinding {
  const start = index.position(finding.start);
  const end = index.position(finding.end);
  return {
    file,
    rule: finding.rule,
    severity: finding.severity,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    message: finding.message,
    ...(finding.related?.length || finding.relatedHere?.length
      ? {
          related: [
            ...(finding.related ?? []).map((r) => ({
              file: displayPath(cwd, r.file),
              line: r.start.line + 1,
              column: r.start.character + 1,
              message: r.message,
            })),
            ...(finding.relatedHere ?? []).map((r) => {
              const at = index.position(r.start);
              return { file, line: at.line + 1, column: at.character + 1, message: r.message };
            }),
          ],
        }
      : {}),
  };
}
