/** The database password in SecretStorage: set it, and move one out of the settings. */
import * as vscode from 'vscode';
import { passwordIn, secretKeyFor } from '../../../operations/migrations/connection';
import { NO_DATABASE_MESSAGE, type MigrationsState } from './state';

/** Asks for the password of the configured database login and stores it (empty forgets it). */
export async function setPasswordCommand(state: MigrationsState, secrets: vscode.SecretStorage): Promise<void> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const resolved = state.resolveUrl(active?.scheme === 'file' ? active : undefined);
  if (!resolved) {
    void vscode.window.showErrorMessage(`${NO_DATABASE_MESSAGE} Then set its password here.`);
    return;
  }
  if (resolved.source === 'local') {
    void vscode.window.showInformationMessage('The local PostgreSQL of this window has its own password; nothing to set.');
    return;
  }
  const key = secretKeyFor(resolved.url);
  const login = key.slice(key.indexOf(':') + 1);
  const password = await vscode.window.showInputBox({
    title: `Database password for ${login}`,
    prompt: `Kept in VS Code's secret storage (the OS keychain), never in settings; merged into ${resolved.origin} when a migration runs. Leave empty to forget the stored password.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (password === undefined) return;
  if (password === '') {
    await secrets.delete(key);
    void vscode.window.showInformationMessage(`Rollout Guard: forgot the stored password for ${login}.`);
  } else {
    await secrets.store(key, password);
    void vscode.window.showInformationMessage(`Rollout Guard: password for ${login} stored in the secret storage.`);
  }
  state.refresh();
}

/** A URL with a password in settings: offer to move the password into SecretStorage. */
export async function warnAboutPasswordInSettings(secrets: vscode.SecretStorage, warned: Set<string>): Promise<void> {
  // Scoped to the first folder so that a folder-level value can be inspected and rewritten.
  const config = vscode.workspace.getConfiguration('rolloutGuard', vscode.workspace.workspaceFolders?.[0]?.uri);
  const inspected = config.inspect<string>('migrations.databaseUrl');
  const places: [vscode.ConfigurationTarget, string | undefined][] = [
    [vscode.ConfigurationTarget.WorkspaceFolder, inspected?.workspaceFolderValue],
    [vscode.ConfigurationTarget.Workspace, inspected?.workspaceValue],
    [vscode.ConfigurationTarget.Global, inspected?.globalValue],
  ];
  for (const [target, url] of places) {
    if (!url || !passwordIn(url) || warned.has(url)) continue;
    warned.add(url);
    let key: string;
    try {
      key = secretKeyFor(url);
    } catch {
      continue; // a malformed URL is reported when it is used
    }
    const choice = await vscode.window.showWarningMessage(
      'rolloutGuard.migrations.databaseUrl contains a password: settings are stored in plain text (and workspace settings often get committed). Keep it in the secret storage instead.',
      'Move to Secret Storage',
    );
    if (choice !== 'Move to Secret Storage') continue;
    await secrets.store(key, passwordIn(url));
    const without = new URL(url);
    without.password = '';
    await config.update('migrations.databaseUrl', without.toString(), target);
    void vscode.window.showInformationMessage('Rollout Guard: the password is now in the secret storage and gone from the setting.');
  }
}
