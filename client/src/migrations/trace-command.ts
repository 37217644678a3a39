/**
 * "Trace this migration" (the language server's CodeLens on a PostgreSQL migration, or the
 * palette): runs the migration on a scratch PostgreSQL, the files before it in its folder applied
 * first (operations/migrations/trace.ts, as `rollout-guard trace` does), writes what it measured
 * to the output, and hands it to the language server, whose hover then shows the measured locks
 * while the file keeps the text that was traced. Trusted workspaces only: it runs the folder's SQL.
 */
import fs from 'node:fs';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EmbeddedPostgresMissing, INSTALL_HINT, LocalPostgresError } from '../../../operations/migrations/local-postgres';
import { measuredTrace, traceMigration, TraceSetupError } from '../../../operations/migrations/trace';
import { TRACED_NOTIFICATION } from '../../../server/src/engine/sql/measured';
import { UNTRUSTED_MESSAGE } from './state';

export async function traceCommand(client: LanguageClient, output: vscode.LogOutputChannel, extensionPath: string, target?: unknown): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    const choice = await vscode.window.showErrorMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust');
    if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
    return;
  }
  const uri = typeof target === 'string' ? vscode.Uri.parse(target) : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Rollout Guard: open a .sql migration file to trace it.');
    return;
  }
  // The trace reads the file from disk: trace what the editor shows.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  const file = uri.fsPath;
  const text = fs.readFileSync(file, 'utf8');
  const searchPaths = [...(vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath), extensionPath];
  let result;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Rollout Guard: tracing ${vscode.workspace.asRelativePath(uri)} on a scratch PostgreSQL…` },
      () => traceMigration(file, { searchPaths }),
    );
  } catch (error) {
    if (error instanceof EmbeddedPostgresMissing || error instanceof LocalPostgresError || error instanceof TraceSetupError) {
      output.error(error.message);
      const actions = error instanceof EmbeddedPostgresMissing ? ['Copy Install Command'] : [];
      const choice = await vscode.window.showErrorMessage(`Rollout Guard: ${error.message}`, ...actions);
      if (choice) await vscode.env.clipboard.writeText(INSTALL_HINT);
      return;
    }
    throw error;
  }
  const measured = measuredTrace(uri.toString(), text, result);
  await client.sendNotification(TRACED_NOTIFICATION, measured);
  output.info(`Trace of ${file}:`);
  for (const s of measured.statements) {
    const locks = s.locks.map((lock) => `${lock.relation} ${lock.mode}`).join(', ');
    output.info(`  ${s.line}: ${s.notTraced ?? (locks || 'no relation locks')}${s.rewrites.length ? `; rewrites ${s.rewrites.join(', ')}` : ''}`);
  }
  if (result.failure) {
    output.error(`  ${result.failure.line}: ${result.failure.message}`);
    void vscode.window.showWarningMessage(`Rollout Guard: PostgreSQL refused line ${result.failure.line}: ${result.failure.message}`);
  } else {
    void vscode.window.showInformationMessage(`Rollout Guard: traced ${measured.statements.length} statements; hover one for the locks PostgreSQL took.`);
  }
}
