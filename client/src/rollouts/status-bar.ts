/** The status-bar item of the focused rollout (the one selected, else the first mid-rollout canary): weight and gates. */
import * as vscode from 'vscode';
import type { Canary } from '../../../operations/cluster';
import { statusText, type GateState } from './tree-model';

export class RolloutStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('rolloutGuard.rollout', vscode.StatusBarAlignment.Left, 50);
  /** The canary the user last selected or changed. */
  focused: string | undefined;

  constructor() {
    this.item.name = 'Rollout Guard: focused rollout';
    this.item.command = 'rolloutGuard.canary.showGateMetrics';
  }

  update(canaries: Canary[], gateState: (id: string) => GateState | undefined): void {
    const canary = canaries.find((c) => c.id === this.focused) ?? canaries.find((c) => c.routes.some((r) => r.canaryWeight > 0 && r.canaryWeight < 100));
    if (!canary || !vscode.workspace.isTrusted) {
      this.item.hide();
      return;
    }
    const { text, tooltip, failing } = statusText(canary, gateState(canary.id));
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = failing ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
