/**
 * The extension-host suite: runs inside a desktop VS Code started by @vscode/test-electron
 * (`npm run test:desktop`, see run.ts) with this repository as the extension under development,
 * on a copy of the playground workspace. It checks through the VS Code API what a user sees:
 * diagnostics with rule ids, quick fixes, cross-file manifest findings, the commands and views.
 * No test framework: VS Code calls `run()`, which throws when a check failed.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const tests: [string, () => Promise<void>][] = [];
const test = (name: string, body: () => Promise<void>): void => void tests.push([name, body]);

function workspaceUri(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, relative);
}

/** Resolves with the document's diagnostics from Rollout Guard once `accept` holds for them. */
function diagnosticsOf(uri: vscode.Uri, accept: (codes: string[]) => boolean, timeoutMs = 60_000): Promise<vscode.Diagnostic[]> {
  const ours = (): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'rollout-guard');
  const codes = (): string[] => ours().map((d) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code)));
  return new Promise((resolve, reject) => {
    if (accept(codes())) return resolve(ours());
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for diagnostics of ${uri.fsPath}; have: ${codes().join(', ') || 'none'}`));
    }, timeoutMs);
    const listener = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString()) || !accept(codes())) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(ours());
    });
  });
}

test('a migration shows its findings with rule ids on the exact lines', async () => {
  const uri = workspaceUri('migrations/0002_orders_region.sql');
  await vscode.window.showTextDocument(uri);
  const diagnostics = await diagnosticsOf(uri, (codes) => codes.includes('ban-drop-column') && codes.includes('require-concurrent-index-creation'));
  const at = (code: string): number | undefined => diagnostics.find((d) => (typeof d.code === 'object' ? d.code.value : d.code) === code)?.range.start.line;
  assert.equal(at('adding-required-field'), 1);
  assert.equal(at('require-concurrent-index-creation'), 2);
  assert.equal(at('unbatched-backfill'), 3);
  assert.equal(at('ban-drop-column'), 5);
  const link = diagnostics.find((d) => typeof d.code === 'object')?.code as { target: vscode.Uri } | undefined;
  assert.match(String(link?.target), /docs\/rules\//);
});

test('the quick fix adds CONCURRENTLY and the text changes', async () => {
  const uri = workspaceUri('migrations/0002_orders_region.sql');
  const editor = await vscode.window.showTextDocument(uri);
  const diagnostics = await diagnosticsOf(uri, (codes) => codes.includes('require-concurrent-index-creation'));
  const finding = diagnostics.find((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'require-concurrent-index-creation')!;
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, finding.range);
  const fix = actions.find((a) => /CONCURRENTLY/.test(a.title));
  assert.ok(fix, `no CONCURRENTLY fix among: ${actions.map((a) => a.title).join(', ')}`);
  if (fix.edit) await vscode.workspace.applyEdit(fix.edit);
  if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
  assert.match(editor.document.lineAt(finding.range.start.line).text, /CREATE INDEX CONCURRENTLY/);
  await vscode.commands.executeCommand('workbench.action.files.revert');
});

test('a manifest nobody opened gets the cross-file finding, with the other file as related information', async () => {
  const uri = workspaceUri('k8s/mesh.yaml');
  const diagnostics = await diagnosticsOf(uri, (codes) => codes.includes('unknown-subset'));
  const subset = diagnostics.find((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'unknown-subset')!;
  assert.equal(subset.range.start.line, 20);
  assert.ok(subset.relatedInformation?.length, 'related information to the DestinationRule');
});

test('the commands and views are contributed and registered', async () => {
  const commands = new Set(await vscode.commands.getCommands(true));
  for (const id of [
    'rolloutGuard.canary.step',
    'rolloutGuard.canary.promote',
    'rolloutGuard.canary.rollback',
    'rolloutGuard.canary.setWeight',
    'rolloutGuard.canary.showGateMetrics',
    'rolloutGuard.migrations.runPhase',
    'rolloutGuard.restartServer',
  ])
    assert.ok(commands.has(id), `${id} is not registered`);
  await vscode.commands.executeCommand('rolloutGuard.rollouts.focus');
  await vscode.commands.executeCommand('rolloutGuard.migrations.focus');
});

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const [name, body] of tests) {
    const started = Date.now();
    try {
      await body();
      process.stdout.write(`✔ ${name} (${Date.now() - started} ms)\n`);
    } catch (error) {
      failures.push(name);
      process.stderr.write(`✖ ${name}\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  }
  process.stdout.write(`${tests.length - failures.length} passed, ${failures.length} failed\n`);
  if (failures.length) throw new Error(`${failures.length} desktop test(s) failed: ${failures.join('; ')}`);
}
