/**
 * What the Rollouts view reads from the user: the rolloutGuard.* settings laid over
 * .rollout-guard.yaml (cluster, gates, canary steps), and the Prometheus token in SecretStorage.
 */
import * as vscode from 'vscode';
import { canaryConfigFrom, DEFAULT_STEPS, validateSteps } from '../../../operations/cluster';
import type { LoadedConfig } from '../../../server/src/workspace/config-file';
import { readWorkspaceConfig } from '../workspace-config';
import { durationMs, gateSettingsFrom, PrometheusClient, prometheusTokenKey, type GateSettings, type GateSettingsInput } from '../../../operations/gates';

/** Before tokens were kept per origin: one token for whatever URL was configured. */
export const UNBOUND_PROMETHEUS_TOKEN_KEY = 'rolloutGuard.prometheus.token';

export class RolloutSettings {
  /** Origins the user chose not to send the unbound (older) Prometheus token to, this session. */
  private readonly declinedUnboundToken = new Set<string>();

  constructor(private readonly secrets: vscode.SecretStorage) {}

  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('rolloutGuard');
  }

  /** A setting the user set (folder, workspace or user), not VS Code's default. */
  private explicit<T>(setting: string): T | undefined {
    const inspected = this.config.inspect<T>(setting);
    return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  }

  workspaceFolder(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  /** .rollout-guard.yaml of the first workspace folder, where the language server and the Migrations view read it. */
  private workspaceConfig(): LoadedConfig | undefined {
    return readWorkspaceConfig(vscode.workspace.workspaceFolders?.[0]);
  }

  cluster(): { kubeconfig?: string; context?: string; namespaces: string[] } {
    return {
      kubeconfig: this.config.get<string>('cluster.kubeconfig') || undefined,
      context: this.config.get<string>('cluster.context') || undefined,
      namespaces: this.config.get<string[]>('cluster.namespaces') ?? [],
    };
  }

  /** Stores a cluster setting for this workspace. */
  async updateCluster(key: 'context' | 'namespaces', value: string | string[]): Promise<void> {
    await this.config.update(`cluster.${key}`, value, vscode.ConfigurationTarget.Workspace);
  }

  /** Gate settings: .rollout-guard.yaml with the explicitly set rolloutGuard.gates.* on top. Throws ConfigError. */
  gates(): GateSettings {
    const overrides: GateSettingsInput = {};
    const set = <K extends keyof GateSettingsInput>(key: K, setting: string): void => {
      const value = this.explicit<GateSettingsInput[K]>(setting);
      if (value !== undefined) overrides[key] = value;
    };
    set('prometheusUrl', 'gates.prometheusUrl');
    set('preset', 'gates.preset');
    set('interval', 'gates.interval');
    set('consecutiveFailures', 'gates.consecutiveFailures');
    set('autoRollback', 'gates.autoRollback');
    return gateSettingsFrom(this.workspaceConfig(), overrides);
  }

  /** Step weights: the setting when set explicitly, else canary.steps of .rollout-guard.yaml, else the defaults. */
  steps(): number[] {
    const explicit = this.explicit<number[]>('canary.steps');
    if (explicit?.length) return validateSteps(explicit, 'rolloutGuard.canary.steps');
    return canaryConfigFrom(this.workspaceConfig()).steps ?? [...DEFAULT_STEPS];
  }

  /** How long auto-progress waits at a weight before the next step. */
  autoProgressDwellMs(): number {
    return durationMs(this.config.get<string>('canary.autoProgressDwell') || '2m');
  }

  /** A client for the configured Prometheus, with its stored token; or why there is none. */
  async prometheus(settings: GateSettings): Promise<PrometheusClient | string> {
    if (!settings.prometheusUrl) return 'No Prometheus URL: set rolloutGuard.gates.prometheusUrl or prometheus.url in .rollout-guard.yaml.';
    const token = await this.prometheusToken(settings.prometheusUrl);
    return new PrometheusClient(settings.prometheusUrl, { timeoutMs: settings.timeoutMs, headers: token ? { authorization: `Bearer ${token}` } : undefined });
  }

  /**
   * The token stored for this URL's origin. A token stored before tokens were bound to an origin
   * is sent only once the user agrees, and is then bound to this origin.
   */
  async prometheusToken(url: string): Promise<string | undefined> {
    const key = prometheusTokenKey(url);
    if (!key) return undefined;
    const token = await this.secrets.get(key);
    if (token) return token;
    const unbound = await this.secrets.get(UNBOUND_PROMETHEUS_TOKEN_KEY);
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
    await this.secrets.store(key, unbound);
    await this.secrets.delete(UNBOUND_PROMETHEUS_TOKEN_KEY);
    return unbound;
  }

  /** Asks for the token of the configured Prometheus and stores it for that origin (empty removes it). */
  async setPrometheusToken(): Promise<void> {
    let url: string | undefined;
    try {
      url = this.gates().prometheusUrl;
    } catch (error) {
      void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
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
    if (token) await this.secrets.store(key, token);
    else await this.secrets.delete(key);
    this.declinedUnboundToken.delete(key);
    void vscode.window.showInformationMessage(token ? `Prometheus token for ${origin} stored in SecretStorage.` : `Prometheus token for ${origin} removed.`);
  }
}
