/**
 * Flag reads in the editor: reads the flag service of each workspace folder's .rollout-guard.yaml
 * (flags:) with the token from SecretStorage, every FLAG_SNAPSHOT_TTL_MS while one is configured,
 * and hands the language server the definitions (rolloutGuard/flags: pure data, never the token).
 * Nothing is read in an untrusted workspace. A service that cannot be read is one message in the
 * language status item and the log, and the server gets no definitions (no findings from old data).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  FLAG_SNAPSHOT_TTL_MS,
  flagProvider,
  flagUrlProblem,
  loadFlagSettings,
  needsToken,
  readFlagSnapshot,
  type ClusterConnector,
  type FlagProvider,
  type FlagSettings,
  type SnapshotAnswer,
} from '../../../operations/flags';
import { ClusterClient } from '../../../operations/cluster';
import type { FlagSnapshot } from '../../../server/src/engine/flags/snapshot';
import { RolloutSettings } from '../rollouts/settings';
import { readWorkspaceConfig, watchWorkspaceConfig } from '../workspace-config';

/** The one SecretStorage key of the flag service token. */
export const FLAGS_TOKEN_KEY = 'rolloutGuard.flags.token';

/** One configured flag service as last read: the answer, and the last snapshot it gave (for "last known"). */
export interface FlagService {
  configPath: string;
  /** Undefined when the flags: section is wrong (the answer says why). */
  settings?: FlagSettings;
  answer: SnapshotAnswer;
  lastSnapshot?: FlagSnapshot;
}

export class FlagDefinitions implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after each read of the services (the Flags view redraws). */
  readonly onDidChange = this.changed.event;
  /** The configured services as last read, by configuration file. */
  services = new Map<string, FlagService>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly status = vscode.languages.createLanguageStatusItem('rolloutGuard.flags', [
    { language: 'typescript' },
    { language: 'javascript' },
    { language: 'typescriptreact' },
    { language: 'javascriptreact' },
  ]);
  private timer: NodeJS.Timeout | undefined;
  /** Configuration files the server holds definitions for. */
  private sent = new Set<string>();
  private lastProblem: string | undefined;
  /** Refreshes run one after the other: a timer and a configuration change may ask at once. */
  private refreshing: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly client: LanguageClient,
    readonly secrets: vscode.SecretStorage,
    readonly output: vscode.LogOutputChannel,
  ) {
    this.status.name = 'Rollout Guard flags';
    this.status.text = 'Flags';
    this.status.command = { title: 'Set Token', command: 'rolloutGuard.flags.setToken' };
    this.disposables.push(
      this.status,
      ...watchWorkspaceConfig(() => void this.refresh()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.refresh()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rolloutGuard.configFile') || e.affectsConfiguration('rolloutGuard.flags')) void this.refresh();
      }),
      secrets.onDidChange((e) => {
        if (e.key === FLAGS_TOKEN_KEY) void this.refresh();
      }),
      vscode.commands.registerCommand('rolloutGuard.flags.setToken', () => this.setToken()),
    );
  }

  /** Reads every folder's flag service now and sends what it read; reads again after the TTL while one is configured. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.refreshNow()).catch((error: unknown) => this.output.error(`Flag service: ${String(error)}`));
    return this.refreshing;
  }

  private async refreshNow(): Promise<void> {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const services = vscode.workspace.isTrusted ? await this.readAll() : new Map<string, FlagService>();
    const answers = new Map([...services].map(([configPath, service]) => [configPath, service.answer]));
    for (const [configPath, answer] of answers)
      await this.client.sendNotification('rolloutGuard/flags', 'snapshot' in answer ? { configPath, snapshot: answer.snapshot } : { configPath });
    // Folders whose flags: section went away: their definitions go too.
    for (const configPath of this.sent) if (!answers.has(configPath)) await this.client.sendNotification('rolloutGuard/flags', { configPath });
    this.sent = new Set(answers.keys());
    this.services = services;
    this.show(answers);
    this.changed.fire();
    if (answers.size) this.timer = setTimeout(() => void this.refresh(), FLAG_SNAPSHOT_TTL_MS);
  }

  /** A provider for a service's flag changes (the view's commands), with the stored token; undefined without one. */
  async provider(service: FlagService): Promise<FlagProvider | undefined> {
    const token = await this.secrets.get(FLAGS_TOKEN_KEY);
    return service.settings && (token || !needsToken(service.settings))
      ? flagProvider(service.settings, token, { cluster: this.cluster(path.dirname(service.configPath)) })
      : undefined;
  }

  /** A FeatureFlag's cluster: the Rollouts view's kubeconfig and context settings, as for canaries. */
  private cluster(cwd: string): ClusterConnector {
    const { kubeconfig, context } = new RolloutSettings(this.secrets).cluster();
    return async () => ClusterClient.fromKubeconfig({ kubeconfig, context, cwd, trusted: vscode.workspace.isTrusted });
  }

  private async readAll(): Promise<Map<string, FlagService>> {
    const answers = new Map<string, FlagService>();
    const token = await this.secrets.get(FLAGS_TOKEN_KEY);
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      let configPath: string | undefined;
      try {
        const config = readWorkspaceConfig(folder);
        if (!config?.sections.flags) continue;
        configPath = config.path;
        const settings = withEditorSettings(loadFlagSettings({ cwd: folder.uri.fsPath, configFile: config.path }), folder);
        const answer: SnapshotAnswer =
          token || !needsToken(settings)
            ? await readFlagSnapshot(flagProvider(settings, token, { cluster: this.cluster(folder.uri.fsPath) }), settings)
            : { problem: `no token for the flag service at ${serviceOf(settings)}: run "Rollout Guard: Set Flag Service Token"` };
        const previous = this.services.get(configPath);
        const sameService = previous?.settings && serviceOf(previous.settings) === serviceOf(settings);
        const lastSnapshot = 'snapshot' in answer ? answer.snapshot : sameService ? previous.lastSnapshot : undefined;
        answers.set(configPath, { configPath, settings, answer, lastSnapshot });
      } catch (error) {
        // A configuration error is shown by the language server on the file itself; the view says it too.
        if (configPath) answers.set(configPath, { configPath, answer: { problem: error instanceof Error ? error.message : String(error) } });
      }
    }
    return answers;
  }

  private show(answers: Map<string, SnapshotAnswer>): void {
    const problems = [...answers.values()].flatMap((a) => ('problem' in a ? [a.problem] : []));
    const snapshots = [...answers.values()].flatMap((a) => ('snapshot' in a ? [a.snapshot] : []));
    if (!vscode.workspace.isTrusted) {
      this.status.severity = vscode.LanguageStatusSeverity.Information;
      this.status.detail = 'not read in Restricted Mode (untrusted workspace)';
    } else if (problems.length) {
      this.status.severity = vscode.LanguageStatusSeverity.Warning;
      this.status.detail = `flag reads not checked: ${problems[0]}`;
    } else {
      this.status.severity = vscode.LanguageStatusSeverity.Information;
      this.status.detail = snapshots.length
        ? `${snapshots.reduce((n, s) => n + s.flags.length, 0)} flags from ${snapshots.map((s) => s.service).join(', ')}`
        : 'no flag service configured (flags: in .rollout-guard.yaml)';
    }
    const problem = problems[0];
    if (problem && problem !== this.lastProblem) this.output.warn(`Flag service: ${problem}`);
    this.lastProblem = problem;
  }

  private async setToken(): Promise<void> {
    const token = await vscode.window.showInputBox({
      title: 'Flag service token',
      prompt: 'An Unleash admin API token. Stored in VS Code SecretStorage and sent only to the flag service of flags.url; empty removes it.',
      password: true,
      ignoreFocusOut: true,
    });
    if (token === undefined) return;
    if (token) await this.secrets.store(FLAGS_TOKEN_KEY, token);
    else await this.secrets.delete(FLAGS_TOKEN_KEY);
    void vscode.window.showInformationMessage(token ? 'Flag service token stored in SecretStorage.' : 'Flag service token removed.');
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The service as messages name it: its URL, or flagd's file or FeatureFlag. */
const serviceOf = (settings: FlagSettings): string => ('url' in settings ? settings.url : (settings.file ?? `FeatureFlag ${settings.featureFlag}`));

/**
 * rolloutGuard.flags.url, .project, .environment and .staleAfterDays, where the user set them, over
 * the flags: section (as rolloutGuard.gates.* over gates:); the token stays in SecretStorage.
 * Throws with a message for a value that cannot be used.
 */
export function withEditorSettings(settings: FlagSettings, folder: vscode.WorkspaceFolder): FlagSettings {
  const config = vscode.workspace.getConfiguration('rolloutGuard.flags', folder.uri);
  const explicit = <T>(key: string): T | undefined => {
    const inspected = config.inspect<T>(key);
    return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  };
  const url = explicit<string>('url');
  const project = explicit<string>('project');
  const environment = explicit<string>('environment');
  const staleAfterDays = explicit<number>('staleAfterDays');
  if (staleAfterDays !== undefined && !(Number.isInteger(staleAfterDays) && staleAfterDays >= 1))
    throw new Error(`rolloutGuard.flags.staleAfterDays must be a whole number of days, at least 1, got ${staleAfterDays}.`);
  const merged = { ...settings, ...(environment ? { environment } : {}), ...(staleAfterDays !== undefined ? { staleAfterDays } : {}) };
  if (!url && !project) return merged;
  if (merged.provider === 'flagd')
    throw new Error('rolloutGuard.flags.url and .project are for unleash and launchdarkly; flagd reads flags.file or flags.featureFlag.');
  const urlProblem = url ? flagUrlProblem(url) : undefined;
  if (urlProblem === 'scheme') throw new Error('rolloutGuard.flags.url must start with http:// or https://.');
  if (urlProblem === 'credentials')
    throw new Error(
      'rolloutGuard.flags.url must not hold a user name or password: the token is kept in SecretStorage ("Rollout Guard: Set Flag Service Token").',
    );
  return { ...merged, ...(url ? { url } : {}), ...(project ? { project } : {}) };
}
