/**
 * The editor's view of migration plans: which plans the workspace has, each one read from
 * disk and its ledger read from the database, cached until a file, the settings or a run
 * changes it. Feeds the CodeLens and the tree.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { ConnectionError, DatabaseUrlError, loadPlan, PlanError, planStatus, type PhaseName, type RunResult } from '../../../operations/migrations';
import { readWorkspaceConfig, watchWorkspaceConfig } from '../workspace-config';
import {
  databaseUrlFromConfig,
  passwordIn,
  redactUrl,
  resolveDatabaseUrl,
  scrubSecrets,
  secretKeyFor,
  withPassword,
  type ResolvedDatabaseUrl,
} from '../../../operations/migrations/connection';
import { planSourceOf, type PlanSnapshot } from './model';

export const UNTRUSTED_MESSAGE =
  'Rollout Guard runs migrations only in a trusted workspace: a plan runs SQL against a database. Trust this workspace (Manage Workspace Trust) to use it.';

export const NO_DATABASE_MESSAGE =
  'No database configured for migrations: set rolloutGuard.migrations.databaseUrl, add database.url to .rollout-guard.yaml, or run "Rollout Guard: Start Local PostgreSQL".';

const PLAN_GLOB = '**/{expand,backfill,switch,contract}.sql';
const SQL_GLOB = '**/*.{sql,pgsql,psql}';
const EXCLUDE = '**/{node_modules,.git}/**';

/** A connection ready to use: the URL with its password, and what may be shown of it. */
export interface Connection {
  url: string;
  /** The URL without its password. */
  shown: string;
  origin: string;
  /** Secrets to scrub from any text shown. */
  secrets: string[];
}

export class MigrationsState implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a plan, its state, the plan list or the connection changed. */
  readonly onDidChange = this.changed.event;
  private readonly snapshots = new Map<string, Promise<PlanSnapshot>>();
  private readonly lastRuns = new Map<string, Partial<Record<PhaseName, RunResult>>>();
  private readonly running = new Map<string, PhaseName>();
  private readonly runningProgress = new Map<string, string>();
  private plans: Promise<string[]> | undefined;
  /** The last plan list found, to tell whether a changed file changes it. */
  private planList: string[] | undefined;
  /** URL of the local PostgreSQL started in this window, password included. */
  private localUrl: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    readonly secrets: vscode.SecretStorage,
    private readonly output: vscode.LogOutputChannel,
  ) {
    const sqlWatcher = vscode.workspace.createFileSystemWatcher(SQL_GLOB);
    const onSql = (uri: vscode.Uri, createdOrDeleted: boolean): void => {
      const file = uri.fsPath;
      const source = this.sourceOfChangedFile(file);
      if (source) this.forget(source);
      if (source !== file) this.forget(file); // markers removed: no longer a plan
      // A new or deleted phase file, or markers added to or removed from a file, change the list of plans.
      const listed = this.planList;
      if (createdOrDeleted || !listed || (source !== undefined && !listed.includes(source)) || (source !== file && listed.includes(file))) {
        this.plans = undefined;
      }
      this.fireSoon();
    };
    this.disposables.push(
      this.changed,
      sqlWatcher,
      sqlWatcher.onDidChange((uri) => onSql(uri, false)),
      sqlWatcher.onDidCreate((uri) => onSql(uri, true)),
      sqlWatcher.onDidDelete((uri) => onSql(uri, true)),
      ...watchWorkspaceConfig(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rolloutGuard.migrations') || e.affectsConfiguration('rolloutGuard.configFile')) this.refresh();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh(true)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh(true)),
    );
  }

  dispose(): void {
    clearTimeout(this.debounce);
    for (const d of this.disposables) d.dispose();
  }

  /** Forget cached states and refusals (and, with `plans`, the plan list) and tell the views. */
  refresh(plans = false): void {
    this.snapshots.clear();
    this.lastRuns.clear();
    if (plans) this.plans = undefined;
    this.fireSoon();
  }

  /** Read one plan's state again, e.g. after a run (whose refusal, if any, stays shown). */
  invalidate(source: string): void {
    this.snapshots.delete(source);
    this.fireSoon();
  }

  /** A plan's files changed: its state and any refusal shown are out of date. */
  private forget(source: string): void {
    this.snapshots.delete(source);
    this.lastRuns.delete(source);
  }

  private fireSoon(delayMs = 200): void {
    if (delayMs > 200 && this.debounce !== undefined) return; // progress ticks do not postpone a pending refresh
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.changed.fire();
    }, delayMs);
  }

  private sourceOfChangedFile(file: string): string | undefined {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // deleted: still find a folder plan by its name
    }
    return planSourceOf(file, text) ?? (this.snapshots.has(file) ? file : undefined);
  }

  /** Plan folders and marker files in the workspace, sorted. */
  listPlans(): Promise<string[]> {
    this.plans ??= this.findPlans();
    return this.plans;
  }

  private async findPlans(): Promise<string[]> {
    const sources = new Set<string>();
    const folders = await vscode.workspace.findFiles(PLAN_GLOB, EXCLUDE, 2000);
    for (const uri of folders) if (uri.scheme === 'file') sources.add(path.dirname(uri.fsPath));
    const sqlFiles = await vscode.workspace.findFiles(SQL_GLOB, EXCLUDE, 5000);
    for (const uri of sqlFiles) {
      if (uri.scheme !== 'file' || sources.has(path.dirname(uri.fsPath))) continue;
      let text: string;
      try {
        text = fs.readFileSync(uri.fsPath, 'utf8');
      } catch {
        continue;
      }
      if (planSourceOf(uri.fsPath, text) === uri.fsPath) sources.add(uri.fsPath);
    }
    const list = [...sources].sort();
    this.planList = list;
    void vscode.commands.executeCommand('setContext', 'rolloutGuard.migrations.hasPlans', list.length > 0);
    return list;
  }

  /** The plan at `source` and its ledger state (cached). */
  snapshot(source: string): Promise<PlanSnapshot> {
    let pending = this.snapshots.get(source);
    if (!pending) {
      pending = this.read(source).catch((error: unknown) => ({
        source,
        planError: `cannot read the plan: ${error instanceof Error ? error.message : String(error)}`,
      }));
      this.snapshots.set(source, pending);
    }
    return pending.then((s) => ({
      ...s,
      lastRuns: this.lastRuns.get(source),
      running: this.running.get(source),
      runningProgress: this.runningProgress.get(source),
    }));
  }

  private async read(source: string): Promise<PlanSnapshot> {
    let plan;
    try {
      plan = await loadPlan(source);
    } catch (error) {
      if (error instanceof PlanError) return { source, planError: error.message };
      throw error;
    }
    if (!vscode.workspace.isTrusted) return { source, plan, statusError: 'not read in Restricted Mode (untrusted workspace)' };
    let connection: Connection | undefined;
    try {
      connection = await this.connection(vscode.Uri.file(source));
    } catch (error) {
      return { source, plan, statusError: error instanceof Error ? error.message : String(error) };
    }
    if (!connection) return { source, plan, statusError: 'no database configured' };
    try {
      return { source, plan, status: await planStatus(plan, connection.url) };
    } catch (error) {
      let message = error instanceof ConnectionError || error instanceof DatabaseUrlError ? error.message : `cannot read the ledger: ${String(error)}`;
      if (/asks for a password|password authentication failed/.test(message)) message += '; set it with "Rollout Guard: Set Database Password"';
      return { source, plan, statusError: scrubSecrets(message, connection.secrets) };
    }
  }

  /** Records a run from this window, for the lens (refusals are not in the ledger). */
  recordRun(source: string, result: RunResult): void {
    this.lastRuns.set(source, { ...this.lastRuns.get(source), [result.phase]: result });
  }

  setRunning(source: string, phase: PhaseName | undefined): void {
    if (phase) this.running.set(source, phase);
    else this.running.delete(source);
    this.runningProgress.delete(source);
    this.changed.fire();
  }

  /** The running phase's progress, for its lens and tree item (refreshed at most once a second). */
  setProgress(source: string, line: string): void {
    this.runningProgress.set(source, line);
    this.fireSoon(1000);
  }

  isRunning(source: string): PhaseName | undefined {
    return this.running.get(source);
  }

  setLocalUrl(url: string | undefined): void {
    this.localUrl = url;
    void vscode.commands.executeCommand('setContext', 'rolloutGuard.migrations.localPostgresRunning', url !== undefined);
    this.refresh();
  }

  /** Where the URL for a file of this workspace comes from (without the stored password). */
  resolveUrl(resource: vscode.Uri | undefined): ResolvedDatabaseUrl | undefined {
    const folder = resource ? vscode.workspace.getWorkspaceFolder(resource) : vscode.workspace.workspaceFolders?.[0];
    const settings = vscode.workspace.getConfiguration('rolloutGuard', resource ?? folder?.uri);
    const loaded = readWorkspaceConfig(folder);
    const url = loaded && databaseUrlFromConfig(loaded);
    const config = url ? { url, file: loaded.source } : undefined;
    return resolveDatabaseUrl({ local: this.localUrl, setting: settings.get<string>('migrations.databaseUrl') || undefined, config });
  }

  /** The URL to connect with, stored password merged in; undefined when none is configured. Throws on a malformed configuration. */
  async connection(resource: vscode.Uri | undefined): Promise<Connection | undefined> {
    const resolved = this.resolveUrl(resource);
    void vscode.commands.executeCommand('setContext', 'rolloutGuard.migrations.hasDatabase', resolved !== undefined);
    if (!resolved) return undefined;
    if (resolved.source === 'local') return { url: resolved.url, shown: redactUrl(resolved.url), origin: resolved.origin, secrets: [passwordIn(resolved.url)] };
    const stored = await this.secrets.get(secretKeyFor(resolved.url));
    const url = withPassword(resolved.url, stored);
    return { url, shown: redactUrl(resolved.url), origin: resolved.origin, secrets: [stored ?? '', passwordIn(resolved.url)] };
  }

  log(message: string, secrets: string[] = []): void {
    this.output.info(scrubSecrets(message, secrets));
  }
}
