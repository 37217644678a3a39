/** CodeLens over each phase of a plan: its state, and Run where it can run. */
import * as vscode from 'vscode';
import { COMMANDS } from './ids';
import { phaseAnchors, phaseView, planSourceOf } from './model';
import type { PhaseTarget } from './run-phase';
import type { MigrationsState } from './state';

export class MigrationLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly state: MigrationsState) {
    this.subscriptions = [
      state.onDidChange(() => this.changed.fire()),
      // The runner reads files from disk: a saved file may be a different plan now.
      vscode.workspace.onDidSaveTextDocument((document) => {
        const source = planSourceOf(document.fileName, document.getText());
        if (source) state.invalidate(source);
      }),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const text = document.getText();
    const source = planSourceOf(document.fileName, text);
    if (!source) return [];
    const snapshot = await this.state.snapshot(source);
    const top = new vscode.Range(0, 0, 0, 0);
    if (!snapshot.plan) {
      return [new vscode.CodeLens(top, { title: `migration plan not runnable: ${snapshot.planError ?? 'unreadable'}`, command: '' })];
    }
    const lenses: vscode.CodeLens[] = [];
    for (const anchor of phaseAnchors(document.fileName, text, snapshot.plan)) {
      const range = new vscode.Range(anchor.line, 0, anchor.line, 0);
      const shown = phaseView(snapshot, anchor.phase);
      lenses.push(
        new vscode.CodeLens(range, {
          title: shown.text,
          tooltip: `${shown.tooltip}\nClick for the plan's state in the output.`,
          command: COMMANDS.showStatus,
          arguments: [{ source }],
        }),
      );
      if (shown.runTitle) {
        lenses.push(
          new vscode.CodeLens(range, {
            title: shown.runTitle,
            tooltip: `Run the ${anchor.phase} phase of plan ${snapshot.plan.name}`,
            command: COMMANDS.runPhase,
            arguments: [{ source, phase: anchor.phase } satisfies PhaseTarget],
          }),
        );
      }
    }
    return lenses;
  }
}
