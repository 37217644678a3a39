/**
 * The .rollout-guard.yaml of a workspace folder, as the Migrations and Rollouts views read it: the
 * one the language server reads (rolloutGuard.configFile, else the file at the folder's root).
 */
import * as vscode from 'vscode';
import { loadFolderConfig, type LoadedConfig } from '../../server/src/workspace/config-file';

/** The configuration of `folder` (undefined without a folder on disk or a file). Throws ConfigError. */
export function readWorkspaceConfig(folder: vscode.WorkspaceFolder | undefined): LoadedConfig | undefined {
  if (!folder || folder.uri.scheme !== 'file') return undefined;
  // A restricted setting (package.json): in Restricted Mode VS Code gives only the user's value.
  const configured = vscode.workspace.getConfiguration('rolloutGuard', folder.uri).get<string>('configFile');
  return loadFolderConfig(folder.uri.fsPath, configured);
}
