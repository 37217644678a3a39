/**
 * What the runner needs for a plan whose switch phase binds a flag, from the editor's settings:
 * the flag service of .rollout-guard.yaml with the editor's settings over it, as the Flags view reads
 * it (switch ramps the flag, contract checks it is fully on)
 * and, for switch, the gates of the canary the user picks among those of the watched namespaces
 * (pickRampGates, which the Flags view's Ramp asks too).
 */
import * as vscode from 'vscode';
import { ClusterClient, listCanaries } from '../../../operations/cluster';
import { flagServiceOf, flagSettingsFrom, FLAGS_TOKEN_VARIABLE, type FlagService } from '../../../operations/flags';
import { canaryGateCheck } from '../../../operations/gates';
import { switchBinding, type MigrationPlan, type PhaseName, type RunPhaseOptions, type SwitchBinding } from '../../../operations/migrations';
import { readWorkspaceConfig } from '../workspace-config';
import { FLAGS_TOKEN_KEY, withEditorSettings } from '../flags/definitions';
import { RolloutSettings } from '../rollouts/settings';

/** The flag service and gates for running `phase`; undefined when the user cancelled the gate choice. */
export async function flagChecks(
  plan: MigrationPlan,
  phase: PhaseName,
  source: string,
  secrets: vscode.SecretStorage,
  log: (message: string) => void,
): Promise<Pick<RunPhaseOptions, 'flags' | 'gateCheck'> | undefined> {
  const binding = switchBinding(plan);
  if (!binding || (phase !== 'switch' && phase !== 'contract')) return {};
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(source));
  const config = readWorkspaceConfig(folder);
  let flags: FlagService | undefined;
  if (config?.sections.flags) {
    try {
      // The flag service the Flags view uses: flags: of .rollout-guard.yaml with the rolloutGuard.flags.* settings over it.
      const settings = folder ? withEditorSettings(flagSettingsFrom(config), folder) : flagSettingsFrom(config);
      flags = flagServiceOf(settings, config.source, {
        // The Flags view's token (SecretStorage), else the environment VS Code started with (as in the CLI; the playground sets it).
        token: (await secrets.get(FLAGS_TOKEN_KEY)) || process.env[FLAGS_TOKEN_VARIABLE],
        tokenHint: `run "Rollout Guard: Set Flag Service Token" (or set ${FLAGS_TOKEN_VARIABLE} in the environment VS Code starts with)`,
        cluster: async () =>
          ClusterClient.fromKubeconfig({ ...new RolloutSettings(secrets).cluster(), cwd: folder?.uri.fsPath, trusted: vscode.workspace.isTrusted }),
      });
    } catch (error) {
      flags = { unavailable: error instanceof Error ? error.message : String(error) };
    }
  }
  // Contract checks the flag only; without a usable flag service the runner refuses the switch with the reason.
  if (phase === 'contract' || !flags || 'unavailable' in flags) return { flags };

  const gates = await pickRampGates(binding, folder, secrets, (why) => log(`switch of plan ${plan.name}: ${why}`));
  return gates && { flags, ...gates };
}

/**
 * The gates a flag ramp checks between steps (the switch phase, the Flags view's Ramp): those of the
 * canary the user picks among the watched namespaces'. No gates when none are configured (said in
 * the log); undefined when the user cancelled the choice.
 */
export async function pickRampGates(
  ramp: Pick<SwitchBinding, 'flag' | 'steps' | 'interval'>,
  folder: vscode.WorkspaceFolder | undefined,
  secrets: vscode.SecretStorage,
  log: (message: string) => void,
): Promise<Pick<RunPhaseOptions, 'gateCheck'> | undefined> {
  const settings = new RolloutSettings(secrets);
  const gates = settings.gates();
  const cluster = settings.cluster();
  if (!gates.prometheusUrl || !gates.gates.length || (!cluster.kubeconfig && !cluster.context && cluster.namespaces.length === 0)) {
    log(`flag ${ramp.flag} ramps without gates (no Prometheus URL or no cluster configured for the Rollouts view)`);
    return {};
  }
  const client = ClusterClient.fromKubeconfig({ ...cluster, cwd: folder?.uri.fsPath, trusted: vscode.workspace.isTrusted });
  const namespaces = cluster.namespaces.length ? cluster.namespaces : [client.defaultNamespace ?? 'default'];
  const canaries = (await Promise.all(namespaces.map((ns) => listCanaries(client, ns)))).flat();
  const none = { label: 'No gates', description: `ramp on time alone, every ${ramp.interval}`, id: undefined };
  const picked = await vscode.window.showQuickPick(
    [...canaries.map((c) => ({ label: c.id, description: 'its canary version reads the flag', id: c.id })), none],
    {
      title: `Ramp ${ramp.flag} (${ramp.steps.join(' → ')} %) behind the gates of`,
    },
  );
  if (!picked) return undefined;
  return { gateCheck: picked.id ? canaryGateCheck(client, picked.id, gates) : undefined };
}
