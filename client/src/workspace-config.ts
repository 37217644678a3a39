/**
 * The .rollout-guard.yaml of a workspace folder, as the Migrations and Rollouts views read it: the
 * one the language server reads (rolloutGuard.configFile, else the file at the folder's root).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME, loadFolderConfig, type LoadedConfig } from '../../server/src/workspace/config-file';

/** The configuration of `folder` (undefined without a folder on disk or a file). Throws ConfigError. */
export function readWorkspaceConfig(folder: vscode.WorkspaceFolder | undefined): LoadedConfig | undefined {
  if (!folder || folder.uri.scheme !== 'file') return undefined;
  // A restricted setting (package.json): in Restricted Mode VS Code gives only the user's value.
  const configured = vscode.workspace.getConfiguration('rolloutGuard', folder.uri).get<string>('configFile');
  return loadFolderConfig(folder.uri.fsPath, configured);
}

/** Whether `uri` is its workspace folder's configuration file (rolloutGuard.configFile, else .rollout-guard.yaml), existing or not. */
export function isWorkspaceConfigFile(uri: vscode.Uri): boolean {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder || uri.scheme !== 'file' || folder.uri.scheme !== 'file') return false;
  const configured = vscode.workspace.getConfiguration('rolloutGuard', folder.uri).get<string>('configFile');
  return path.resolve(folder.uri.fsPath, configured || CONFIG_FILE_NAME) === uri.fsPath;
}

/** Calls `onChange` when a workspace folder's configuration file is created, changed or deleted, whatever its name. */
export function watchWorkspaceConfig(onChange: () => void): vscode.Disposable[] {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}');
  const changed = (uri: vscode.Uri): void => {
    if (isWorkspaceConfigFile(uri)) onChange();
  };
  return [watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed)];
}
