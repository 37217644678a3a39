/**
 * A stand-in for the `vscode` module, enough for the extension's migration glue to run in a
 * plain Node test: real files, a real workspace folder, scripted answers to messages and
 * pickers, recorded messages, progress and context keys. Import this before any module that
 * imports 'vscode'.
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import picomatch from 'picomatch';

type Listener<T> = (value: T) => unknown;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Uri {
  readonly scheme = 'file';
  private constructor(readonly fsPath: string) {}
  static file(p: string): Uri {
    return new Uri(path.resolve(p));
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

class Range {
  constructor(
    readonly startLine: number,
    readonly startCharacter: number,
    readonly endLine: number,
    readonly endCharacter: number,
  ) {}
}

class CodeLens {
  constructor(
    readonly range: Range,
    readonly command?: { title: string; command: string; arguments?: unknown[]; tooltip?: string },
  ) {}
}

class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  iconPath?: unknown;
  resourceUri?: Uri;
  command?: unknown;
  constructor(
    readonly label: string,
    readonly collapsibleState: number,
  ) {}
}

class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}
class ThemeColor {
  constructor(readonly id: string) {}
}

export interface Message {
  level: 'info' | 'warning' | 'error';
  text: string;
  items: string[];
  modal: boolean;
  detail?: string;
}

export interface ProgressRun {
  title: string;
  reports: { message?: string; increment?: number }[];
}

/** What the fake editor saw and how it answers. */
export const ui = {
  messages: [] as Message[],
  progress: [] as ProgressRun[],
  contexts: new Map<string, unknown>(),
  clipboard: '',
  /** Answers to messages with items, first matching pattern wins; unanswered messages resolve to undefined. */
  answers: [] as { pattern: RegExp; choice: string | undefined }[],
  /** Answer to the next input box. */
  inputBox: undefined as string | undefined,
  /** Answers to the input boxes after it, in order; null accepts the box's value (its default). */
  inputBoxes: [] as (string | null)[],
  /** The input boxes shown: their title and value. */
  inputBoxesShown: [] as { title?: string; value?: string }[],
  /** Picks the first quick-pick item whose label matches. */
  quickPick: undefined as RegExp | undefined,
  /** Cancels a progress run when a report matches. */
  cancelWhen: undefined as RegExp | undefined,
  /** Resolves when a message matching `pattern` has been shown. */
  waitForMessage(pattern: RegExp): Promise<Message> {
    return new Promise((resolve) => {
      const check = (): void => {
        const found = this.messages.find((m) => pattern.test(m.text));
        if (found) resolve(found);
        else messageShown.event(check);
      };
      check();
    });
  },
};
const messageShown = new EventEmitter<void>();

/** Settings by key (e.g. 'rolloutGuard.migrations.databaseUrl') at workspace level. */
export const settings = new Map<string, unknown>();
const configurationChanged = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();

/** Changes a setting as the Settings editor would, firing onDidChangeConfiguration. */
export function setSetting(key: string, value: unknown): void {
  if (value === undefined) settings.delete(key);
  else settings.set(key, value);
  configurationChanged.fire({ affectsConfiguration: (section) => key === section || key.startsWith(`${section}.`) });
}

export const workspaceState = { folders: [] as { uri: Uri; name: string; index: number }[], trusted: true };

const commands = new Map<string, (...args: unknown[]) => unknown>();
export const registered = {
  codeLensProviders: [] as { provideCodeLenses(doc: unknown, token: unknown): Promise<CodeLens[]> }[],
  treeViews: new Map<string, FakeTreeView>(),
  languageStatusItems: new Map<string, { detail?: string; severity?: number; disposed: boolean }>(),
  statusBarItems: new Map<string, StatusBarItem>(),
};

export interface StatusBarItem {
  name?: string;
  text: string;
  tooltip?: string;
  command?: string;
  visible: boolean;
  show(): void;
  hide(): void;
  dispose(): void;
}

interface FakeTreeView {
  message: string | undefined;
  treeDataProvider: {
    getChildren(node?: unknown): Promise<unknown[]>;
    getTreeItem(node: unknown): Promise<TreeItem>;
  };
  dispose(): void;
}

/** A text document as the CodeLens provider sees it. */
export function textDocument(file: string): { fileName: string; uri: Uri; getText(): string; isDirty: boolean } {
  return { fileName: path.resolve(file), uri: Uri.file(file), getText: () => fs.readFileSync(file, 'utf8'), isDirty: false };
}

function show(level: Message['level']) {
  return async (text: string, ...rest: unknown[]): Promise<string | undefined> => {
    const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest.shift() as { modal?: boolean; detail?: string }) : {};
    const items = rest as string[];
    ui.messages.push({ level, text, items, modal: !!options.modal, detail: options.detail });
    messageShown.fire();
    return ui.answers.find((a) => a.pattern.test(text))?.choice;
  };
}

const noEvent = (): { dispose(): void } => ({ dispose() {} });

export const vscode = {
  EventEmitter,
  Uri,
  Range,
  CodeLens,
  TreeItem,
  ThemeIcon,
  ThemeColor,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  workspace: {
    get isTrusted() {
      return workspaceState.trusted;
    },
    get workspaceFolders() {
      return workspaceState.folders;
    },
    textDocuments: [] as unknown[],
    getWorkspaceFolder(uri: Uri) {
      return workspaceState.folders.find((f) => uri.fsPath === f.uri.fsPath || uri.fsPath.startsWith(f.uri.fsPath + path.sep));
    },
    getConfiguration(section: string) {
      const full = (key: string): string => `${section}.${key}`;
      return {
        get: <T>(key: string, fallback?: T): T | undefined => (settings.has(full(key)) ? (settings.get(full(key)) as T) : fallback),
        inspect: (key: string) => ({ key: full(key), workspaceValue: settings.get(full(key)) }),
        update: async (key: string, value: unknown) => setSetting(full(key), value),
      };
    },
    async findFiles(include: string, exclude: string, max: number): Promise<Uri[]> {
      const isIncluded = picomatch(include, { dot: true });
      const isExcluded = picomatch(exclude, { dot: true });
      const found: Uri[] = [];
      const walk = (root: string, dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          const relative = path.relative(root, full);
          if (isExcluded(relative) || isExcluded(`${relative}/x`)) continue;
          if (entry.isDirectory()) walk(root, full);
          else if (isIncluded(relative) && found.length < max) found.push(Uri.file(full));
        }
      };
      for (const folder of workspaceState.folders) walk(folder.uri.fsPath, folder.uri.fsPath);
      return found;
    },
    fs: { readFile: async (uri: Uri): Promise<Uint8Array> => fs.readFileSync(uri.fsPath) },
    asRelativePath(uri: Uri): string {
      const folder = workspaceState.folders.find((f) => uri.fsPath.startsWith(f.uri.fsPath + path.sep));
      return folder ? path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/') : uri.fsPath;
    },
    createFileSystemWatcher: () => ({ onDidChange: noEvent, onDidCreate: noEvent, onDidDelete: noEvent, dispose() {} }),
    onDidChangeConfiguration: configurationChanged.event,
    onDidChangeWorkspaceFolders: noEvent,
    onDidGrantWorkspaceTrust: noEvent,
    onDidSaveTextDocument: noEvent,
  },
  window: {
    activeTextEditor: undefined as unknown,
    showInformationMessage: show('info'),
    showWarningMessage: show('warning'),
    showErrorMessage: show('error'),
    async showInputBox(options: { title?: string; value?: string } = {}): Promise<string | undefined> {
      ui.inputBoxesShown.push({ title: options.title, value: options.value });
      if (ui.inputBox !== undefined || !ui.inputBoxes.length) {
        const answer = ui.inputBox;
        ui.inputBox = undefined;
        return answer;
      }
      return ui.inputBoxes.shift() ?? options.value;
    },
    async showQuickPick<T extends { label: string }>(items: T[]): Promise<T | undefined> {
      return items.find((i) => ui.quickPick?.test(i.label));
    },
    createStatusBarItem(id: string): StatusBarItem {
      const item: StatusBarItem = {
        text: '',
        visible: false,
        show: () => void (item.visible = true),
        hide: () => void (item.visible = false),
        dispose: () => void registered.statusBarItems.delete(id),
      };
      registered.statusBarItems.set(id, item);
      return item;
    },
    createTreeView(id: string, options: { treeDataProvider: FakeTreeView['treeDataProvider'] }): FakeTreeView {
      const view: FakeTreeView = { message: undefined, treeDataProvider: options.treeDataProvider, dispose() {} };
      registered.treeViews.set(id, view);
      return view;
    },
    async withProgress<R>(
      options: { title: string },
      task: (progress: { report(value: { message?: string; increment?: number }): void }, token: unknown) => Promise<R>,
    ): Promise<R> {
      const run: ProgressRun = { title: options.title, reports: [] };
      ui.progress.push(run);
      const cancel = new EventEmitter<void>();
      let cancelled = false;
      const token = {
        get isCancellationRequested() {
          return cancelled;
        },
        onCancellationRequested: cancel.event,
      };
      return task(
        {
          report(value) {
            run.reports.push(value);
            if (!cancelled && value.message && ui.cancelWhen?.test(value.message)) {
              cancelled = true;
              cancel.fire();
            }
          },
        },
        token,
      );
    },
  },
  LanguageStatusSeverity: { Information: 0, Warning: 1, Error: 2 },
  languages: {
    createLanguageStatusItem(id: string) {
      const item = { disposed: false, dispose: () => void (item.disposed = true) } as {
        detail?: string;
        severity?: number;
        disposed: boolean;
        dispose(): void;
      };
      registered.languageStatusItems.set(id, item);
      return item;
    },
    registerCodeLensProvider(_selector: unknown, provider: (typeof registered.codeLensProviders)[number]) {
      registered.codeLensProviders.push(provider);
      return { dispose() {} };
    },
  },
  commands: {
    registerCommand(id: string, handler: (...args: unknown[]) => unknown) {
      if (commands.has(id)) throw new Error(`command ${id} already exists`);
      commands.set(id, handler);
      return { dispose: () => commands.delete(id) };
    },
    async executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
      if (id === 'setContext') {
        ui.contexts.set(args[0] as string, args[1]);
        return undefined;
      }
      const handler = commands.get(id);
      if (!handler) return undefined; // workbench commands (settings, trust) are not modelled
      return handler(...args);
    },
  },
  env: {
    clipboard: {
      async writeText(text: string) {
        ui.clipboard = text;
      },
    },
  },
};

/** An ExtensionContext with in-memory secrets. */
export function extensionContext(extensionPath: string, globalStorage: string) {
  const secrets = new Map<string, string>();
  return {
    subscriptions: [] as { dispose(): unknown }[],
    extensionPath,
    globalStorageUri: Uri.file(globalStorage),
    secretValues: secrets,
    secrets: {
      get: async (key: string) => secrets.get(key),
      store: async (key: string, value: string) => void secrets.set(key, value),
      delete: async (key: string) => void secrets.delete(key),
      onDidChange: noEvent,
    },
  };
}

/** A LogOutputChannel that keeps its lines. */
export function outputChannel() {
  const lines: string[] = [];
  const add = (level: string) => (message: string) => void lines.push(`[${level}] ${message}`);
  return { lines, info: add('info'), warn: add('warn'), error: add('error'), debug: add('debug'), trace: add('trace'), show() {}, dispose() {} };
}

// require('vscode') anywhere in this process gets the fake.
const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode } as unknown as NodeJS.Module;
