/** VS Code side of Rollout Guard: starts the language server and shows its state. Only this folder imports 'vscode'. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { deactivateMigrations, registerMigrations } from './migrations/register';
import { registerRollouts } from './rollouts/rollouts';
import { TRACE_COMMAND, WORKSPACE_TRUSTED_NOTIFICATION } from '../../server/src/engine/sql/measured';
import { traceCommand } from './migrations/trace-command';
import { FlagDefinitions } from './flags/definitions';
import { FlagsView } from './flags/view';
import { registerClusterCheck } from './rollouts/cluster-check';

let client: LanguageClient | undefined;

/** Settings the user set explicitly, so they override .rollout-guard.yaml but VS Code's defaults do not. */
function explicitSettings(scopeUri: string | undefined): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration('rolloutGuard', scopeUri ? vscode.Uri.parse(scopeUri) : undefined);
  const out: Record<string, unknown> = {};
  for (const key of [
    'enable',
    'pgVersion',
    'assumeInTransaction',
    'rules',
    'configFile',
    'schemaValidation',
    'kubernetesVersion',
    'maxDiagnosticsPerFile',
    'maxIndexedMegabytes',
  ]) {
    const inspected = config.inspect(key);
    const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    if (value !== undefined) out[key] = value;
  }
  out.redHatKubernetesGlobs = redHatKubernetesGlobs(scopeUri);
  return out;
}

/** Files Red Hat YAML validates against its Kubernetes schema: `yaml.schemas` entries for "kubernetes". */
function redHatKubernetesGlobs(scopeUri: string | undefined): string[] {
  if (!vscode.extensions.getExtension('redhat.vscode-yaml')) return [];
  const yaml = vscode.workspace.getConfiguration('yaml', scopeUri ? vscode.Uri.parse(scopeUri) : undefined);
  if (yaml.get<boolean>('validate') === false) return [];
  const schemas = yaml.get<Record<string, string | string[]>>('schemas') ?? {};
  return Object.entries(schemas)
    .filter(([schema]) => /kubernetes/i.test(schema))
    .flatMap(([, globs]) => (Array.isArray(globs) ? globs : [globs]));
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Rollout Guard', { log: true });
  context.subscriptions.push(output);
  registerMigrations(context, output);
  registerRollouts(context, output);

  const status = vscode.languages.createLanguageStatusItem('rolloutGuard.status', [{ language: 'sql' }, { language: 'yaml' }]);
  status.name = 'Rollout Guard';
  status.text = 'Rollout Guard';
  status.detail = 'starting…';
  status.busy = true;
  status.command = { title: 'Show Output', command: 'rolloutGuard.showOutput' };
  context.subscriptions.push(status);

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    // stdio: the server writes diagnostics from pre-built JSON straight to stdout (lsp/publish.ts).
    run: { module: serverModule, transport: TransportKind.stdio },
    debug: { module: serverModule, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'sql' },
      { scheme: 'untitled', language: 'sql' },
      { scheme: 'file', language: 'yaml' },
      ...['typescript', 'javascript', 'typescriptreact', 'javascriptreact'].map((language) => ({ scheme: 'file', language })),
    ],
    outputChannel: output,
    // The server offers "Trace this migration" only in a trusted workspace (the trace runs the folder's SQL).
    initializationOptions: { workspaceTrusted: vscode.workspace.isTrusted },
    middleware: {
      workspace: {
        configuration: (params) => params.items.map((item) => (item.section === 'rolloutGuard' ? explicitSettings(item.scopeUri) : null)),
      },
    },
  };
  client = new LanguageClient('rolloutGuard', 'Rollout Guard', serverOptions, clientOptions);

  context.subscriptions.push(
    client.onDidChangeState((e) => {
      status.busy = e.newState === State.Starting;
      if (e.newState === State.Stopped) {
        status.severity = vscode.LanguageStatusSeverity.Error;
        status.detail = 'stopped';
        status.command = { title: 'Restart', command: 'rolloutGuard.restartServer' };
      }
    }),
    vscode.commands.registerCommand('rolloutGuard.restartServer', async () => {
      await client?.restart();
    }),
    vscode.commands.registerCommand('rolloutGuard.showOutput', () => output.show()),
    vscode.commands.registerCommand(TRACE_COMMAND, (target?: unknown) => (client ? traceCommand(client, output, context.extensionPath, target) : undefined)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification(WORKSPACE_TRUSTED_NOTIFICATION)),
  );

  await client.start();
  const flags = new FlagDefinitions(client, context.secrets, output);
  context.subscriptions.push(flags, new FlagsView(flags));
  // A restarted server starts without flag definitions.
  context.subscriptions.push(
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) void flags.refresh();
    }),
  );
  void flags.refresh();
  registerClusterCheck(context, client, output);
  context.subscriptions.push(
    client.onNotification('rolloutGuard/status', (params: { state: 'ready' | 'warning' | 'error'; message: string }) => {
      status.busy = false;
      status.detail = params.state === 'ready' ? 'ready' : params.message;
      status.severity =
        params.state === 'ready'
          ? vscode.LanguageStatusSeverity.Information
          : params.state === 'warning'
            ? vscode.LanguageStatusSeverity.Warning
            : vscode.LanguageStatusSeverity.Error;
      status.command = { title: 'Show Output', command: 'rolloutGuard.showOutput' };
    }),
  );
}

export async function deactivate(): Promise<void> {
  await deactivateMigrations();
  await client?.stop();
  client = undefined;
}
