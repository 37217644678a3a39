/**
 * Migration plans in the editor: CodeLens over each phase, the Migrations view, and the
 * commands that run a phase, show a plan's state, keep the database password in
 * SecretStorage and start a local PostgreSQL. The logic lives in the vscode-free modules
 * beside this file; this is the glue.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { ClusterClient, clusterContractGuard } from '../../../operations/cluster';
import {
  ConnectionError,
  DatabaseUrlError,
  findPhase,
  isPhaseName,
  loadPlan,
  PlanError,
  planStatus,
  runPhase,
  type MigrationPlan,
  type PhaseName,
  type RunEvent,
  type RunResult,
} from '../../../operations/migrations';
import { passwordIn, secretKeyFor } from '../../../operations/migrations/connection';
import { ConfigError } from '../../../server/src/engine/config';
import { formatCount, formatDuration, progressLine, progressPercent, runningLine, statusLines } from '../../../operations/migrations/format';
import { EmbeddedPostgresMissing, hasCluster, INSTALL_HINT, localDataDir, startLocalPostgres, type LocalPostgres } from './local-postgres';
import { phaseAnchors, phaseNodes, phaseView, planNode, planSourceOf, type TreeNode } from './model';
import { MigrationsState, NO_DATABASE_MESSAGE, UNTRUSTED_MESSAGE, type Connection } from './state';

export const COMMANDS = {
  runPhase: 'rolloutGuard.migrations.runPhase',
  showStatus: 'rolloutGuard.migrations.showStatus',
  refresh: 'rolloutGuard.migrations.refresh',
  setDatabasePassword: 'rolloutGuard.migrations.setDatabasePassword',
  startLocalPostgres: 'rolloutGuard.migrations.startLocalPostgres',
  stopLocalPostgres: 'rolloutGuard.migrations.stopLocalPostgres',
} as const;
export const MIGRATIONS_VIEW = 'rolloutGuard.migrations';

const LOCAL_PASSWORD_KEY = 'rolloutGuard.localPostgres.password';

/** A phase to run: from a lens, a tree item or a command argument. */
interface PhaseTarget {
  source: string;
  phase: PhaseName;
}

let local: LocalPostgres | undefined;

export function registerMigrations(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  const state = new MigrationsState(context.secrets, output);
  const tree = new MigrationsTree(state);
  const view = vscode.window.createTreeView(MIGRATIONS_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  const lenses = new MigrationLenses(state);
  const warned = new Set<string>();

  const guard =
    <A extends unknown[]>(action: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      if (!vscode.workspace.isTrusted) {
        const choice = await vscode.window.showErrorMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust');
        if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
        return;
      }
      try {
        await action(...args);
      } catch (error) {
        // Messages of these name what failed and never hold the password.
        const known = error instanceof ConnectionError || error instanceof DatabaseUrlError || error instanceof ConfigError || error instanceof PlanError;
        const message = error instanceof Error ? error.message : String(error);
        output.error(known ? message : `${message}\n${(error as Error).stack ?? ''}`);
        void vscode.window.showErrorMessage(`Rollout Guard: ${message}`);
      }
    };

  context.subscriptions.push(
    state,
    tree,
    view,
    vscode.languages.registerCodeLensProvider(
      [
        { scheme: 'file', language: 'sql' },
        { scheme: 'file', pattern: '**/*.{sql,pgsql,psql}' },
      ],
      lenses,
    ),
    lenses,
    state.onDidChange(() => void updateViewMessage(view, state)),
    vscode.commands.registerCommand(
      COMMANDS.runPhase,
      guard((target?: unknown) => runPhaseCommand(state, output, target)),
    ),
    vscode.commands.registerCommand(
      COMMANDS.showStatus,
      guard((target?: unknown) => showStatusCommand(state, output, target)),
    ),
    vscode.commands.registerCommand(COMMANDS.refresh, () => state.refresh(true)),
    vscode.commands.registerCommand(
      COMMANDS.setDatabasePassword,
      guard(() => setPasswordCommand(state, context.secrets)),
    ),
    vscode.commands.registerCommand(
      COMMANDS.startLocalPostgres,
      guard(() => startLocalCommand(context, state, output)),
    ),
    vscode.commands.registerCommand(COMMANDS.stopLocalPostgres, async () => {
      await stopLocal(output);
      state.setLocalUrl(undefined);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('rolloutGuard.migrations.databaseUrl')) void warnAboutPasswordInSettings(context.secrets, warned);
    }),
  );
  void vscode.commands.executeCommand('setContext', 'rolloutGuard.migrations.localPostgresRunning', false);
  void warnAboutPasswordInSettings(context.secrets, warned);
  void updateViewMessage(view, state);
}

/** Stops the local PostgreSQL of this window, if any: called on deactivate. */
export async function deactivateMigrations(): Promise<void> {
  await stopLocal(undefined);
}

async function stopLocal(output: vscode.LogOutputChannel | undefined): Promise<void> {
  const server = local;
  local = undefined;
  if (!server) return;
  await server.stop();
  output?.info(`Local PostgreSQL on 127.0.0.1:${server.port} stopped.`);
}

async function updateViewMessage(view: vscode.TreeView<TreeNode>, state: MigrationsState): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    view.message = undefined;
    return;
  }
  const plans = await state.listPlans();
  let connection;
  try {
    connection = await state.connection(undefined);
  } catch (error) {
    view.message = error instanceof Error ? error.message : String(error);
    return;
  }
  view.message = plans.length > 0 && !connection ? NO_DATABASE_MESSAGE : undefined;
}

// ---------------------------------------------------------------------------------------
// Views

class MigrationsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly state: MigrationsState) {
    this.subscription = state.onDidChange(() => this.changed.fire(undefined));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    // Empty in Restricted Mode, so the view shows its welcome text about trust.
    if (!vscode.workspace.isTrusted) return [];
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!node) return Promise.all((await this.state.listPlans()).map(async (source) => planNode(await this.state.snapshot(source), root)));
    if (node.phase) return [];
    return phaseNodes(await this.state.snapshot(node.source));
  }

  async getParent(node: TreeNode): Promise<TreeNode | undefined> {
    if (!node.phase) return undefined;
    return planNode(await this.state.snapshot(node.source), vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  }

  async getTreeItem(node: TreeNode): Promise<vscode.TreeItem> {
    const item = new vscode.TreeItem(node.label, node.phase ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Expanded);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.contextValue;
    item.iconPath = iconFor(node.icon);
    if (node.phase) {
      const snapshot = await this.state.snapshot(node.source);
      const phase = snapshot.plan && findPhase(snapshot.plan, node.phase);
      if (phase) {
        const line = phaseAnchors(phase.file, readOr(phase.file), snapshot.plan!).find((a) => a.phase === node.phase)?.line ?? 0;
        item.resourceUri = vscode.Uri.file(phase.file);
        item.command = {
          title: 'Open Phase',
          command: 'vscode.open',
          arguments: [vscode.Uri.file(phase.file), { selection: new vscode.Range(line, 0, line, 0) }],
        };
      }
    } else item.resourceUri = vscode.Uri.file(node.source);
    return item;
  }
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function iconFor(icon: TreeNode['icon']): vscode.ThemeIcon {
  switch (icon) {
    case 'applied':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'pending':
      return new vscode.ThemeIcon('circle-large-outline');
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'interrupted':
      return new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('list.warningForeground'));
    case 'cancelled':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('list.warningForeground'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    case 'refused':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    case 'plan':
      return new vscode.ThemeIcon('database');
    case 'plan-error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    default:
      return new vscode.ThemeIcon('question');
  }
}

class MigrationLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly state: MigrationsState) {
    this.subscriptions = [
      state.onDidChange(() => this.changed.fire()),
      // The runner reads files from disk: a saved file may be a different plan now.
      vscode.workspace.onDidSaveTextDocument((document) => {
        const source = planSourceOf(document.fileName, document.getText());
        if (source) state.invalidate(source);
      }),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const text = document.getText();
    const source = planSourceOf(document.fileName, text);
    if (!source) return [];
    const snapshot = await this.state.snapshot(source);
    const top = new vscode.Range(0, 0, 0, 0);
    if (!snapshot.plan) {
      return [new vscode.CodeLens(top, { title: `migration plan not runnable: ${snapshot.planError ?? 'unreadable'}`, command: '' })];
    }
    const lenses: vscode.CodeLens[] = [];
    for (const anchor of phaseAnchors(document.fileName, text, snapshot.plan)) {
      const range = new vscode.Range(anchor.line, 0, anchor.line, 0);
      const shown = phaseView(snapshot, anchor.phase);
      lenses.push(
        new vscode.CodeLens(range, {
          title: shown.text,
          tooltip: `${shown.tooltip}\nClick for the plan's state in the output.`,
          command: COMMANDS.showStatus,
          arguments: [{ source }],
        }),
      );
      if (shown.runTitle) {
        lenses.push(
          new vscode.CodeLens(range, {
            title: shown.runTitle,
            tooltip: `Run the ${anchor.phase} phase of plan ${snapshot.plan.name}`,
            command: COMMANDS.runPhase,
            arguments: [{ source, phase: anchor.phase } satisfies PhaseTarget],
          }),
        );
      }
    }
    return lenses;
  }
}

// ---------------------------------------------------------------------------------------
// Commands

/** A phase from a command argument (lens, tree item) or, without one, picked by the user. */
async function phaseTarget(state: MigrationsState, arg: unknown): Promise<PhaseTarget | undefined> {
  const given = arg as Partial<TreeNode & PhaseTarget> | undefined;
  if (given?.source && given.phase && isPhaseName(given.phase)) return { source: given.source, phase: given.phase };
  const source = given?.source ?? (await pickPlan(state));
  if (!source) return undefined;
  const snapshot = await state.snapshot(source);
  if (!snapshot.plan) throw new PlanError(snapshot.planError ?? `${source} is not a migration plan`);
  const picked = await vscode.window.showQuickPick(
    snapshot.plan.phases.map((p) => ({ label: p.name, description: phaseView(snapshot, p.name).text, phase: p.name })),
    { title: `Run a phase of plan ${snapshot.plan.name}` },
  );
  return picked && { source, phase: picked.phase };
}

async function pickPlan(state: MigrationsState): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  const fromEditor = active && planSourceOf(active.fileName, active.getText());
  if (fromEditor) return fromEditor;
  const plans = await state.listPlans();
  if (plans.length === 0) {
    void vscode.window.showInformationMessage(
      'No migration plan in this workspace: a plan is a folder with expand.sql, backfill.sql, switch.sql and contract.sql, or one .sql file with "-- rollout-guard: phase <name>" markers.',
    );
    return undefined;
  }
  if (plans.length === 1) return plans[0];
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const picked = await vscode.window.showQuickPick(
    plans.map((source) => ({ label: path.basename(source), description: path.relative(root, source), source })),
    { title: 'Migration plan' },
  );
  return picked?.source;
}

async function requireConnection(state: MigrationsState, source: string): Promise<Connection | undefined> {
  const connection = await state.connection(vscode.Uri.file(source));
  if (connection) return connection;
  const choice = await vscode.window.showErrorMessage(NO_DATABASE_MESSAGE, 'Open Settings', 'Start Local PostgreSQL');
  if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'rolloutGuard.migrations.databaseUrl');
  if (choice === 'Start Local PostgreSQL') await vscode.commands.executeCommand(COMMANDS.startLocalPostgres);
  return undefined;
}

async function runPhaseCommand(state: MigrationsState, output: vscode.LogOutputChannel, arg: unknown): Promise<void> {
  const target = await phaseTarget(state, arg);
  if (!target) return;
  const { source, phase } = target;
  const busy = state.isRunning(source);
  if (busy) {
    void vscode.window.showWarningMessage(`Plan ${path.basename(source)} is already running its ${busy} phase in this window.`);
    return;
  }
  // The runner reads the files on disk: unsaved edits would not be what runs.
  const unsaved = vscode.workspace.textDocuments.filter(
    (d) => d.isDirty && (d.fileName === source || path.dirname(d.fileName) === source) && planSourceOf(d.fileName, d.getText()) === source,
  );
  if (unsaved.length > 0) {
    const save = await vscode.window.showWarningMessage(
      `${unsaved.map((d) => path.basename(d.fileName)).join(', ')} has unsaved changes; the runner reads the file on disk.`,
      { modal: true },
      'Save and Run',
    );
    if (save !== 'Save and Run') return;
    for (const d of unsaved) await d.save();
  }
  const connection = await requireConnection(state, source);
  if (!connection) return;
  let plan: MigrationPlan;
  try {
    plan = await loadPlan(source);
  } catch (error) {
    if (error instanceof PlanError) {
      void vscode.window.showErrorMessage(`Rollout Guard: ${error.message}`);
      state.invalidate(source);
      return;
    }
    throw error;
  }
  const planPhase = findPhase(plan, phase);
  if (planPhase && phase === 'contract') {
    // Destructive: say what will change, where.
    const statements = planPhase.units.flatMap((u) => u.statements.map((s) => s.sql.replace(/\s+/g, ' ').trim()));
    const shownStatements = statements.slice(0, 4).join('\n') + (statements.length > 4 ? `\n… and ${statements.length - 4} more` : '');
    const go = await vscode.window.showWarningMessage(
      `Run contract of plan ${plan.name} on ${connection.shown}?`,
      { modal: true, detail: `It removes what the old version needed and cannot be undone by the runner:\n\n${shownStatements}` },
      'Run Contract',
    );
    if (go !== 'Run Contract') return;
  }

  const log = (message: string): void => state.log(message, connection.secrets);
  log(`Running ${phase} of plan ${plan.name} (${source}) on ${connection.shown} (from ${connection.origin})`);
  state.setRunning(source, phase);
  let result: RunResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Rollout Guard: ${phase} of ${plan.name}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancelled = token.onCancellationRequested(() => {
          log(`Cancelling ${phase} of plan ${plan.name} after the current batch or statement…`);
          progress.report({ message: 'cancelling after the current batch or statement…' });
          abort.abort();
        });
        let reported = 0;
        let lastLogged = 0;
        try {
          return await runPhase(plan, {
            databaseUrl: connection.url,
            phase,
            contractGuard: contractGuardFromSettings(source),
            signal: abort.signal,
            applicationName: `rollout-guard vscode ${plan.name}`,
            backfill: {
              maxRowsPerSecond:
                vscode.workspace.getConfiguration('rolloutGuard', vscode.Uri.file(source)).get<number>('migrations.maxRowsPerSecond') || undefined,
            },
            onProgress: (p) => {
              const percent = progressPercent(p);
              progress.report({ message: `${p.table}: ${progressLine(p)}`, increment: Math.max(0, percent - reported) });
              reported = Math.max(reported, percent);
              state.setProgress(source, runningLine(p));
              if (Date.now() - lastLogged > 2000) {
                lastLogged = Date.now();
                log(`backfill ${p.table}: ${progressLine(p)}, batch ${formatCount(p.batchSize)}`);
              }
            },
            onEvent: (e: RunEvent) => {
              const line = eventLine(e);
              if (line) log(line);
              if (e.type === 'unit') progress.report({ message: `statement ${e.index + 1} of ${e.units} (line ${e.line})` });
              if (e.type === 'lock-retry') progress.report({ message: `line ${e.line}: lock not available, attempt ${e.attempt + 1} of ${e.attempts}…` });
            },
          });
        } finally {
          cancelled.dispose();
        }
      },
    );
  } finally {
    state.setRunning(source, undefined);
    state.invalidate(source);
  }
  state.recordRun(source, result);
  log(`${result.outcome}: ${result.message} (${formatDuration(result.durationMs / 1000)})`);
  const text = `Rollout Guard: ${result.message}`;
  switch (result.outcome) {
    case 'applied':
    case 'already-applied':
      void vscode.window.showInformationMessage(text);
      break;
    case 'refused':
    case 'cancelled':
      void vscode.window.showWarningMessage(text);
      break;
    case 'failed':
      void vscode.window.showErrorMessage(text, 'Show Output').then((c) => c && output.show(true));
      break;
  }
}

function eventLine(e: RunEvent): string | undefined {
  switch (e.type) {
    case 'unit':
      return `${e.phase}: statement ${e.index + 1} of ${e.units} (line ${e.line})`;
    case 'skip':
      return `${e.phase}: skipping ${e.units} statement(s) ${e.reason}`;
    case 'lock-retry':
      return `${e.phase} line ${e.line}: ${e.message}; attempt ${e.attempt + 1} of ${e.attempts} in ${e.delayMs} ms`;
    case 'batch-retry':
      return `backfill ${e.table}: ${e.reason}; retrying (attempt ${e.attempt + 1}) with batch ${formatCount(e.nextBatchSize)} in ${e.delayMs} ms`;
    case 'pass':
      return `backfill ${e.table}: ${formatCount(e.rowsLeft)} rows were written behind the cursor; pass ${e.pass}`;
    case 'batch':
      return undefined; // progress lines cover batches
  }
}

async function showStatusCommand(state: MigrationsState, output: vscode.LogOutputChannel, arg: unknown): Promise<void> {
  const given = arg as Partial<TreeNode> | undefined;
  const source = given?.source ?? (await pickPlan(state));
  if (!source) return;
  const connection = await requireConnection(state, source);
  if (!connection) return;
  const plan = await loadPlan(source);
  const status = await planStatus(plan, connection.url);
  const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(source))?.uri.fsPath;
  state.log(statusLines(status, root ? path.relative(root, source) : source).join('\n'), connection.secrets);
  output.show(true);
  state.invalidate(source);
}

async function setPasswordCommand(state: MigrationsState, secrets: vscode.SecretStorage): Promise<void> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const resolved = state.resolveUrl(active?.scheme === 'file' ? active : undefined);
  if (!resolved) {
    void vscode.window.showErrorMessage(`${NO_DATABASE_MESSAGE} Then set its password here.`);
    return;
  }
  if (resolved.source === 'local') {
    void vscode.window.showInformationMessage('The local PostgreSQL of this window has its own password; nothing to set.');
    return;
  }
  const key = secretKeyFor(resolved.url);
  const login = key.slice(key.indexOf(':') + 1);
  const password = await vscode.window.showInputBox({
    title: `Database password for ${login}`,
    prompt: `Kept in VS Code's secret storage (the OS keychain), never in settings; merged into ${resolved.origin} when a migration runs. Leave empty to forget the stored password.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (password === undefined) return;
  if (password === '') {
    await secrets.delete(key);
    void vscode.window.showInformationMessage(`Rollout Guard: forgot the stored password for ${login}.`);
  } else {
    await secrets.store(key, password);
    void vscode.window.showInformationMessage(`Rollout Guard: password for ${login} stored in the secret storage.`);
  }
  state.refresh();
}

/** A URL with a password in settings: offer to move the password into SecretStorage. */
async function warnAboutPasswordInSettings(secrets: vscode.SecretStorage, warned: Set<string>): Promise<void> {
  // Scoped to the first folder so that a folder-level value can be inspected and rewritten.
  const config = vscode.workspace.getConfiguration('rolloutGuard', vscode.workspace.workspaceFolders?.[0]?.uri);
  const inspected = config.inspect<string>('migrations.databaseUrl');
  const places: [vscode.ConfigurationTarget, string | undefined][] = [
    [vscode.ConfigurationTarget.WorkspaceFolder, inspected?.workspaceFolderValue],
    [vscode.ConfigurationTarget.Workspace, inspected?.workspaceValue],
    [vscode.ConfigurationTarget.Global, inspected?.globalValue],
  ];
  for (const [target, url] of places) {
    if (!url || !passwordIn(url) || warned.has(url)) continue;
    warned.add(url);
    let key: string;
    try {
      key = secretKeyFor(url);
    } catch {
      continue; // a malformed URL is reported when it is used
    }
    const choice = await vscode.window.showWarningMessage(
      'rolloutGuard.migrations.databaseUrl contains a password: settings are stored in plain text (and workspace settings often get committed). Keep it in the secret storage instead.',
      'Move to Secret Storage',
    );
    if (choice !== 'Move to Secret Storage') continue;
    await secrets.store(key, passwordIn(url));
    const without = new URL(url);
    without.password = '';
    await config.update('migrations.databaseUrl', without.toString(), target);
    void vscode.window.showInformationMessage('Rollout Guard: the password is now in the secret storage and gone from the setting.');
  }
}

async function startLocalCommand(context: vscode.ExtensionContext, state: MigrationsState, output: vscode.LogOutputChannel): Promise<void> {
  if (local) {
    void vscode.window.showInformationMessage(`Local PostgreSQL already runs on 127.0.0.1:${local.port}; migrations in this window use it.`);
    return;
  }
  const dataDir = localDataDir(context.globalStorageUri.fsPath);
  let password = await context.secrets.get(LOCAL_PASSWORD_KEY);
  if (!password) {
    // Its password is lost with the secret storage: the local trial data goes too.
    if (hasCluster(dataDir)) {
      output.warn(`No stored password for the local PostgreSQL: recreating ${dataDir}.`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    password = randomBytes(18).toString('base64url');
    await context.secrets.store(LOCAL_PASSWORD_KEY, password);
  }
  const searchPaths = [...(vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath), context.extensionPath];
  try {
    local = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Rollout Guard: starting a local PostgreSQL…' }, () =>
      startLocalPostgres({ searchPaths, dataDir, password, log: (line) => output.debug(`postgres: ${line}`) }),
    );
  } catch (error) {
    if (error instanceof EmbeddedPostgresMissing) {
      output.error(error.message);
      const choice = await vscode.window.showErrorMessage(`Rollout Guard: ${error.message}`, 'Copy Install Command');
      if (choice) await vscode.env.clipboard.writeText(INSTALL_HINT);
      return;
    }
    throw error;
  }
  output.info(`Local PostgreSQL ${local.created ? 'created and ' : ''}started on 127.0.0.1:${local.port} (data in ${local.dataDir}).`);
  state.setLocalUrl(local.url);
  void vscode.window.showInformationMessage(
    `Rollout Guard: local PostgreSQL runs on 127.0.0.1:${local.port} (database postgres); migrations in this window run against it until it stops.`,
  );
}

/**
 * With a cluster configured for the Rollouts view, contract waits for the old version to be gone
 * (no canary mid-rollout, no ready pods of a stable destination) in the watched namespaces.
 */
function contractGuardFromSettings(source: string): (() => Promise<string | undefined>) | undefined {
  const config = vscode.workspace.getConfiguration('rolloutGuard', vscode.Uri.file(source));
  const kubeconfig = config.get<string>('cluster.kubeconfig') || undefined;
  const context = config.get<string>('cluster.context') || undefined;
  const namespaces = config.get<string[]>('cluster.namespaces') ?? [];
  if (!kubeconfig && !context && namespaces.length === 0) return undefined;
  return async () => {
    let client: ClusterClient;
    try {
      client = ClusterClient.fromKubeconfig({
        kubeconfig,
        context,
        cwd: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(source))?.uri.fsPath,
        trusted: vscode.workspace.isTrusted,
      });
    } catch (error) {
      return `the cluster could not be checked for the old version (${error instanceof Error ? error.message : String(error)})`;
    }
    return clusterContractGuard(client, { namespaces })();
  };
}
