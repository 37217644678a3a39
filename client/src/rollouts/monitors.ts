/**
 * Automatic rollback and auto-progress in the editor: one gate monitor per canary that takes part
 * of the traffic, its state for the tree and the status bar, and its events told to the user.
 */
import * as vscode from 'vscode';
import { changeCanary, describeChange, type Canary, type ClusterClient } from '../../../operations/cluster';
import { canaryMonitor, checkGates, type AutoRollback, type AutoRollbackEvent, type GateSettings } from '../../../operations/gates';
import { prometheusGateCheck } from '../../../operations/gates/hook';
import { workspaceNewVersionCheck } from './new-version-checks';
import type { RolloutSettings } from './settings';
import { failedGates, type GateState } from './tree-model';

class AutoRollbackOff extends Error {}

interface Monitor {
  controller: AutoRollback;
  state: GateState;
  lastWeightChange: number;
}

export class GateMonitors implements vscode.Disposable {
  private readonly monitors = new Map<string, Monitor>();
  /** Canaries (not Argo Rollouts) the user asked to step forward while their gates pass. */
  private readonly autoProgress = new Set<string>();

  constructor(
    private readonly settings: RolloutSettings,
    /** The cluster client, once connected. */
    private readonly client: () => ClusterClient | undefined,
    private readonly log: (line: string) => void,
    /** Called when a monitor's state changes. */
    private readonly changed: () => void,
  ) {}

  /** Gate state per canary id, for the tree and the status bar. */
  states(): Map<string, GateState> {
    return new Map([...this.monitors].map(([id, m]) => [id, m.state]));
  }

  state(id: string): GateState | undefined {
    return this.monitors.get(id)?.state;
  }

  /** Starts a monitor for each canary that takes part of the traffic. Returns why none can run (a bad gate configuration), if so. */
  sync(canaries: Canary[]): string | undefined {
    let settings: GateSettings;
    try {
      settings = this.settings.gates();
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    for (const canary of canaries) {
      const weight = canary.routes[0]!.canaryWeight;
      if (this.monitors.has(canary.id) || !(weight > 0 && weight < 100)) continue;
      if (!settings.prometheusUrl) continue;
      this.start(canary.id, settings);
    }
    return undefined;
  }

  /** A weight change by hand: auto-progress waits its dwell time from now. */
  weightChanged(id: string): void {
    const monitor = this.monitors.get(id);
    if (monitor) monitor.lastWeightChange = Date.now();
  }

  setAutoProgress(id: string, on: boolean): void {
    if (on) this.autoProgress.add(id);
    else this.autoProgress.delete(id);
    const monitor = this.monitors.get(id);
    if (monitor) monitor.state = { ...monitor.state, autoProgress: on };
    else if (on) {
      const settings = this.settings.gates();
      if (!settings.prometheusUrl) throw new Error('Auto-progress needs gates: set rolloutGuard.gates.prometheusUrl (steps are taken only while gates pass).');
      this.start(id, settings);
    }
  }

  private start(id: string, settings: GateSettings): void {
    const controller = canaryMonitor(this.client()!, id, {
      intervalMs: settings.evaluateEveryMs,
      consecutiveFailures: settings.consecutiveFailures,
      evaluate: async (target) => {
        const current = this.settings.gates();
        const prometheus = await this.settings.prometheus(current);
        return checkGates(target, current.gates, prometheus, { interval: current.interval, timeoutMs: current.timeoutMs });
      },
      beforeRollback: () => {
        if (!this.settings.gates().autoRollback) throw new AutoRollbackOff('automatic rollback is off (rolloutGuard.gates.autoRollback)');
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
    this.changed();
  }

  /** With auto-progress on, a passing evaluation steps the canary once the dwell time has passed. */
  private async maybeAutoProgress(id: string, monitor: Monitor): Promise<void> {
    const client = this.client();
    if (!this.autoProgress.has(id) || !client) return;
    if (Date.now() - monitor.lastWeightChange < this.settings.autoProgressDwellMs()) return;
    const settings = this.settings.gates();
    const change = await changeCanary(client, id, 'step', {
      steps: this.settings.steps(),
      gateCheck: prometheusGateCheck(settings),
      newVersionCheck: workspaceNewVersionCheck(client, this.settings.workspaceFolder()),
    }).catch((error: unknown) => {
      this.log(`auto-progress of ${id} stopped: ${error instanceof Error ? error.message : String(error)}`);
      this.autoProgress.delete(id);
      return undefined;
    });
    if (change && (change.kind === 'rollout' || change.result.changed)) {
      monitor.lastWeightChange = Date.now();
      this.log(`auto-progress: ${describeChange(change)}`);
    }
  }

  /** Stops every monitor (the cluster changed). */
  clear(): void {
    for (const m of this.monitors.values()) m.controller.dispose();
    this.monitors.clear();
  }

  dispose(): void {
    this.clear();
  }
}
