/**
 * The Rollouts view and its commands: canaries from the cluster (watched while the view is
 * open), their gates from Prometheus, weight changes with gate checks, automatic rollback, the
 * status-bar item and the gate metrics panel. Nothing here runs in an untrusted workspace.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import {
  canaryTarget,
  CanaryWatcher,
  ClusterClient,
  ClusterError,
  DEFAULT_STEPS,
  listCanaries,
  promoteCanary,
  promoteRollout,
  retryRollout,
  readCanary,
  readCanaryConfig,
  rollbackCanary,
  rollbackToStable,
  routeLabel,
  selectRoute,
  setCanaryWeight,
  stepCanary,
  validateSteps,
  type Canary,
  type WeightChangeOptions,
  type WeightChangeResult,
} from '../../../operations/cluster';
import {
  canaryMonitor,
  checkGates,
  type AutoRollback,
  durationMs,
  loadGateSettings,
  PrometheusClient,
  prometheusTokenKey,
  type AutoRollbackEvent,
  type GateSettings,
  type GateSettingsInput,
} from '../../../operations/gates';
import { prometheusGateCheck } from '../../../operations/gates/hook';
import { GateMetricsPanel } from './metrics-panel';
import { buildTree, failedGates, statusText, type GateState, type NodeIcon, type RolloutNode } from './tree-model';

/** Before tokens were kept per origin: one token for whatever URL was configured. */
const UNBOUND_PROMETHEUS_TOKEN_KEY = 'rolloutGuard.prometheus.token';
const ICONS: Record<NodeIcon, vscode.ThemeIcon> = {
  cluster: new vscode.ThemeIcon('server-environment'),
  namespace: new vscode.ThemeIcon('folder'),
  canary: new vscode.ThemeIcon('git-compare'),
  attention: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  route: new vscode.ThemeIcon('arrow-swap'),
  pass: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  fail: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  'no-data': new vscode.ThemeIcon('question', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  pending: new vscode.ThemeIcon('circle-outline'),
  workload: new vscode.ThemeIcon('package'),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  info: new vscode.ThemeIcon('info'),
};

class AutoRollbackOff extends Error {}

interface Monitor {
  controller: AutoRollback;
  state: GateState;
  lastWeightChange: number;
}

export class RolloutsController implements vscode.TreeDataProvider<RolloutNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RolloutNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly monitors = new Map<string, Monitor>();
  private readonly autoProgress = new Set<string>();
  /** Origins the user chose not to send the unbound (older) Prometheus token to, this session. */
  private readonly declinedUnboundToken = new Set<string>();
  private readonly statusBar = vscode.window.createStatusBarItem('rolloutGuard.rollout', vscode.StatusBarAlignment.Left, 50);
  private readonly view: vscode.TreeView<RolloutNode>;
  private client: ClusterClient | undefined;
  private clientProblem: string | undefined;
  private watcher: CanaryWatcher | undefined;
  private canaries: Canary[] = [];
  private watchProblem: string | undefined;
  private focused: string | undefined;
  private roots: RolloutNode[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.view = vscode.window.createTreeView('rolloutGuard.rollouts', { treeDataProvider: this, showCollapseAll: true });
    this.statusBar.name = 'Rollout Guard: focused rollout';
    this.statusBar.command = 'rolloutGuard.canary.showGateMetrics';
    this.disposables.push(
      this.view,
      this.statusBar,
      this.changed,
      this.view.onDidChangeVisibility(() => this.syncWatcher()),
      this.view.onDidChangeSelection((e) => {
        const id = e.selection[0]?.canaryId;
        if (id) this.focus(id);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rolloutGuard.cluster') || e.affectsConfiguration('rolloutGuard.gates')) this.reconnect();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reconnect()),
    );
    const command = (id: string, run: (node?: RolloutNode) => Promise<unknown>): void => {
      this.disposables.push(
        vscode.commands.registerCommand(id, async (node?: RolloutNode) => {
          try {
            if (!vscode.workspace.isTrusted) throw new Error('Rollout Guard does not touch a cluster in an untrusted workspace (Restricted Mode).');
            await run(node);
          } catch (error) {
            this.report(error);
          }
        }),
      );
    };
    command('rolloutGuard.rollouts.refresh', async () => this.reconnect());
    command('rolloutGuard.rollouts.selectContext', () => this.selectContext());
    command('rolloutGuard.rollouts.selectNamespaces', () => this.selectNamespaces());
    command('rolloutGuard.canary.setWeight', (node) => this.setWeight(node));
    command('rolloutGuard.canary.step', (node) => this.change(node, 'step'));
    command('rolloutGuard.canary.promote', (node) => this.change(node, 'promote'));
    command('rolloutGuard.canary.rollback', (node) => this.change(node, 'rollback'));
    command('rolloutGuard.canary.pauseAutoProgress', (node) => this.setAutoProgress(node, false));
    command('rolloutGuard.canary.resumeAutoProgress', (node) => this.setAutoProgress(node, true));
    command('rolloutGuard.canary.showGateMetrics', (node) => this.showMetrics(node));
    command('rolloutGuard.canary.retry', (node) => this.retry(node));
    command('rolloutGuard.setPrometheusToken', () => this.setPrometheusToken());
    this.render();
    this.syncWatcher();
  }

  // ---- tree

  getTreeItem(node: RolloutNode): vscode.TreeItem {
    const collapsible =
      node.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : node.icon === 'cluster' || node.icon === 'namespace' || (node.canaryId !== undefined && node.canaryId === node.id)
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.iconPath = ICONS[node.icon];
    item.contextValue = node.contextValue;
    if (node.contextValue === 'gate') item.command = { command: 'rolloutGuard.canary.showGateMetrics', title: 'Show Gate Metrics', arguments: [node] };
    return item;
  }

  getChildren(node?: RolloutNode): RolloutNode[] {
    return node ? node.children : this.roots;
  }

  getParent(): undefined {
    return undefined;
  }

  private render(): void {
    if (!vscode.workspace.isTrusted) {
      this.roots = [];
      this.view.message = 'Restricted Mode: trust this workspace to connect to a cluster.';
    } else if (!this.client) {
      this.roots = [];
      this.view.message = this.clientProblem;
    } else {
      this.view.message = undefined;
      this.roots = buildTree({
        context: this.client.context,
        server: this.client.server,
        namespaces: this.namespaces(),
        canaries: this.canaries,
        problem: this.watchProblem,
        gates: new Map([...this.monitors].map(([id, m]) => [id, m.state])),
      });
    }
    this.changed.fire(undefined);
    this.updateStatusBar();
  }

  // ---- cluster

  private settings(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('rolloutGuard');
  }

  private workspaceFolder(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  private ensureClient(): ClusterClient {
    if (this.client) return this.client;
    const kubeconfig = this.settings().get<string>('cluster.kubeconfig') || undefined;
    const context = this.settings().get<string>('cluster.context') || undefined;
    try {
      this.client = ClusterClient.fromKubeconfig({ kubeconfig, context, cwd: this.workspaceFolder(), trusted: vscode.workspace.isTrusted });
      this.clientProblem = undefined;
      this.log(`cluster: context ${this.client.context} at ${this.client.server}`);
      return this.client;
    } catch (error) {
      this.clientProblem = messageOf(error);
      throw error;
    }
  }

  private namespaces(): string[] {
    const configured = this.settings().get<string[]>('cluster.namespaces') ?? [];
    if (configured.length) return configured;
    return [this.client?.defaultNamespace ?? 'default'];
  }

  /** The watch runs only while the view is visible (and the workspace trusted). */
  private syncWatcher(): void {
    const wanted = this.view.visible && vscode.workspace.isTrusted;
    if (!wanted) {
      this.watcher?.dispose();
      this.watcher = undefined;
      return;
    }
    if (this.watcher) return;
    let client: ClusterClient;
    try {
      client = this.ensureClient();
    } catch {
      this.render();
      return;
    }
    const watcher = new CanaryWatcher(client, this.namespaces());
    this.watcher = watcher;
    watcher.onDidChange(({ canaries, state }) => {
      if (this.watcher !== watcher) return;
      this.canaries = canaries;
      this.watchProblem =
        state.kind === 'unreachable' || state.kind === 'forbidden' || state.kind === 'unauthorized' || state.kind === 'error' ? state.message : undefined;
      this.syncMonitors();
      this.render();
    }, true);
    void watcher.start();
  }

  private reconnect(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    this.client = undefined;
    this.canaries = [];
    for (const m of this.monitors.values()) m.controller.dispose();
    this.monitors.clear();
    this.syncWatcher();
    this.render();
  }

  // ---- gates and automatic rollback

  private gateSettings(): GateSettings {
    const config = this.settings();
    const overrides: GateSettingsInput = {};
    const set = <K extends keyof GateSettingsInput>(key: K, setting: string): void => {
      const inspected = config.inspect(setting);
      const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
      if (value !== undefined) overrides[key] = value;
    };
    set('prometheusUrl', 'gates.prometheusUrl');
    set('preset', 'gates.preset');
    set('interval', 'gates.interval');
    set('consecutiveFailures', 'gates.consecutiveFailures');
    set('autoRollback', 'gates.autoRollback');
    return loadGateSettings({ cwd: this.workspaceFolder() ?? process.cwd(), overrides });
  }

  private async prometheus(settings: GateSettings): Promise<PrometheusClient | string> {
    if (!settings.prometheusUrl) return 'No Prometheus URL: set rolloutGuard.gates.prometheusUrl or prometheus.url in .rollout-guard.yaml.';
    const token = await this.prometheusToken(settings.prometheusUrl);
    return new PrometheusClient(settings.prometheusUrl, { timeoutMs: settings.timeoutMs, headers: token ? { authorization: `Bearer ${token}` } : undefined });
  }

  /**
   * The token stored for this URL's origin. A token stored before tokens were bound to an origin
   * is sent only once the user agrees, and is then bound to this origin.
   */
  private async prometheusToken(url: string): Promise<string | undefined> {
    const key = prometheusTokenKey(url);
    if (!key) return undefined;
    const token = await this.context.secrets.get(key);
    if (token) return token;
    const unbound = await this.context.secrets.get(UNBOUND_PROMETHEUS_TOKEN_KEY);
    if (!unbound || this.declinedUnboundToken.has(key)) return undefined;
    const origin = new URL(url).origin;
    const send = 'Send It to This Server';
    const choice = await vscode.window.showWarningMessage(
      `A Prometheus token is stored without the server it is for. Send it to ${origin}? From now on it is kept for ${origin} only.`,
      send,
      "Don't Send",
    );
    if (choice !== send) {
      this.declinedUnboundToken.add(key);
      return undefined;
    }
    await this.context.secrets.store(key, unbound);
    await this.context.secrets.delete(UNBOUND_PROMETHEUS_TOKEN_KEY);
    return unbound;
  }

  /** Step weights: the setting when set explicitly, else canary.steps of .rollout-guard.yaml, else the defaults. */
  private steps(): number[] {
    const inspected = this.settings().inspect<number[]>('canary.steps');
    const explicit = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    if (explicit?.length) return validateSteps(explicit, 'rolloutGuard.canary.steps');
    return readCanaryConfig(this.workspaceFolder() ?? process.cwd()).steps ?? [...DEFAULT_STEPS];
  }

  /** One automatic-rollback controller per canary that takes part of the traffic. */
  private syncMonitors(): void {
    let settings: GateSettings;
    try {
      settings = this.gateSettings();
    } catch (error) {
      this.watchProblem = messageOf(error);
      return;
    }
    for (const canary of this.canaries) {
      const weight = canary.routes[0]!.canaryWeight;
      if (this.monitors.has(canary.id) || !(weight > 0 && weight < 100)) continue;
      if (!settings.prometheusUrl) continue;
      this.startMonitor(canary.id, settings);
    }
  }

  private startMonitor(id: string, settings: GateSettings): void {
    const client = this.client!;
    const controller = canaryMonitor(client, id, {
      intervalMs: settings.evaluateEveryMs,
      consecutiveFailures: settings.consecutiveFailures,
      evaluate: async (target) => {
        const current = this.gateSettings();
        const prometheus = await this.prometheus(current);
        return checkGates(target, current.gates, prometheus, { interval: current.interval, timeoutMs: current.timeoutMs });
      },
      beforeRollback: () => {
        if (!this.gateSettings().autoRollback) throw new AutoRollbackOff('automatic rollback is off (rolloutGuard.gates.autoRollback)');
      },
    });
    const monitor: Monitor = {
      controller,
      state: { autoRollback: settings.autoRollback, autoProgress: this.autoProgress.has(id) },
      lastWeightChange: Date.now(),
    };
    this.monitors.set(id, monitor);
    controller.onEvent((event) => this.onGateEvent(id, monitor, event));
    controller.start();
  }

  private onGateEvent(id: string, monitor: Monitor, event: AutoRollbackEvent): void {
    switch (event.type) {
      case 'evaluated':
        monitor.state = {
          ...monitor.state,
          report: event.report,
          consecutiveFailures: event.consecutiveFailures,
          rollbackAfter: event.rollbackAfter,
          note: undefined,
        };
        this.log(`gates ${id}: ${event.report.verdict} — ${event.report.reason}`);
        if (event.report.verdict === 'pass') void this.maybeAutoProgress(id, monitor);
        break;
      case 'rolled-back':
        monitor.state = { ...monitor.state, report: event.report, consecutiveFailures: 0 };
        this.log(`automatic rollback of ${id} to 0 % after ${event.consecutiveFailures} failing evaluations: ${failedGates(event.report)}`);
        this.autoProgress.delete(id);
        void vscode.window
          .showWarningMessage(
            `Rolled back ${id} to 0 %: gates failed ${event.consecutiveFailures} times in a row — ${failedGates(event.report)}.`,
            'Show Gate Metrics',
          )
          .then((choice) => choice && vscode.commands.executeCommand('rolloutGuard.canary.showGateMetrics', { canaryId: id }));
        break;
      case 'rollback-failed':
        monitor.state = { ...monitor.state, report: event.report, note: event.error };
        this.log(`gates ${id} failing (${failedGates(event.report)}); rollback not done: ${event.error}`);
        if (!monitor.state.note?.startsWith('automatic rollback is off'))
          void vscode.window.showErrorMessage(`Automatic rollback of ${id} failed: ${event.error}`);
        break;
      case 'idle':
        // Weight 0 or 100: nothing left to guard.
        monitor.controller.dispose();
        this.monitors.delete(id);
        break;
      case 'error':
        monitor.state = { ...monitor.state, note: event.error };
        this.log(`gates ${id}: ${event.error}`);
        break;
    }
    this.render();
  }

  /** With auto-progress on, a passing evaluation steps the canary once the dwell time has passed. */
  private async maybeAutoProgress(id: string, monitor: Monitor): Promise<void> {
    if (!this.autoProgress.has(id) || !this.client) return;
    const dwellMs = durationMs(this.settings().get<string>('canary.autoProgressDwell') || '2m');
    if (Date.now() - monitor.lastWeightChange < dwellMs) return;
    const settings = this.gateSettings();
    const result = await stepCanary(this.client, id, { steps: this.steps(), gateCheck: prometheusGateCheck(settings) }).catch((error: unknown) => {
      this.log(`auto-progress of ${id} stopped: ${messageOf(error)}`);
      this.autoProgress.delete(id);
      return undefined;
    });
    if (result?.changed) {
      monitor.lastWeightChange = Date.now();
      this.log(`auto-progress: ${id} ${result.previousWeight} % → ${result.weight} %`);
    }
  }

  // ---- commands

  private async pickCanary(node: RolloutNode | undefined, title: string): Promise<Canary | undefined> {
    const client = this.ensureClient();
    if (node?.canaryId) return readCanary(client, node.canaryId);
    const canaries = this.canaries.length ? this.canaries : (await Promise.all(this.namespaces().map((ns) => listCanaries(client, ns)))).flat();
    if (canaries.length === 0) throw new Error(`No canary (VirtualService route with two or more weighted destinations) in ${this.namespaces().join(', ')}.`);
    if (canaries.length === 1) return canaries[0];
    const picked = await vscode.window.showQuickPick(
      canaries.map((c) => ({ label: c.id, description: `canary ${c.routes[0]!.canaryWeight} %`, canary: c })),
      { title, placeHolder: 'Rollout' },
    );
    return picked?.canary;
  }

  private routeOf(node: RolloutNode | undefined, canary: Canary): string | undefined {
    const index = node?.routeIndex;
    if (index === undefined) return undefined;
    const route = canary.routes.find((r) => r.index === index);
    return route ? routeLabel(route) : undefined;
  }

  private async change(node: RolloutNode | undefined, action: 'step' | 'promote' | 'rollback'): Promise<void> {
    const canary = await this.pickCanary(node, `${action[0]!.toUpperCase()}${action.slice(1)} canary`);
    if (!canary) return;
    if (action === 'promote' && canary.rollout) {
      await promoteRollout(this.client!, canary.rollout.namespace, canary.rollout.name);
      void vscode.window.showInformationMessage(`Promoted Rollout ${canary.rollout.namespace}/${canary.rollout.name}.`);
      return;
    }
    if (action === 'rollback' && canary.rollout) {
      const result = await rollbackToStable(this.client!, canary.id);
      void vscode.window.showInformationMessage(`${canary.id}: ${result.message}.`);
      return;
    }
    const run = (override?: string): Promise<WeightChangeResult> => {
      const options: WeightChangeOptions = {
        route: this.routeOf(node, canary),
        steps: this.steps(),
        gateCheck: prometheusGateCheck(this.gateSettings()),
        override,
      };
      return action === 'step'
        ? stepCanary(this.client!, canary.id, options)
        : action === 'promote'
          ? promoteCanary(this.client!, canary.id, options)
          : rollbackCanary(this.client!, canary.id, options);
    };
    await this.withOverride(canary, run);
  }

  private async setWeight(node: RolloutNode | undefined): Promise<void> {
    const canary = await this.pickCanary(node, 'Set canary weight');
    if (!canary) return;
    const current = canary.routes[0]!.canaryWeight;
    const text = await vscode.window.showInputBox({
      title: `Canary weight of ${canary.id}`,
      prompt: `Percent of traffic to the canary (now ${current} %). Raising it checks the gates first.`,
      value: String(current),
      validateInput: (value) => (/^\d{1,3}$/.test(value.trim()) && Number(value) <= 100 ? undefined : 'A whole number from 0 to 100'),
    });
    if (text === undefined) return;
    const weight = Number(text.trim());
    const run = async (override?: string): Promise<WeightChangeResult> => {
      if (weight > current && current > 0) {
        // Raising the share of a canary that takes traffic is a step forward: the same gate check
        // as Step. From 0 % there is nothing to measure yet: setting a weight by hand starts it.
        const gate = await prometheusGateCheck(this.gateSettings())(canary, selectRoute(canary, this.routeOf(node, canary)));
        if ((gate.verdict === 'fail' || gate.verdict === 'no-data') && override === undefined)
          throw new ClusterError(
            'refused',
            `raising ${canary.id} to ${weight} % refused: gate ${gate.verdict === 'fail' ? 'failed' : 'has no data'}: ${gate.reason}`,
          );
      }
      return setCanaryWeight(this.client!, canary.id, weight, { route: this.routeOf(node, canary) });
    };
    await this.withOverride(canary, run);
  }

  /** Runs a weight change; when gates refuse it, offers an override confirmed by typing the rollout's name. */
  private async withOverride(canary: Canary, run: (override?: string) => Promise<WeightChangeResult>): Promise<void> {
    let result: WeightChangeResult;
    try {
      result = await run();
    } catch (error) {
      if (!(error instanceof ClusterError && error.kind === 'refused' && /gate/.test(error.message))) throw error;
      const name = canary.rollout?.name ?? canary.name;
      const choice = await vscode.window.showWarningMessage(error.message.replace(/\. To go ahead anyway.*$/, '.'), { modal: true }, 'Override…');
      if (choice !== 'Override…') return;
      const typed = await vscode.window.showInputBox({
        title: 'Override the gates',
        prompt: `Type the rollout's name (${name}) to move ${canary.id} despite the gates.`,
        validateInput: (value) => (value === name ? undefined : `Type ${name} exactly`),
      });
      if (typed !== name) return;
      this.log(`override: ${canary.id} moved despite the gates (${error.message})`);
      result = await run(typed);
    }
    const monitor = this.monitors.get(canary.id);
    if (monitor) monitor.lastWeightChange = Date.now();
    const message = result.changed
      ? `${canary.id}: canary ${result.previousWeight} % → ${result.weight} %${result.attempts > 1 ? ` (after ${result.attempts - 1} conflicting writes)` : ''}.`
      : `${canary.id} is already at ${result.weight} %.`;
    this.log(message);
    void vscode.window.showInformationMessage(message);
    this.focus(canary.id);
  }

  /** Argo Rollouts: retry an aborted Rollout (the status patch Argo's kubectl plugin sends). */
  private async retry(node: RolloutNode | undefined): Promise<void> {
    const canary = await this.pickCanary(node, 'Retry Rollout');
    if (!canary) return;
    if (!canary.rollout) throw new Error(`${canary.id} is not managed by an Argo Rollout: nothing to retry (use Step to move it forward).`);
    await retryRollout(this.client!, canary.rollout.namespace, canary.rollout.name);
    void vscode.window.showInformationMessage(`Retrying Rollout ${canary.rollout.namespace}/${canary.rollout.name}.`);
  }

  private async setAutoProgress(node: RolloutNode | undefined, on: boolean): Promise<void> {
    const canary = await this.pickCanary(node, on ? 'Resume auto-progress' : 'Pause auto-progress');
    if (!canary) return;
    if (canary.rollout) {
      // Argo Rollouts progress themselves: pause is spec.paused, resume is Argo's promote (unpause).
      const { namespace, name } = canary.rollout;
      if (on) await promoteRollout(this.client!, namespace, name);
      else await this.client!.mergePatch('Rollout', namespace, name, { spec: { paused: true } });
      void vscode.window.showInformationMessage(`Rollout ${namespace}/${name} ${on ? 'resumed' : 'paused'}.`);
      return;
    }
    if (on) this.autoProgress.add(canary.id);
    else this.autoProgress.delete(canary.id);
    const monitor = this.monitors.get(canary.id);
    if (monitor) monitor.state = { ...monitor.state, autoProgress: on };
    else if (on) {
      const settings = this.gateSettings();
      if (!settings.prometheusUrl) throw new Error('Auto-progress needs gates: set rolloutGuard.gates.prometheusUrl (steps are taken only while gates pass).');
      this.startMonitor(canary.id, settings);
    }
    this.log(`auto-progress of ${canary.id} ${on ? 'resumed' : 'paused'}`);
    this.render();
  }

  private async showMetrics(node: RolloutNode | undefined): Promise<void> {
    const id = node?.canaryId ?? this.focused;
    const canary = id ? await readCanary(this.ensureClient(), id) : await this.pickCanary(undefined, 'Show gate metrics');
    if (!canary) return;
    const target = canaryTarget(canary, selectRoute(canary, this.routeOf(node, canary)));
    GateMetricsPanel.show(this.context.extensionUri, canary.id, target, {
      settings: () => this.gateSettings(),
      prometheus: () => this.prometheus(this.gateSettings()),
    });
  }

  private async selectContext(): Promise<void> {
    const client = this.ensureClient();
    const contexts = client.kc.getContexts().map((c) => ({ label: c.name, description: c.name === client.context ? 'current' : c.cluster }));
    const picked = await vscode.window.showQuickPick(contexts, { title: 'Kubernetes context' });
    if (!picked) return;
    await this.settings().update('cluster.context', picked.label, vscode.ConfigurationTarget.Workspace);
  }

  private async selectNamespaces(): Promise<void> {
    const client = this.ensureClient();
    let names: string[];
    try {
      names = (await client.kc.makeApiClient(CoreV1Api).listNamespace()).items
        .map((n) => n.metadata?.name ?? '')
        .filter(Boolean)
        .sort();
    } catch (error) {
      this.log(`namespaces: ${messageOf(error)}`);
      names = this.namespaces();
    }
    const current = new Set(this.namespaces());
    const picked = await vscode.window.showQuickPick(
      names.map((n) => ({ label: n, picked: current.has(n) })),
      { title: 'Namespaces to watch', canPickMany: true },
    );
    if (!picked?.length) return;
    await this.settings().update(
      'cluster.namespaces',
      picked.map((p) => p.label),
      vscode.ConfigurationTarget.Workspace,
    );
  }

  private async setPrometheusToken(): Promise<void> {
    let url: string | undefined;
    try {
      url = this.gateSettings().prometheusUrl;
    } catch (error) {
      void vscode.window.showErrorMessage(messageOf(error));
      return;
    }
    const key = url ? prometheusTokenKey(url) : undefined;
    if (!url || !key) {
      void vscode.window.showErrorMessage(
        'Set the Prometheus URL first (rolloutGuard.gates.prometheusUrl or prometheus.url in .rollout-guard.yaml): a token is kept for one server.',
      );
      return;
    }
    const origin = new URL(url).origin;
    const token = await vscode.window.showInputBox({
      title: `Prometheus bearer token for ${origin}`,
      prompt: `Stored in VS Code SecretStorage and sent only to ${origin}; empty removes it.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (token === undefined) return;
    if (token) await this.context.secrets.store(key, token);
    else await this.context.secrets.delete(key);
    this.declinedUnboundToken.delete(key);
    void vscode.window.showInformationMessage(token ? `Prometheus token for ${origin} stored in SecretStorage.` : `Prometheus token for ${origin} removed.`);
  }

  // ---- status bar, messages

  private focus(id: string): void {
    this.focused = id;
    this.updateStatusBar();
  }

  private updateStatusBar(): void {
    const canary =
      this.canaries.find((c) => c.id === this.focused) ?? this.canaries.find((c) => c.routes.some((r) => r.canaryWeight > 0 && r.canaryWeight < 100));
    if (!canary || !vscode.workspace.isTrusted) {
      this.statusBar.hide();
      return;
    }
    const { text, tooltip, failing } = statusText(canary, this.monitors.get(canary.id)?.state);
    this.statusBar.text = text;
    this.statusBar.tooltip = tooltip;
    this.statusBar.backgroundColor = failing ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.statusBar.show();
  }

  private log(line: string): void {
    this.output.info(line);
  }

  private report(error: unknown): void {
    const message = messageOf(error);
    this.output.error(message);
    void vscode.window.showErrorMessage(message);
  }

  dispose(): void {
    this.watcher?.dispose();
    for (const m of this.monitors.values()) m.controller.dispose();
    this.monitors.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function registerRollouts(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  context.subscriptions.push(new RolloutsController(context, output));
}
