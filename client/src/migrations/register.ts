/**
 * Migration plans in the editor: CodeLens over each phase, the Migrations view, and the
 * commands that run a phase, show a plan's state, keep the database password in
 * SecretStorage and start a local PostgreSQL. Each lives in its own file beside this one
 * (the logic in the vscode-free modules); this registers them.
 */
import * as vscode from 'vscode';
import { ConnectionError, DatabaseUrlError, PlanError } from '../../../operations/migrations';
import { ConfigError } from '../../../server/src/engine/config';
import { COMMANDS, MIGRATIONS_VIEW } from './ids';
import { MigrationLenses } from './lenses';
import { startLocalCommand, stopLocal } from './local-postgres-commands';
import { setPasswordCommand, warnAboutPasswordInSettings } from './passwords';
import { runPhaseCommand, showStatusCommand } from './run-phase';
import { MigrationsState, UNTRUSTED_MESSAGE } from './state';
import { MigrationsTree, updateViewMessage } from './tree';

export function registerMigrations(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  const state = new MigrationsState(context.secrets, output);
  const tree = new MigrationsTree(state);
  const view = vscode.window.createTreeView(MIGRATIONS_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  const lenses = new MigrationLenses(state);
  const warned = new Set<string>();

  const guard =
    <A extends unknown[]>(action: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      if (!vscode.workspace.isTrusted) {
        const choice = await vscode.window.showErrorMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust');
        if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
        return;
      }
      try {
        await action(...args);
      } catch (error) {
        // Messages of these name what failed and never hold the password.
        const known = error instanceof ConnectionError || error instanceof DatabaseUrlError || error instanceof ConfigError || error instanceof PlanError;
        const message = error instanceof Error ? error.message : String(error);
        output.error(known ? message : `${message}\n${(error as Error).stack ?? ''}`);
        void vscode.window.showErrorMessage(`Rollout Guard: ${message}`);
      }
    };

  context.subscriptions.push(
    state,
    tree,
    view,
    vscode.languages.registerCodeLensProvider(
      [
        { scheme: 'file', language: 'sql' },
        { scheme: 'file', pattern: '**/*.{sql,pgsql,psql}' },
      ],
      lenses,
    ),
    lenses,
    state.onDidChange(() => void updateViewMessage(view, state)),
    vscode.commands.registerCommand(
      COMMANDS.runPhase,
      guard((target?: unknown) => runPhaseCommand(state, output, target)),
    ),
    vscode.commands.registerCommand(
      COMMANDS.showStatus,
      guard((target?: unknown) => showStatusCommand(state, output, target)),
    ),
    vscode.commands.registerCommand(COMMANDS.refresh, () => state.refresh(true)),
    vscode.commands.registerCommand(
      COMMANDS.setDatabasePassword,
      guard(() => setPasswordCommand(state, context.secrets)),
    ),
    vscode.commands.registerCommand(
      COMMANDS.startLocalPostgres,
      guard(() => startLocalCommand(context, state, output)),
    ),
    vscode.commands.registerCommand(COMMANDS.stopLocalPostgres, async () => {
      await stopLocal(output);
      state.setLocalUrl(undefined);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('rolloutGuard.migrations.databaseUrl')) void warnAboutPasswordInSettings(context.secrets, warned);
    }),
  );
  void vscode.commands.executeCommand('setContext', 'rolloutGuard.migrations.localPostgresRunning', false);
  void warnAboutPasswordInSettings(context.secrets, warned);
  void updateViewMessage(view, state);
}

/** Stops the local PostgreSQL of this window, if any: called on deactivate. */
export async function deactivateMigrations(): Promise<void> {
  await stopLocal(undefined);
}
