/**
 * The Rollouts view's commands: step, promote, roll back, set the weight (with the gate check and
 * a typed override when gates refuse), Argo retry, auto-progress, gate metrics, and choosing the
 * context and namespaces. Each runs only in a trusted workspace; its errors are shown, not thrown.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import {
  canaryTarget,
  changeCanary,
  ClusterError,
  describeChange,
  listCanaries,
  promoteRollout,
  readCanary,
  retryRollout,
  routeLabel,
  selectRoute,
  type Canary,
  type CanaryChange,
} from '../../../operations/cluster';
import { prometheusGateCheck } from '../../../operations/gates/hook';
import type { ClusterConnection } from './connection';
import { GateMetricsPanel } from './metrics-panel';
import type { GateMonitors } from './monitors';
import type { RolloutSettings } from './settings';
import type { RolloutStatusBar } from './status-bar';
import type { RolloutNode } from './tree-model';
import { workspaceNewVersionCheck } from './new-version-checks';

export interface RolloutCommandsContext {
  extensionUri: vscode.Uri;
  settings: RolloutSettings;
  connection: ClusterConnection;
  monitors: GateMonitors;
  statusBar: RolloutStatusBar;
  log(line: string): void;
  /** Shows an error to the user and in the log. */
  report(error: unknown): void;
  /** The settings changed: connect again. */
  reconnect(): void;
  /** Something the view shows changed. */
  changed(): void;
  /** The user acted on this canary: the status bar follows it. */
  focus(id: string): void;
}

/** Registers the commands; the returned disposables unregister them. */
export function registerRolloutCommands(context: RolloutCommandsContext): vscode.Disposable[] {
  const commands = new RolloutCommands(context);
  const command = (id: string, run: (node?: RolloutNode) => Promise<unknown>): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (node?: RolloutNode) => {
      try {
        if (!vscode.workspace.isTrusted) throw new Error('Rollout Guard does not touch a cluster in an untrusted workspace (Restricted Mode).');
        await run(node);
      } catch (error) {
        context.report(error);
      }
    });
  return [
    command('rolloutGuard.rollouts.refresh', async () => context.reconnect()),
    command('rolloutGuard.rollouts.selectContext', () => commands.selectContext()),
    command('rolloutGuard.rollouts.selectNamespaces', () => commands.selectNamespaces()),
    command('rolloutGuard.canary.setWeight', (node) => commands.setWeight(node)),
    command('rolloutGuard.canary.step', (node) => commands.change(node, 'step')),
    command('rolloutGuard.canary.promote', (node) => commands.change(node, 'promote')),
    command('rolloutGuard.canary.rollback', (node) => commands.change(node, 'rollback')),
    command('rolloutGuard.canary.pauseAutoProgress', (node) => commands.setAutoProgress(node, false)),
    command('rolloutGuard.canary.resumeAutoProgress', (node) => commands.setAutoProgress(node, true)),
    command('rolloutGuard.canary.showGateMetrics', (node) => commands.showMetrics(node)),
    command('rolloutGuard.canary.retry', (node) => commands.retry(node)),
    command('rolloutGuard.setPrometheusToken', () => context.settings.setPrometheusToken()),
  ];
}

class RolloutCommands {
  private readonly settings: RolloutSettings;
  private readonly connection: ClusterConnection;
  private readonly monitors: GateMonitors;
  private readonly statusBar: RolloutStatusBar;

  constructor(private readonly context: RolloutCommandsContext) {
    this.settings = context.settings;
    this.connection = context.connection;
    this.monitors = context.monitors;
    this.statusBar = context.statusBar;
  }

  private log(line: string): void {
    this.context.log(line);
  }

  private async pickCanary(node: RolloutNode | undefined, title: string): Promise<Canary | undefined> {
    const client = this.connection.ensureClient();
    if (node?.canaryId) return readCanary(client, node.canaryId);
    const canaries = this.connection.canaries.length
      ? this.connection.canaries
      : (await Promise.all(this.connection.namespaces().map((ns) => listCanaries(client, ns)))).flat();
    if (canaries.length === 0)
      throw new Error(`No canary (VirtualService route with two or more weighted destinations) in ${this.connection.namespaces().join(', ')}.`);
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

  async change(node: RolloutNode | undefined, action: 'step' | 'promote' | 'rollback'): Promise<void> {
    const canary = await this.pickCanary(node, `${action[0]!.toUpperCase()}${action.slice(1)} canary`);
    if (!canary) return;
    await this.withOverride(canary, (override) =>
      changeCanary(this.connection.client!, canary.id, action, {
        route: this.routeOf(node, canary),
        steps: this.settings.steps(),
        gateCheck: action === 'rollback' ? undefined : prometheusGateCheck(this.settings.gates()),
        newVersionCheck: workspaceNewVersionCheck(this.connection.client!, this.settings.workspaceFolder()),
        override,
      }),
    );
  }

  async setWeight(node: RolloutNode | undefined): Promise<void> {
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
    const run = async (override?: string): Promise<CanaryChange> => {
      if (weight > current && current > 0) {
        // Raising the share of a canary that takes traffic is a step forward: the same gate check
        // as Step. From 0 % there is nothing to measure yet: setting a weight by hand starts it.
        const gate = await prometheusGateCheck(this.settings.gates())(canary, selectRoute(canary, this.routeOf(node, canary)));
        if ((gate.verdict === 'fail' || gate.verdict === 'no-data') && override === undefined)
          throw new ClusterError(
            'refused',
            `raising ${canary.id} to ${weight} % refused: gate ${gate.verdict === 'fail' ? 'failed' : 'has no data'}: ${gate.reason}`,
          );
      }
      return changeCanary(this.connection.client!, canary.id, 'set-weight', {
        route: this.routeOf(node, canary),
        percent: weight,
        newVersionCheck: workspaceNewVersionCheck(this.connection.client!, this.settings.workspaceFolder()),
        override,
      });
    };
    await this.withOverride(canary, run);
  }

  /** Runs a weight change; when gates or the configuration check refuse it, offers an override confirmed by typing the rollout's name. */
  private async withOverride(canary: Canary, run: (override?: string) => Promise<CanaryChange>): Promise<void> {
    let result: CanaryChange;
    try {
      result = await run();
    } catch (error) {
      if (!(error instanceof ClusterError && error.kind === 'refused' && /gate|configuration check/.test(error.message))) throw error;
      const name = canary.rollout?.name ?? canary.name;
      const choice = await vscode.window.showWarningMessage(error.message.replace(/\. To go ahead anyway.*$/, '.'), { modal: true }, 'Override…');
      if (choice !== 'Override…') return;
      const typed = await vscode.window.showInputBox({
        title: 'Override',
        prompt: `Type the rollout's name (${name}) to move ${canary.id} anyway.`,
        validateInput: (value) => (value === name ? undefined : `Type ${name} exactly`),
      });
      if (typed !== name) return;
      this.log(`override: ${canary.id} moved despite: ${error.message}`);
      result = await run(typed);
    }
    this.monitors.weightChanged(canary.id);
    const message = `${describeChange(result)}.`;
    this.log(message);
    void vscode.window.showInformationMessage(message);
    this.context.focus(canary.id);
  }

  /** Argo Rollouts: retry an aborted Rollout (the status patch Argo's kubectl plugin sends). */
  async retry(node: RolloutNode | undefined): Promise<void> {
    const canary = await this.pickCanary(node, 'Retry Rollout');
    if (!canary) return;
    if (!canary.rollout) throw new Error(`${canary.id} is not managed by an Argo Rollout: nothing to retry (use Step to move it forward).`);
    await retryRollout(this.connection.client!, canary.rollout.namespace, canary.rollout.name);
    void vscode.window.showInformationMessage(`Retrying Rollout ${canary.rollout.namespace}/${canary.rollout.name}.`);
  }

  async setAutoProgress(node: RolloutNode | undefined, on: boolean): Promise<void> {
    const canary = await this.pickCanary(node, on ? 'Resume auto-progress' : 'Pause auto-progress');
    if (!canary) return;
    if (canary.rollout) {
      // Argo Rollouts progress themselves: pause is spec.paused, resume is Argo's promote (unpause).
      const { namespace, name } = canary.rollout;
      if (on) await promoteRollout(this.connection.client!, namespace, name);
      else await this.connection.client!.mergePatch('Rollout', namespace, name, { spec: { paused: true } });
      void vscode.window.showInformationMessage(`Rollout ${namespace}/${name} ${on ? 'resumed' : 'paused'}.`);
      return;
    }
    this.monitors.setAutoProgress(canary.id, on);
    this.log(`auto-progress of ${canary.id} ${on ? 'resumed' : 'paused'}`);
    this.context.changed();
  }

  async showMetrics(node: RolloutNode | undefined): Promise<void> {
    const id = node?.canaryId ?? this.statusBar.focused;
    const canary = id ? await readCanary(this.connection.ensureClient(), id) : await this.pickCanary(undefined, 'Show gate metrics');
    if (!canary) return;
    const target = canaryTarget(canary, selectRoute(canary, this.routeOf(node, canary)));
    GateMetricsPanel.show(this.context.extensionUri, canary.id, target, {
      settings: () => this.settings.gates(),
      prometheus: () => this.settings.prometheus(this.settings.gates()),
    });
  }

  async selectContext(): Promise<void> {
    const client = this.connection.ensureClient();
    const contexts = client.kc.getContexts().map((c) => ({ label: c.name, description: c.name === client.context ? 'current' : c.cluster }));
    const picked = await vscode.window.showQuickPick(contexts, { title: 'Kubernetes context' });
    if (!picked) return;
    await this.settings.updateCluster('context', picked.label);
  }

  async selectNamespaces(): Promise<void> {
    const client = this.connection.ensureClient();
    let names: string[];
    try {
      names = (await client.kc.makeApiClient(CoreV1Api).listNamespace()).items
        .map((n) => n.metadata?.name ?? '')
        .filter(Boolean)
        .sort();
    } catch (error) {
      this.log(`namespaces: ${error instanceof Error ? error.message : String(error)}`);
      names = this.connection.namespaces();
    }
    const current = new Set(this.connection.namespaces());
    const picked = await vscode.window.showQuickPick(
      names.map((n) => ({ label: n, picked: current.has(n) })),
      { title: 'Namespaces to watch', canPickMany: true },
    );
    if (!picked?.length) return;
    await this.settings.updateCluster(
      'namespaces',
      picked.map((p) => p.label),
    );
  }
}
