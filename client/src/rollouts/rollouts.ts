/**
 * The Rollouts view and its commands: canaries from the cluster (watched while the view is
 * open), their gates from Prometheus, weight changes with gate checks, automatic rollback, the
 * status-bar item and the gate metrics panel. Nothing here runs in an untrusted workspace.
 *
 * This file wires the parts, each in its own file: settings and secrets (settings.ts), the
 * cluster and its watch (connection.ts), automatic rollback and auto-progress (monitors.ts), the
 * tree (tree.ts), the status bar (status-bar.ts) and the commands (commands.ts).
 */
import * as vscode from 'vscode';
import { registerRolloutCommands } from './commands';
import { ClusterConnection } from './connection';
import { GateMonitors } from './monitors';
import { RolloutSettings } from './settings';
import { RolloutStatusBar } from './status-bar';
import { RolloutsTree } from './tree';
import { NewVersionChecks } from './new-version-checks';

export class RolloutsController implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly settings: RolloutSettings;
  private readonly connection: ClusterConnection;
  private readonly monitors: GateMonitors;
  private readonly newVersions: NewVersionChecks;
  private readonly tree = new RolloutsTree();
  private readonly statusBar = new RolloutStatusBar();
  /** Why the gates cannot run (a bad gate configuration), shown above the canaries. */
  private gateProblem: string | undefined;

  constructor(
    context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {
    const log = (line: string): void => this.output.info(line);
    this.settings = new RolloutSettings(context.secrets);
    this.connection = new ClusterConnection(this.settings, log);
    this.monitors = new GateMonitors(
      this.settings,
      () => this.connection.client,
      log,
      () => this.render(),
    );
    this.newVersions = new NewVersionChecks(
      () => this.settings.workspaceFolder(),
      log,
      () => this.render(),
    );
    this.disposables.push(
      this.tree,
      this.statusBar,
      this.connection,
      this.monitors,
      this.connection.onDidChange(() => {
        if (this.connection.client) this.gateProblem = this.monitors.sync(this.connection.canaries);
        this.newVersions.sync(this.connection.canaries, this.connection.client);
        this.render();
      }),
      this.tree.view.onDidChangeVisibility(() => this.syncWatcher()),
      this.tree.view.onDidChangeSelection((e) => {
        const id = e.selection[0]?.canaryId;
        if (id) this.focus(id);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rolloutGuard.cluster') || e.affectsConfiguration('rolloutGuard.gates')) this.reconnect();
        else if (e.affectsConfiguration('rolloutGuard.manifests.checkAgainstCluster')) {
          this.newVersions.sync(this.connection.canaries, this.connection.client);
          this.render();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reconnect()),
      ...registerRolloutCommands({
        extensionUri: context.extensionUri,
        settings: this.settings,
        connection: this.connection,
        monitors: this.monitors,
        statusBar: this.statusBar,
        log,
        report: (error) => this.report(error),
        reconnect: () => this.reconnect(),
        changed: () => this.render(),
        focus: (id) => this.focus(id),
      }),
    );
    this.render();
    this.syncWatcher();
  }

  private render(): void {
    const client = this.connection.client;
    if (!vscode.workspace.isTrusted) this.tree.show({ message: 'Restricted Mode: trust this workspace to connect to a cluster.' });
    else if (!client) this.tree.show({ message: this.connection.clientProblem });
    else
      this.tree.show({
        context: client.context,
        server: client.server,
        namespaces: this.connection.namespaces(),
        canaries: this.connection.canaries,
        problem: this.gateProblem ?? this.connection.watchProblem,
        gates: this.monitors.states(),
        configuration: this.newVersions.findings,
      });
    this.updateStatusBar();
  }

  /** The watch runs only while the view is visible (and the workspace trusted). */
  private syncWatcher(): void {
    this.connection.syncWatcher(this.tree.view.visible && vscode.workspace.isTrusted);
  }

  private reconnect(): void {
    this.connection.reset();
    this.monitors.clear();
    this.syncWatcher();
    this.render();
  }

  private focus(id: string): void {
    this.statusBar.focused = id;
    this.updateStatusBar();
  }

  private updateStatusBar(): void {
    this.statusBar.update(this.connection.canaries, (id) => this.monitors.state(id));
  }

  private report(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.output.error(message);
    void vscode.window.showErrorMessage(message);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

export function registerRollouts(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  context.subscriptions.push(new RolloutsController(context, output));
}
