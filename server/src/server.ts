/** The Rollout Guard language server: LSP wiring only; linting lives in ./engine. */
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileKind, hoverSql, lintText, loadParser, type Finding } from './engine';
import { codeActions, toDiagnostic, toRange } from './lsp/convert';
import { resolveSettings, type EditorSettings, type ResolvedSettings } from './lsp/settings';
import { LintScheduler } from './lsp/scheduler';

const connection: Connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let workspaceFolders: string[] = [];
let canPullConfiguration = false;
const settingsCache = new Map<string, Promise<ResolvedSettings>>();
const reportedProblems = new Set<string>();

connection.onInitialize((params) => {
  workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
  if (workspaceFolders.length === 0 && params.rootUri) workspaceFolders = [params.rootUri];
  canPullConfiguration = !!params.capabilities.workspace?.configuration;
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: 'rollout-guard', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  if (canPullConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'rolloutGuard' });
  void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/.rollout-guard.yaml' }] }).catch(() => undefined);
  connection.sendNotification('rolloutGuard/status', { state: 'ready', message: 'Rollout Guard is checking SQL migrations.' });
});

function settingsFor(uri: string): Promise<ResolvedSettings> {
  let cached = settingsCache.get(uri);
  if (!cached) {
    cached = (async () => {
      const editor = canPullConfiguration
        ? ((await connection.workspace.getConfiguration({ scopeUri: uri, section: 'rolloutGuard' })) as EditorSettings | null)
        : null;
      const resolved = resolveSettings(uri, workspaceFolders, editor);
      for (const problem of resolved.problems) {
        if (reportedProblems.has(problem)) continue;
        reportedProblems.add(problem);
        connection.window.showWarningMessage(`Rollout Guard: ${problem} Using the other settings.`);
        connection.sendNotification('rolloutGuard/status', { state: 'warning', message: problem });
      }
      return resolved;
    })();
    settingsCache.set(uri, cached);
  }
  return cached;
}

/** Lints a document version and publishes the result unless the document moved on. */
async function lintDocument(uri: string): Promise<void> {
  const doc = documents.get(uri);
  if (!doc || !fileKind(URIpath(uri))) return;
  const version = doc.version;
  const settings = await settingsFor(uri);
  const current = documents.get(uri);
  if (!current || current.version !== version) return; // a newer version is scheduled
  let findings: Finding[] = [];
  if (settings.enabled) {
    try {
      findings = lintText({
        fileName: URIpath(uri),
        text: doc.getText(),
        settings: settings.engine,
        isCancelled: () => documents.get(uri)?.version !== version,
      });
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
  await connection.sendDiagnostics({ uri, version, diagnostics: findings.map((f) => toDiagnostic(doc, f)) });
}

/** Path part of a URI, enough to tell the file kind (also for untitled: documents). */
function URIpath(uri: string): string {
  const doc = documents.get(uri);
  if (doc && doc.languageId === 'sql') return uri.endsWith('.sql') ? uri : `${uri}.sql`;
  return uri;
}

const scheduler = new LintScheduler(
  (uri) => lintDocument(uri),
  (uri, error) => connection.console.error(`Linting ${uri} failed: ${String(error)}`),
);

documents.onDidOpen((e) => scheduler.schedule(e.document.uri));
documents.onDidChangeContent((e) => scheduler.schedule(e.document.uri));
documents.onDidClose((e) => {
  scheduler.cancel(e.document.uri);
  settingsCache.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

function relintAll(): void {
  settingsCache.clear();
  reportedProblems.clear();
  for (const doc of documents.all()) scheduler.schedule(doc.uri);
}
connection.onDidChangeConfiguration(() => relintAll());
connection.onDidChangeWatchedFiles(() => relintAll());

connection.onHover(async (params, token) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc || fileKind(URIpath(doc.uri)) !== 'sql' || token.isCancellationRequested) return null;
  const settings = await settingsFor(doc.uri);
  const hover = hoverSql(doc.getText(), doc.offsetAt(params.position), settings.engine);
  return hover ? { contents: { kind: 'markdown', value: hover.contents }, range: toRange(doc, hover.start, hover.end) } : null;
});

connection.onCodeAction((params) => {
  const doc = documents.get(params.textDocument.uri);
  return doc ? codeActions(doc, params.context.diagnostics) : [];
});

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
