/**
 * Ramp from the Flags view: the steps and the interval asked (defaults from the switch marker that
 * binds the flag in the workspace's migrations, else 10,50,100 every 5m), then the switch phase's
 * ramp (rampFlag) behind the gates of the canary the user picks, in a progress notification with
 * cancel. A failing gate turns the flag off and the message says so.
 */
import * as vscode from 'vscode';
import type { FlagAccess } from '../../../operations/flags';
import { PhaseFailure, rampFlag, realClock, RunCancelled, UNRECORDED, type RampClock, type SwitchBinding } from '../../../operations/migrations';
import { flagEventLine } from '../../../operations/migrations/format';
import { switchMarker } from '../../../server/src/engine/phases';
import { pickRampGates } from '../migrations/flag-checks';

const SQL_GLOB = '**/*.sql';
const EXCLUDE = '**/{node_modules,dist,out,build,.git}/**';
const DEFAULT_STEPS = '10,50,100';
const DEFAULT_INTERVAL = '5m';

/** Asks the steps and interval, then ramps `flag` in the access's environment. */
export async function rampFromView(
  flag: string,
  flags: FlagAccess,
  folder: vscode.WorkspaceFolder | undefined,
  secrets: vscode.SecretStorage,
  log: (message: string) => void,
  clock: RampClock = realClock,
): Promise<void> {
  const bound = await boundRamp(flag);
  const title = `Ramp ${flag} in ${flags.environment}`;
  // The switch marker's own parser checks the answers: the same rules as a plan's steps and interval.
  const parse = (steps: string, interval: string) =>
    switchMarker(`-- rollout-guard: switch flag=${flag} steps=${steps.replace(/\s+/g, '')} interval=${interval.trim()}`)!;
  const steps = await vscode.window.showInputBox({
    title,
    prompt: `Percentages to ramp through, separated by commas, ending at 100${bound ? ' (from the switch marker of its migration)' : ''}`,
    value: bound?.steps.join(',') ?? DEFAULT_STEPS,
    validateInput: (v) => {
      const parsed = parse(v, DEFAULT_INTERVAL);
      return 'error' in parsed ? parsed.error : undefined;
    },
  });
  if (steps === undefined) return;
  const interval = await vscode.window.showInputBox({
    title,
    prompt: 'How long each step runs before the gates are asked, e.g. 30s, 5m, 1h',
    value: bound?.interval ?? DEFAULT_INTERVAL,
    validateInput: (v) => {
      const parsed = parse(steps, v);
      return 'error' in parsed ? parsed.error : undefined;
    },
  });
  if (interval === undefined) return;
  const parsed = parse(steps, interval);
  if ('error' in parsed) return;
  const binding = parsed.binding;
  const gates = await pickRampGates(binding, folder, secrets, log);
  if (!gates) return;

  const reached = { percent: 0 };
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${title}: ${binding.steps.join(' → ')} %`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancelled = token.onCancellationRequested(() => abort.abort());
        try {
          await rampFlag({
            ledger: UNRECORDED,
            again: 'ramp it again from the Flags view',
            phase: 'switch',
            binding,
            flags,
            gateCheck: gates.gateCheck,
            clock,
            signal: abort.signal,
            onEvent: (e) => {
              const line = flagEventLine(e);
              if (line) log(`Flags view: ${line}`);
              if (e.type === 'flag-step') {
                reached.percent = e.percent;
                progress.report({ message: `${e.percent} % (step ${e.step} of ${e.steps})` });
              }
              if (e.type === 'flag-wait') progress.report({ message: `holds ${e.percent} % for ${e.interval}, then ${e.next} %` });
            },
          });
        } finally {
          cancelled.dispose();
        }
      },
    );
    void vscode.window.showInformationMessage(`Rollout Guard: ${flag} is 100 % on in ${flags.environment}.`);
  } catch (error) {
    if (error instanceof RunCancelled)
      void vscode.window.showInformationMessage(`Rollout Guard: ramp of ${flag} cancelled; it stays at ${reached.percent} % in ${flags.environment}.`);
    else if (error instanceof PhaseFailure) void vscode.window.showErrorMessage(`Rollout Guard: ${error.message}`);
    else throw error;
  }
}

/** The steps and interval of the switch marker binding `flag` in the workspace's SQL, if one does. */
async function boundRamp(flag: string): Promise<SwitchBinding | undefined> {
  for (const uri of await vscode.workspace.findFiles(SQL_GLOB, EXCLUDE, 5000)) {
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      continue;
    }
    if (!text.includes('switch')) continue;
    for (const line of text.split('\n')) {
      const marker = switchMarker(line);
      if (marker && 'binding' in marker && marker.binding.flag === flag) return marker.binding;
    }
  }
  return undefined;
}
