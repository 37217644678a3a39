/** The Rollout Guard language server: LSP wiring only; linting lives in ./engine. */
import path from 'node:path';
import { CLUSTER_NEEDS_REQUEST, CLUSTER_SNAPSHOT_NOTIFICATION, clusterNeeds, SnapshotClusterView, type ClusterSnapshot } from './engine/manifests/cluster-view';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  ErrorCodes,
  ResponseError,
  type CancellationToken,
  type CodeActionParams,
  type Connection,
  type CodeLensParams,
  type HoverParams,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import fs from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { format } from 'node:util';
import { URI } from 'vscode-uri';
import {
  decodeFile,
  MAX_FILE_BYTES,
  fileKind,
  hoverManifest,
  hoverSql,
  dialectOf,
  needsEarlierFiles,
  hoverMysql,
  isContractStep,
  lintText,
  loadParser,
  mayHoldSql,
  mayReadFlags,
  flagLenses,
  hoverFlag,
  ManifestWorkspace,
  measuredHover,
  TRACED_NOTIFICATION,
  WORKSPACE_TRUSTED_NOTIFICATION,
  type Finding,
  type MeasuredTrace,
  type WorkloadsContext,
  type FlagSnapshot,
  type SchemaChange,
  withoutWithdrawn,
} from './engine';
import { EarlierMigrations, runsBefore } from './lsp/earlier-migrations';
import { ApplicationCode } from './lsp/application-code';
import { codeActions, DiagnosticsJson, findingsToPublish, toDiagnostic, toRange } from './lsp/convert';
import { DocumentCaches } from './lsp/document-caches';
import { ManifestIndexBounds, MAX_INDEXED_OBJECTS } from './lsp/manifest-index';
import { serialisedDiagnostics, stdioWriter } from './lsp/publish';
import { SettingsCache, type EditorSettings, type ResolvedSettings } from './lsp/settings';
import { LintScheduler } from './lsp/scheduler';
import { MeasuredTraces } from './lsp/traces';
import { ChartRenderer } from './lsp/charts';
import { isMigrationKind, projectEngine, projectMigrationTool } from './workspace/migration-folder';
import { activeExcludes, scanYamlFiles } from './workspace/scan';

// Over stdio, diagnostics are written from their pre-built JSON (see lsp/publish.ts).
const stdio = process.argv.includes('--stdio');
const connection: Connection = stdio
  ? createConnection(ProposedFeatures.all, process.stdin, stdioWriter(process.stdout) as unknown as NodeJS.WritableStream)
  : createConnection(ProposedFeatures.all);
// createConnection sends console output to the client only when it opens stdio itself: stdout is the protocol.
if (stdio) {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    // eslint-disable-next-line no-console
    console[level] = (...args: unknown[]) => connection.console.log(format(...args));
  }
}
const documents = new TextDocuments(TextDocument);
let canPullConfiguration = false;
/**
 * The flag service's definitions per configuration file, as the client last read them
 * (rolloutGuard/flags: the client holds the token and reads the service through operations/flags).
 * None while the service fails: flag reads are then not checked rather than checked against old data.
 */
const flagSnapshots = new Map<string, FlagSnapshot>();
const settings = new SettingsCache(
  async (uri) =>
    canPullConfiguration ? ((await connection.workspace.getConfiguration({ scopeUri: uri, section: 'rolloutGuard' })) as EditorSettings | null) : null,
  (problem) => {
    connection.window.showWarningMessage(`Rollout Guard: ${problem} Using the other settings.`);
    void connection.sendNotification('rolloutGuard/status', { state: 'warning', message: problem });
  },
);
const caches = new DocumentCaches();
/**
 * Every YAML file of the workspace folders, keyed by URI; open documents' text wins over the disk.
 * Files nobody has open are released after their lint: the graph keeps their objects, not their text.
 */
const manifests = new ManifestWorkspace({ reread: rereadFile });
const indexBounds = new ManifestIndexBounds(manifests);
const applicationCode = new ApplicationCode(folderOf, excludesOf, readText);
const traces = new MeasuredTraces();
/** The schema facts of the migrations before an open one in its folder (open documents' text, else the disk's). */
const earlierMigrationFacts = new EarlierMigrations(
  (file) => documents.get(URI.file(file).toString())?.getText(),
  readText,
  (file, text, engine) => {
    let changes: readonly SchemaChange[] = [];
    lintText({ fileName: file, text, settings: engine, onSchemaChanges: (made) => (changes = made) });
    return changes;
  },
);
const charts = new ChartRenderer(
  manifests,
  async (chartUri, chartDir, application) => (await settings.for(chartUri)).chartRelease(chartDir, application),
  (uris) => uris.forEach((uri) => manifests.isCheckable(uri) && scheduler.schedule(uri)),
  (message) => connection.console.error(message),
);
let canRefreshCodeLenses = false;

/** Where the server is in the LSP lifecycle: requests are answered only while it runs. */
let lifecycle: 'waiting' | 'running' | 'shut-down' = 'waiting';

/** A request handler that answers as the LSP specification says outside the running state. */
function whileRunning<P, R>(handler: (params: P, token: CancellationToken) => R): (params: P, token: CancellationToken) => R {
  return (params, token) => {
    if (lifecycle === 'waiting') throw new ResponseError(ErrorCodes.ServerNotInitialized, 'the server is not initialized yet');
    if (lifecycle === 'shut-down') throw new ResponseError(ErrorCodes.InvalidRequest, 'the server has been shut down');
    return handler(params, token);
  };
}

connection.onInitialize((params) => {
  lifecycle = 'running';
  settings.folders = (params.workspaceFolders ?? []).map((f) => f.uri);
  if (settings.folders.length === 0 && params.rootUri) settings.folders = [params.rootUri];
  canPullConfiguration = !!params.capabilities.workspace?.configuration;
  canRefreshCodeLenses = !!params.capabilities.workspace?.codeLens?.refreshSupport;
  traces.trusted = (params.initializationOptions as { workspaceTrusted?: boolean } | undefined)?.workspaceTrusted === true;
  charts.trusted = traces.trusted;
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: 'rollout-guard', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  if (canPullConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'rolloutGuard' });
  void connection.client
    .register(DidChangeWatchedFilesNotification.type, {
      watchers: [
        { globPattern: '**/.rollout-guard.yaml' },
        { globPattern: '**/{*.yaml,*.yml,Kustomization,*.tpl}' },
        { globPattern: '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py,go,rb,sql,sql.postgres}' },
        // The migration tool of a project (assumeInTransaction: auto).
        { globPattern: '**/{go.mod,Cargo.toml,package.json,metadata.toml,migration_lock.toml,_journal.json,*.sql.conf}' },
      ],
    })
    .catch(() => undefined);
  void indexWorkspace();
  void connection.sendNotification('rolloutGuard/status', { state: 'ready', message: 'Rollout Guard is checking SQL migrations.' });
});

/** Lints a document (open, or a workspace YAML file); the workspace files it read are released afterwards. */
async function lintDocument(uri: string): Promise<void> {
  try {
    await lintAndPublish(uri);
  } finally {
    const isOpen = (file: string): boolean => documents.get(file) !== undefined;
    if (!isOpen(uri)) manifests.release(uri);
    manifests.releaseRestored(isOpen);
  }
}

/** Lints a document and publishes the result unless it moved on meanwhile. */
async function lintAndPublish(uri: string): Promise<void> {
  const doc = documents.get(uri);
  const kind = fileKind(pathOf(uri));
  if (!kind || (!doc && kind !== 'yaml')) return;
  const version = doc?.version;
  const resolved = await settings.for(uri);
  if (documents.get(uri)?.version !== version) return; // a newer version is scheduled
  const text = doc?.getText() ?? manifests.text(uri);
  if (text === undefined) {
    // A released workspace file that changed on disk before its watcher event: index it again.
    if (!doc && manifests.has(uri)) await reindexFromDisk(uri);
    return;
  }
  const flags = kind === 'code' && resolved.configPath ? flagSnapshots.get(resolved.configPath) : undefined;
  // TS/JS: only files with SQL calls, flag reads, or in the sources of a configured workload, are checked (and cleared once they are not).
  if (kind === 'code' && !mayHoldSql(text) && !resolved.workloads && !(flags && mayReadFlags(text))) {
    if (caches.checkedCode.delete(uri)) await connection.sendDiagnostics({ uri, version, diagnostics: [] });
    return;
  }
  if (kind === 'code') caches.checkedCode.add(uri);
  if (kind === 'yaml' && resolved.manifestExcluded?.(URI.parse(uri).fsPath)) {
    // manifests.exclude: neither checked nor indexed (after a change of the configuration file too).
    if (manifests.has(uri)) manifests.remove(uri).forEach((other) => scheduler.schedule(other));
    await connection.sendDiagnostics({ uri, version, diagnostics: [] });
    return;
  }
  let findings: Finding[] = [];
  if (resolved.enabled) {
    try {
      const view = clusterView;
      const workloads =
        kind === 'code' && resolved.workloads
          ? { ...workloadsContext(resolved.workloads), outside: view && ((k: 'ConfigMap' | 'Secret', ns: string, name: string) => view.keysOf(k, ns, name)) }
          : undefined;
      let schemaChanges: readonly SchemaChange[] = [];
      const engine = engineSettingsFor(resolved, uri, text);
      findings = lintText({
        fileName: pathOf(uri),
        text,
        settings: engine,
        workspace: kind === 'yaml' ? workspaceFor(uri, text) : workloads || kind === 'config' ? manifests : undefined,
        sqlMemo: kind === 'sql' ? caches.sqlMemo(uri) : undefined,
        codeIndex: kind === 'sql' && isContractStep(pathOf(uri), text) ? await applicationCode.for(URI.parse(uri).fsPath) : undefined,
        workloads,
        flags,
        isCancelled: () => documents.get(uri)?.version !== version,
        onSchemaChanges: (made) => (schemaChanges = made),
        ...(kind === 'sql' ? projectOf(uri) : {}),
      });
      // What the earlier migrations of its folder establish withdraws some findings (the fixes and diagnostics alike).
      if (findings.some(needsEarlierFiles) && URI.parse(uri).scheme === 'file') {
        const earlier = await earlierMigrationFacts.factsBefore(URI.parse(uri).fsPath, engine);
        findings = withoutWithdrawn(findings, earlier, schemaChanges);
      }
    } catch (error) {
      connection.console.error(`Linting ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      findings = [
        {
          rule: 'internal-error',
          severity: 'error',
          start: 0,
          end: 1,
          message: `Rollout Guard could not check this file: ${error instanceof Error ? error.message : String(error)}. Please report it.`,
        },
      ];
    }
  }
  if (documents.get(uri)?.version !== version) return;
  const target = doc ?? TextDocument.create(uri, 'yaml', 0, text);
  caches.fixes.set(uri, version, findings);
  const published = findingsToPublish(findings, resolved.diagnosticsLimit);
  // Over stdio the JSON is written as built; other transports (VS Code's IPC) serialise objects themselves.
  await connection.sendDiagnostics(
    stdio
      ? serialisedDiagnostics(uri, version, (doc ? caches.diagnosticsJsonFor(uri) : new DiagnosticsJson()).encode(target, published))
      : { uri, version, diagnostics: published.map((f) => toDiagnostic(target, f)) },
  );
}

/** What missing-env needs for a code document: the workloads, and other code files' text (an open document's, else as on disk: the few files its helpers are imported from). */
function workloadsContext(workloads: NonNullable<ResolvedSettings['workloads']>): WorkloadsContext {
  return { workloads: workloads.list, configDir: workloads.configDir, codeText: (file) => documents.get(file)?.getText() ?? rereadFile(file) };
}

/** schemaValidation `auto` stands back where Red Hat YAML already shows schema problems. */
function engineSettingsFor(settings: ResolvedSettings, uri: string, text: string): ResolvedSettings['engine'] {
  if (settings.engine.schemaValidation !== 'auto' || fileKind(pathOf(uri)) !== 'yaml') return settings.engine;
  return settings.standsBackFor(uri, text) ? { ...settings.engine, schemaValidation: 'off' } : settings.engine;
}

/** The manifest workspace, made sure to hold `text` for `uri` (fileName of a YAML document is its URI). */
function workspaceFor(uri: string, text: string): ManifestWorkspace {
  if (manifests.text(uri) !== text) for (const other of manifests.update(uri, text)) scheduler.schedule(other);
  return manifests;
}

/**
 * What the project of a SQL file on disk says of it: the migration tool it depends on and the engine
 * it runs on (read again each time: go.mod, Cargo.toml and migration_lock.toml change).
 */
function projectOf(uri: string): { migrationTool?: string; projectEngine?: string } {
  const file = URI.parse(uri);
  if (file.scheme !== 'file') return {};
  const engine = projectEngine(file.fsPath);
  return { migrationTool: projectMigrationTool(file.fsPath, undefined, engine), projectEngine: engine };
}

/** Path part of a URI, enough to tell the file kind (untitled SQL documents count as SQL). */
function pathOf(uri: string): string {
  const doc = documents.get(uri);
  if (doc?.languageId === 'sql' && !/\.(sql|pgsql|psql)$/i.test(uri)) return `${uri}.sql`;
  if (doc?.languageId === 'yaml' && fileKind(uri) === undefined) return `${uri}.yaml`;
  if (doc && /^(typescript|javascript)(react)?$/.test(doc.languageId) && !/\.[cm]?[jt]sx?$/i.test(uri))
    return `${uri}.${doc.languageId.startsWith('typescript') ? 'ts' : 'js'}`;
  return uri;
}

/** files.exclude of a workspace folder: the patterns switched on. */
async function excludesOf(folder: string): Promise<string[]> {
  const filesSetting = canPullConfiguration ? await connection.workspace.getConfiguration({ scopeUri: folder, section: 'files' }) : undefined;
  return activeExcludes((filesSetting as { exclude?: unknown } | undefined)?.exclude);
}

/** The workspace folder a path is in (the longest one: folders may nest), or undefined. */
function folderOf(file: string): string | undefined {
  return settings.folders
    .map((f) => URI.parse(f).fsPath)
    .filter((f) => file === f || file.startsWith(f + path.sep))
    .sort((a, b) => b.length - a.length)[0];
}

/** Reads every YAML file of the workspace folders into the graph, then checks them all. */
async function indexWorkspace(): Promise<void> {
  const started = Date.now();
  let count = 0;
  const setting = canPullConfiguration
    ? ((await connection.workspace.getConfiguration({ section: 'rolloutGuard' })) as { maxIndexedMegabytes?: unknown } | null)?.maxIndexedMegabytes
    : undefined;
  if (typeof setting === 'number' && setting > 0) indexBounds.maxIndexedBytes = setting * 1024 * 1024;
  indexBounds.leftOut = 0;
  const tooLarge: string[] = [];
  for (const folder of settings.folders) {
    const folderPath = URI.parse(folder).fsPath;
    const excluded = (await settings.for(folder)).manifestExcluded;
    const { files: scanned, truncated } = await scanYamlFiles(folderPath, await excludesOf(folder));
    const files = excluded ? scanned.filter((file) => !excluded(file)) : scanned;
    if (truncated)
      connection.window.showWarningMessage(
        `Rollout Guard: ${folderPath} has more YAML files than it indexes; cross-file checks see only the first ${files.length}.`,
      );
    for (const file of files) {
      const uri = URI.file(file).toString();
      if (documents.get(uri)) continue; // the open document is already in
      const read = await readFileText(file);
      if ('text' in read) {
        if (indexBounds.add(uri, read.text)) count++;
      } else if (read.skipped === 'too-large') tooLarge.push(path.relative(folderPath, file));
    }
  }
  if (tooLarge.length)
    connection.window.showWarningMessage(
      `Rollout Guard: ${tooLarge.length} YAML file${tooLarge.length === 1 ? ' is' : 's are'} over ${MAX_FILE_BYTES / 1024 / 1024} MB and left out of cross-file checks (references to their objects are not checked against them): ${tooLarge.slice(0, 3).join(', ')}${tooLarge.length > 3 ? ', …' : ''}.`,
    );
  if (indexBounds.leftOut)
    connection.window.showWarningMessage(
      `Rollout Guard: the workspace's YAML files add up to more than ${indexBounds.maxIndexedBytes / 1024 / 1024} MB (rolloutGuard.maxIndexedMegabytes) or ${MAX_INDEXED_OBJECTS.toLocaleString('en')} objects; ${indexBounds.leftOut} of them are left out of cross-file checks. Open files are always checked.`,
    );
  await applyExplicitUnits();
  await charts.renderAll();
  for (const uri of manifests.fileNames) if (manifests.isCheckable(uri) || documents.get(uri)) scheduler.schedule(uri);
  // Code and the configuration file are checked against the workloads now known.
  for (const doc of documents.all()) if (['code', 'config'].includes(fileKind(pathOf(doc.uri)) ?? '')) scheduler.schedule(doc.uri);
  connection.console.info(`Indexed ${count} YAML files in ${Date.now() - started} ms.`);
}

/** manifests.units of the workspace folders' configuration files, given to the manifest graph (the files it changes are checked again). */
async function applyExplicitUnits(): Promise<void> {
  const units = (await Promise.all(settings.folders.map(async (folder) => (await settings.for(folder)).explicitUnits ?? []))).flat();
  for (const uri of manifests.setExplicitUnits(units.length ? units : undefined)) if (manifests.isCheckable(uri)) scheduler.schedule(uri);
}

async function readText(file: string): Promise<string | undefined> {
  const read = await readFileText(file);
  return 'text' in read ? read.text : undefined;
}

/** A released workspace file's text, read again (synchronously: positions are asked for synchronously). */
function rereadFile(uri: string): string | undefined {
  const file = URI.parse(uri);
  if (file.scheme !== 'file') return undefined;
  try {
    const stat = statSync(file.fsPath);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return undefined;
    const decoded = decodeFile(readFileSync(file.fsPath));
    return decoded.ok ? decoded.text : undefined;
  } catch {
    return undefined;
  }
}

/** Indexes an unopened YAML file as it is on disk now and schedules what that changes. */
async function reindexFromDisk(uri: string): Promise<void> {
  const text = await readText(URI.parse(uri).fsPath);
  if (text === undefined) return;
  const dependents = indexBounds.add(uri, text);
  if (!dependents) return;
  dependents.forEach((other) => scheduler.schedule(other));
  if (manifests.has(uri)) scheduler.schedule(uri);
  else void connection.sendDiagnostics({ uri, diagnostics: [] });
}

/** A file's text; only regular files up to the size limit are read. */
async function readFileText(file: string): Promise<{ text: string } | { skipped: 'too-large' | 'unreadable' }> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { skipped: 'unreadable' };
    if (stat.size > MAX_FILE_BYTES) return { skipped: 'too-large' };
    const decoded = decodeFile(await fs.readFile(file));
    return decoded.ok ? { text: decoded.text } : { skipped: 'unreadable' };
  } catch {
    return { skipped: 'unreadable' };
  }
}

const scheduler = new LintScheduler(
  (uri) => lintDocument(uri),
  (uri, error) => connection.console.error(`Linting ${uri} failed: ${String(error)}`),
  (uri) => documents.get(uri) !== undefined,
);

documents.onDidOpen((e) => scheduler.schedule(e.document.uri));
/** The open migrations after `uri` in its folder: what it establishes may withdraw their findings. */
function scheduleLaterMigrations(uri: string): void {
  const file = URI.parse(uri).fsPath;
  for (const doc of documents.all()) if (runsBefore(file, URI.parse(doc.uri).fsPath)) scheduler.schedule(doc.uri);
}

documents.onDidChangeContent((e) => {
  const uri = e.document.uri;
  scheduler.schedule(uri);
  if (isMigrationKind(pathOf(uri))) scheduleLaterMigrations(uri);
  // A helper edited in one file changes what the workload's other files read.
  if (fileKind(pathOf(uri)) === 'code')
    void settings.for(uri).then((resolved) => {
      if (resolved.workloads) for (const doc of documents.all()) if (doc.uri !== uri && fileKind(pathOf(doc.uri)) === 'code') scheduler.schedule(doc.uri);
    });
});
documents.onDidClose((e) => {
  const uri = e.document.uri;
  scheduler.cancel(uri);
  settings.forget(uri);
  caches.forget(uri);
  if (fileKind(pathOf(uri)) === 'yaml' && URI.parse(uri).scheme === 'file') {
    // Back to what is on disk: the workspace graph keeps it and its diagnostics stay.
    void readText(URI.parse(uri).fsPath).then((text) => {
      const indexed = text === undefined ? false : indexBounds.add(uri, text);
      if (indexed && manifests.has(uri)) {
        indexed.forEach((other) => scheduler.schedule(other));
        scheduler.schedule(uri);
        return;
      }
      if (indexed) indexed.forEach((other) => scheduler.schedule(other));
      indexBounds.forget(uri);
      manifests.remove(uri).forEach((other) => scheduler.schedule(other));
      void connection.sendDiagnostics({ uri, diagnostics: [] });
    });
    return;
  }
  if (manifests.has(uri)) manifests.remove(uri).forEach((other) => scheduler.schedule(other));
  manifests.recordUses(uri, new Set()); // a closed code or configuration file is not re-checked
  if (isMigrationKind(pathOf(uri))) {
    // Back to what is on disk for the migrations after it.
    earlierMigrationFacts.changed(URI.parse(uri).fsPath);
    scheduleLaterMigrations(uri);
  }
  void connection.sendDiagnostics({ uri, diagnostics: [] });
});

/** Code files changed on disk: update the indexes (once built) and re-check open contract steps, and open code (a helper it imports may have changed). */
async function updateApplicationCode(changes: { uri: string; type: number }[]): Promise<void> {
  const indexed = await applicationCode.update(changes);
  const code = changes.some((c) => fileKind(URI.parse(c.uri).path) === 'code');
  for (const doc of documents.all()) {
    const kind = fileKind(pathOf(doc.uri));
    if ((kind === 'code' && code) || (kind === 'sql' && indexed && isContractStep(pathOf(doc.uri), doc.getText()))) scheduler.schedule(doc.uri);
  }
}

/**
 * Open migrations below a changed go.mod, Cargo.toml, diesel metadata.toml, Prisma
 * migration_lock.toml or Flyway script configuration (`V7__x.sql.conf`): their tool, and so how
 * they run, may have changed.
 */
function recheckMigrationsOfProjects(changed: string[]): void {
  const folders = changed
    .filter((uri) => /\/(go\.mod|Cargo\.toml|package\.json|metadata\.toml|migration_lock\.toml|meta\/_journal\.json|[^/]+\.sql\.conf)$/.test(uri))
    .map((uri) => {
      const dir = path.dirname(URI.parse(uri).fsPath);
      // drizzle-kit's journal is in meta/ beside the migrations.
      return (uri.endsWith('/_journal.json') ? path.dirname(dir) : dir) + path.sep;
    });
  if (!folders.length) return;
  for (const doc of documents.all()) {
    const file = URI.parse(doc.uri);
    if (file.scheme === 'file' && fileKind(file.fsPath) === 'sql' && folders.some((folder) => file.fsPath.startsWith(folder))) scheduler.schedule(doc.uri);
  }
}

function relintAll(): void {
  settings.clear();
  earlierMigrationFacts.clear();
  for (const doc of documents.all()) scheduler.schedule(doc.uri);
  for (const uri of manifests.fileNames) if (manifests.isCheckable(uri)) scheduler.schedule(uri);
}
connection.onDidChangeConfiguration(() => relintAll());
connection.onDidChangeWatchedFiles(async ({ changes }) => {
  if (changes.some((c) => /\.rollout-guard\.ya?ml$/.test(c.uri))) {
    relintAll();
    await applyExplicitUnits();
    await charts.renderAll(); // manifests.charts may name other values files
  }
  await updateApplicationCode(changes);
  recheckMigrationsOfProjects(changes.map((c) => c.uri));
  for (const change of changes) {
    const uri = change.uri;
    charts.changed(uri); // helm reads the disk: a chart's saved file (template, values, helper) renders it again
    if (isMigrationKind(URI.parse(uri).path)) {
      earlierMigrationFacts.changed(URI.parse(uri).fsPath);
      scheduleLaterMigrations(uri);
    }
    if (fileKind(pathOf(uri)) !== 'yaml' || documents.get(uri)) continue; // open documents are tracked by their edits
    if (change.type === FileChangeType.Deleted) {
      indexBounds.forget(uri);
      manifests.remove(uri).forEach((other) => scheduler.schedule(other));
      void connection.sendDiagnostics({ uri, diagnostics: [] });
      continue;
    }
    await reindexFromDisk(uri);
  }
});

connection.onShutdown(() => {
  lifecycle = 'shut-down';
});

connection.onHover(
  whileRunning(async (params: HoverParams, token: CancellationToken) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc || token.isCancellationRequested) return null;
    const kind = fileKind(pathOf(doc.uri));
    const offset = doc.offsetAt(params.position);
    let hover: { start: number; end: number; contents: string } | undefined;
    if (kind === 'sql') {
      // PostgreSQL lock modes, or InnoDB's algorithm and lock per operation.
      const engine = (await settings.for(doc.uri)).engine;
      const project = projectOf(doc.uri);
      const dialect = dialectOf(pathOf(doc.uri), doc.getText(), engine, project.projectEngine);
      if (dialect === 'postgres') {
        // Consistent with the findings: what the earlier migrations of its folder establish counts.
        const file = URI.parse(doc.uri);
        const earlier = file.scheme === 'file' ? await earlierMigrationFacts.factsBefore(file.fsPath, engine) : undefined;
        hover = hoverSql(doc.getText(), offset, engine, earlier, { fileName: pathOf(doc.uri), migrationTool: project.migrationTool });
      } else hover = hoverMysql(doc.getText(), offset, engine, dialect);
      // What a trace of this very text measured, under the prediction.
      const trace = dialect === 'postgres' ? traces.of(doc.uri, doc.getText()) : undefined;
      const measured = trace && measuredHover(trace, offset);
      if (measured) hover = hover ? { ...hover, contents: `${hover.contents}\n\n${measured.contents}` } : measured;
    } else if (kind === 'yaml') hover = hoverManifest(workspaceFor(doc.uri, doc.getText()), doc.uri, offset);
    else if (kind === 'code') {
      const flags = await flagSnapshotFor(doc.uri);
      hover = flags && hoverFlag(doc.getText(), offset, flags);
    }
    return hover ? { contents: { kind: 'markdown', value: hover.contents }, range: toRange(doc, hover.start, hover.end) } : null;
  }),
);

connection.onCodeLens(
  whileRunning(async (params: CodeLensParams) => {
    const doc = documents.get(params.textDocument.uri);
    const kind = doc && fileKind(pathOf(doc.uri));
    if (doc && kind === 'code') {
      const flags = await flagSnapshotFor(doc.uri);
      // No command: the lens is the flag's live state, not a button.
      return flags
        ? flagLenses(doc.getText(), flags).map((lens) => ({ range: toRange(doc, lens.start, lens.end), command: { title: lens.title, command: '' } }))
        : [];
    }
    if (!doc || kind !== 'sql') return [];
    const engine = (await settings.for(doc.uri)).engine;
    return dialectOf(pathOf(doc.uri), doc.getText(), engine, projectOf(doc.uri).projectEngine) === 'postgres' ? traces.lenses(doc.uri, doc.getText()) : [];
  }),
);

function refreshCodeLenses(): void {
  if (canRefreshCodeLenses) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
}

connection.onNotification(WORKSPACE_TRUSTED_NOTIFICATION, () => {
  traces.trusted = true;
  charts.trusted = true;
  refreshCodeLenses();
  void charts.renderAll();
});

// Check against the cluster (the client reads it: the server never opens a connection to a cluster).
let clusterView: SnapshotClusterView | undefined;
connection.onRequest(CLUSTER_NEEDS_REQUEST, (params: { defaultNamespace: string }) => clusterNeeds(manifests, params.defaultNamespace).needs);
connection.onNotification(CLUSTER_SNAPSHOT_NOTIFICATION, (snapshot: ClusterSnapshot | null) => {
  clusterView = snapshot ? new SnapshotClusterView(snapshot, clusterNeeds(manifests, snapshot.defaultNamespace).noticeAt) : undefined;
  manifests.setCluster(clusterView);
  relintAll();
});

connection.onNotification(TRACED_NOTIFICATION, (trace: MeasuredTrace) => {
  traces.set(trace);
  refreshCodeLenses();
});

/** The flag snapshot for a document's configuration file, if the client sent one. */
async function flagSnapshotFor(uri: string): Promise<FlagSnapshot | undefined> {
  const configPath = (await settings.for(uri)).configPath;
  return configPath ? flagSnapshots.get(configPath) : undefined;
}

/** The client read the flag service for a configuration file (snapshot), or could not (none): re-check the code that reads flags. */
connection.onNotification('rolloutGuard/flags', (params: { configPath: string; snapshot?: FlagSnapshot }) => {
  if (params.snapshot) flagSnapshots.set(params.configPath, params.snapshot);
  else flagSnapshots.delete(params.configPath);
  for (const doc of documents.all()) if (fileKind(pathOf(doc.uri)) === 'code') scheduler.schedule(doc.uri);
  refreshCodeLenses();
});

connection.onCodeAction(
  whileRunning((params: CodeActionParams) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? codeActions(doc, params.context.diagnostics, caches.fixes) : [];
  }),
);

process.on('uncaughtException', (error) => connection.console.error(`Unexpected error: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => connection.console.error(`Unexpected rejection: ${String(reason)}`));

void loadParser().then(
  () => {
    documents.listen(connection);
    connection.listen();
  },
  (error: unknown) => {
    process.stderr.write(`Rollout Guard could not load the PostgreSQL parser: ${String(error)}\n`);
    process.exit(1);
  },
);
