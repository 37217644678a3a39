/**
 * The Rollouts view's cluster: the client from the kubeconfig settings, and the watch of the
 * canaries in the chosen namespaces, running only while the view is visible in a trusted workspace.
 */
import * as vscode from 'vscode';
import { CanaryWatcher, ClusterClient, type Canary } from '../../../operations/cluster';
import type { RolloutSettings } from './settings';

export class ClusterConnection implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the canaries or the connection's problem change. */
  readonly onDidChange = this.changed.event;
  private current: ClusterClient | undefined;
  private watcher: CanaryWatcher | undefined;
  /** Why there is no client (a kubeconfig problem). */
  clientProblem: string | undefined;
  /** The canaries of the last watch event. */
  canaries: Canary[] = [];
  /** Why the watch cannot see the cluster (unreachable, forbidden, …). */
  watchProblem: string | undefined;

  constructor(
    private readonly settings: RolloutSettings,
    private readonly log: (line: string) => void,
  ) {}

  get client(): ClusterClient | undefined {
    return this.current;
  }

  /** The client, created from the settings on first use. Throws (and remembers why) when the kubeconfig is unusable. */
  ensureClient(): ClusterClient {
    if (this.current) return this.current;
    const { kubeconfig, context } = this.settings.cluster();
    try {
      this.current = ClusterClient.fromKubeconfig({ kubeconfig, context, cwd: this.settings.workspaceFolder(), trusted: vscode.workspace.isTrusted });
      this.clientProblem = undefined;
      this.log(`cluster: context ${this.current.context} at ${this.current.server}`);
      return this.current;
    } catch (error) {
      this.clientProblem = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  namespaces(): string[] {
    const configured = this.settings.cluster().namespaces;
    if (configured.length) return configured;
    return [this.current?.defaultNamespace ?? 'default'];
  }

  /** Starts or stops the watch: it runs only while `wanted` (the view visible, the workspace trusted). */
  syncWatcher(wanted: boolean): void {
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
      this.changed.fire();
      return;
    }
    const watcher = new CanaryWatcher(client, this.namespaces());
    this.watcher = watcher;
    watcher.onDidChange(({ canaries, state }) => {
      if (this.watcher !== watcher) return;
      this.canaries = canaries;
      this.watchProblem =
        state.kind === 'unreachable' || state.kind === 'forbidden' || state.kind === 'unauthorized' || state.kind === 'error' ? state.message : undefined;
      this.changed.fire();
    }, true);
    void watcher.start();
  }

  /** Forgets the client and the canaries (the settings changed); the next sync connects again. */
  reset(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    this.current = undefined;
    this.canaries = [];
  }

  dispose(): void {
    this.watcher?.dispose();
    this.changed.dispose();
  }
}
