/** A small LSP client over stdio, the editor's side for protocol tests and the bench: spawns the bundled server, waits for events. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

/** The repository root, from a bundle in out/<target>/. */
export const repoRoot = path.resolve(__dirname, '../..');

export class TestLspClient {
  readonly connection: MessageConnection;
  private readonly child: ChildProcess;
  private readonly waiters: { uri: string; predicate: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  readonly published: PublishDiagnosticsParams[] = [];
  /** What the server gets for `workspace/configuration` of section rolloutGuard. */
  editorSettings: Record<string, unknown> = {};
  /** What the server gets for section files (files.exclude). */
  filesSettings: Record<string, unknown> = {};
  /** window/showMessage texts, in order. */
  readonly messages: string[] = [];
  private readonly messageWaiters: { count: number; resolve: () => void }[] = [];
  stderr = '';
  /** `workspace/codeLens/refresh` requests the server sent. */
  codeLensRefreshes = 0;
  private readonly refreshWaiters: { count: number; resolve: () => void }[] = [];

  /** `env`: the server's environment (default: this process's), e.g. a PATH with helm on it. */
  constructor(serverPath = path.join(repoRoot, 'dist/server.js'), env?: NodeJS.ProcessEnv) {
    // The server's stack traces name TypeScript lines when the tests' do; the bench times it without source maps.
    const sourceMaps = process.sourceMapsEnabled ? ['--enable-source-maps'] : [];
    this.child = spawn(process.execPath, [...sourceMaps, serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child.stderr!.on('data', (d) => (this.stderr += String(d)));
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      for (const w of [...this.waiters]) {
        if (w.uri === p.uri && w.predicate(p)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((i) => (i.section === 'rolloutGuard' ? this.editorSettings : i.section === 'files' ? this.filesSettings : null)),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    // The server's showWarningMessage and friends are requests (they may carry actions).
    this.connection.onRequest('window/showMessageRequest', (p: { message: string }) => {
      this.addMessage(p.message);
      return null;
    });
    this.connection.onNotification('window/showMessage', (p: { message: string }) => this.addMessage(p.message));
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.onNotification('rolloutGuard/status', () => undefined);
    this.connection.onRequest('workspace/codeLens/refresh', () => {
      this.codeLensRefreshes++;
      for (const w of this.refreshWaiters.filter((w) => this.codeLensRefreshes >= w.count)) {
        this.refreshWaiters.splice(this.refreshWaiters.indexOf(w), 1);
        w.resolve();
      }
      return null;
    });
    this.connection.listen();
  }

  /** Resolves once the server has asked `count` times in all to refresh the CodeLenses. */
  codeLensRefreshed(count: number): Promise<void> {
    if (this.codeLensRefreshes >= count) return Promise.resolve();
    return new Promise((resolve) => this.refreshWaiters.push({ count, resolve }));
  }

  async initialize(rootUri: string, initializationOptions?: Record<string, unknown>): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'ws' }],
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, codeLens: { refreshSupport: true } },
        textDocument: { publishDiagnostics: { versionSupport: true } },
      },
      initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
  }

  private addMessage(message: string): void {
    this.messages.push(message);
    for (const w of [...this.messageWaiters]) {
      if (this.messages.length >= w.count) {
        this.messageWaiters.splice(this.messageWaiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  /** Resolves once the server has shown `count` messages in all. */
  messagesShown(count: number): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.messageWaiters.push({ count, resolve }));
  }

  /** Resolves with the next publishDiagnostics for `uri` that satisfies `predicate`. */
  diagnostics(uri: string, predicate: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.push({ uri, predicate, resolve }));
  }

  async stop(): Promise<void> {
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    await new Promise<void>((resolve) => (this.child.exitCode !== null ? resolve() : this.child.once('exit', () => resolve())));
    this.connection.dispose();
  }
}

export const rules = (diagnostics: Diagnostic[]): string[] => diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`);
