/**
 * "Rollout Guard: Check Against Cluster" and the rolloutGuard.manifests.checkAgainstCluster
 * setting: the client reads what the language server's references need from the cluster of the
 * Rollouts view's settings (kubeconfig, context) and sends the language server a snapshot (key
 * names only, never Secret values); dangling-config-reference then looks there after the
 * workspace. Only in a trusted workspace. An unreachable cluster is one status item and one
 * message, not a diagnostic per reference.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ClusterClient, readClusterSnapshot } from '../../../operations/cluster';
import { CLUSTER_NEEDS_REQUEST, CLUSTER_SNAPSHOT_NOTIFICATION, type ClusterNeed } from '../../../server/src/engine/manifests/cluster-view';
import { RolloutSettings } from './settings';

export const CHECK_AGAINST_CLUSTER_COMMAND = 'rolloutGuard.checkAgainstCluster';
const SETTING = 'manifests.checkAgainstCluster';
/** Saves of manifests within this long are one re-read. */
const RECHECK_DELAY_MS = 1500;

/** Registers the command and the setting's behaviour; call once the language client has started. */
export function registerClusterCheck(context: vscode.ExtensionContext, languageClient: LanguageClient, output: vscode.LogOutputChannel): void {
  const settings = new RolloutSettings(context.secrets);
  const status = vscode.window.createStatusBarItem('rolloutGuard.clusterCheck', vscode.StatusBarAlignment.Left, 10);
  status.name = 'Rollout Guard: cluster check';
  status.command = CHECK_AGAINST_CLUSTER_COMMAND;
  let reportedProblem: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const enabled = (): boolean => vscode.workspace.getConfiguration('rolloutGuard').get<boolean>(SETTING, false);

  const check = async (fromCommand: boolean): Promise<void> => {
    if (!vscode.workspace.isTrusted) {
      if (fromCommand) void vscode.window.showWarningMessage('Rollout Guard does not read a cluster in an untrusted workspace (Restricted Mode).');
      return;
    }
    status.text = '$(sync~spin) cluster check';
    status.tooltip = 'Reading the ConfigMaps, Secrets (key names only), ServiceAccounts and PVCs the manifests reference';
    status.show();
    try {
      const { kubeconfig, context: kubeContext } = settings.cluster();
      const cluster = ClusterClient.fromKubeconfig({ kubeconfig, context: kubeContext, cwd: settings.workspaceFolder(), trusted: true });
      const defaultNamespace = cluster.defaultNamespace ?? 'default';
      const needs = await languageClient.sendRequest<ClusterNeed[]>(CLUSTER_NEEDS_REQUEST, { defaultNamespace });
      const snapshot = await readClusterSnapshot(cluster, needs, defaultNamespace);
      await languageClient.sendNotification(CLUSTER_SNAPSHOT_NOTIFICATION, snapshot);
      const unreadable = snapshot.listings.filter((l) => l.unreadable !== undefined).length;
      status.text = `$(cloud) ${cluster.context}`;
      status.tooltip = `Manifests checked against cluster ${cluster.context} (${cluster.server}): ${snapshot.listings.length} kind/namespace lists read${unreadable ? `, ${unreadable} not readable (forbidden)` : ''}. Click to check again.`;
      output.info(`cluster check: ${snapshot.listings.length} lists read from ${cluster.context}${unreadable ? ` (${unreadable} not readable)` : ''}`);
      reportedProblem = undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await languageClient.sendNotification(CLUSTER_SNAPSHOT_NOTIFICATION, null);
      status.text = '$(cloud-offline) cluster check';
      status.tooltip = `Not checked against the cluster: ${message}. Click to try again.`;
      output.warn(`cluster check: ${message}`);
      // One message per problem, however often saves re-run it.
      if (fromCommand || reportedProblem !== message) void vscode.window.showWarningMessage(`Rollout Guard: cannot check against the cluster: ${message}`);
      reportedProblem = message;
    }
  };

  const stop = (): void => {
    status.hide();
    reportedProblem = undefined;
    void languageClient.sendNotification(CLUSTER_SNAPSHOT_NOTIFICATION, null);
  };

  context.subscriptions.push(
    status,
    { dispose: () => clearTimeout(timer) },
    vscode.commands.registerCommand(CHECK_AGAINST_CLUSTER_COMMAND, () => check(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`rolloutGuard.${SETTING}`) || e.affectsConfiguration('rolloutGuard.cluster')) {
        if (enabled()) void check(false);
        else stop();
      }
    }),
    // A saved manifest may reference something new: read again (debounced).
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (!enabled() || document.languageId !== 'yaml') return;
      clearTimeout(timer);
      timer = setTimeout(() => void check(false), RECHECK_DELAY_MS);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (enabled()) void check(false);
    }),
  );
  // Called once the language server runs; a restarted server starts without the snapshot.
  context.subscriptions.push(
    languageClient.onDidChangeState(() => {
      if (languageClient.isRunning() && enabled()) void check(false);
    }),
  );
  if (enabled()) void check(false);
}
