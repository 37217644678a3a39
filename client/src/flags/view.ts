/**
 * The Flags view: the flags of each configured flag service (state per environment, stale mark),
 * under each the places in the workspace that read it; commands turn a flag on or off (the kill
 * switch), set its rollout percentage or ramp it behind the gates (ramp.ts) in the configured
 * environment. When the service cannot be read the view shows the last flags it read, marked
 * "last known, N min ago", never as live.
 */
import * as vscode from 'vscode';
import { FlagServiceError } from '../../../operations/flags';
import { realClock, type RampClock } from '../../../operations/migrations';
import { findFlagReads } from '../../../server/src/engine/js/flag-reads';
import { flagSummary, staleReason, type FlagDefinition, type FlagSnapshot } from '../../../server/src/engine/flags/snapshot';
import type { FlagDefinitions, FlagService } from './definitions';
import { rampFromView } from './ramp';

export const FLAGS_VIEW = 'rolloutGuard.flags';
const CODE_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';
const CODE_EXCLUDE = '**/{node_modules,dist,out,build,coverage,.git}/**';

export type FlagNode =
  | { kind: 'flag'; service: FlagService; snapshot: FlagSnapshot; flag: FlagDefinition; live: boolean }
  | { kind: 'read'; uri: vscode.Uri; line: number; character: number; text: string };

export class FlagsView implements vscode.TreeDataProvider<FlagNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<FlagNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  readonly view: vscode.TreeView<FlagNode>;
  /** Flag reads of the workspace by key, found when the view first needs them and after each save. */
  private reads?: Promise<Map<string, Extract<FlagNode, { kind: 'read' }>[]>>;

  constructor(
    private readonly definitions: FlagDefinitions,
    private readonly now: () => number = Date.now,
    /** The ramp's waits between steps: real time, a fake in tests. */
    private readonly rampClock: RampClock = realClock,
  ) {
    this.view = vscode.window.createTreeView(FLAGS_VIEW, { treeDataProvider: this });
    this.disposables.push(
      this.view,
      this.changed,
      definitions.onDidChange(() => this.redraw()),
      vscode.workspace.onDidSaveTextDocument(() => {
        this.reads = undefined;
        this.changed.fire(undefined);
      }),
      vscode.commands.registerCommand('rolloutGuard.flags.turnOn', (node?: FlagNode) => this.change(node, 'on')),
      vscode.commands.registerCommand('rolloutGuard.flags.turnOff', (node?: FlagNode) => this.change(node, 'off')),
      vscode.commands.registerCommand('rolloutGuard.flags.setPercent', (node?: FlagNode) => this.change(node, 'percent')),
      vscode.commands.registerCommand('rolloutGuard.flags.ramp', async (node?: FlagNode) => this.change(node ?? (await this.pickFlag()), 'ramp')),
      vscode.commands.registerCommand('rolloutGuard.flags.refresh', () => definitions.refresh()),
    );
  }

  private redraw(): void {
    const problems = [...this.definitions.services.values()].flatMap((s) => ('problem' in s.answer ? [s] : []));
    const stale = problems.find((s) => s.lastSnapshot);
    this.view.message = stale
      ? `Last known, ${Math.max(0, Math.round((this.now() - stale.lastSnapshot!.fetchedAt) / 60_000))} min ago: ${(stale.answer as { problem: string }).problem}`
      : problems[0]
        ? (problems[0].answer as { problem: string }).problem
        : undefined;
    this.changed.fire(undefined);
  }

  async getChildren(node?: FlagNode): Promise<FlagNode[]> {
    if (!vscode.workspace.isTrusted) return [];
    if (node?.kind === 'flag') return (await this.readsByKey()).get(node.flag.key) ?? [];
    if (node) return [];
    const nodes: FlagNode[] = [];
    for (const service of this.definitions.services.values()) {
      const live = 'snapshot' in service.answer;
      const snapshot = live ? (service.answer as { snapshot: FlagSnapshot }).snapshot : service.lastSnapshot;
      if (!snapshot) continue;
      for (const flag of [...snapshot.flags].sort((a, b) => a.key.localeCompare(b.key))) nodes.push({ kind: 'flag', service, snapshot, flag, live });
    }
    return nodes;
  }

  async getTreeItem(node: FlagNode): Promise<vscode.TreeItem> {
    if (node.kind === 'read') {
      const item = new vscode.TreeItem(`${vscode.workspace.asRelativePath(node.uri)}:${node.line + 1}`, vscode.TreeItemCollapsibleState.None);
      item.description = node.text;
      item.contextValue = 'flagRead';
      item.command = {
        title: 'Open',
        command: 'vscode.open',
        arguments: [node.uri, { selection: new vscode.Range(node.line, node.character, node.line, node.character) }],
      };
      return item;
    }
    const count = (await this.readsByKey()).get(node.flag.key)?.length ?? 0;
    const item = new vscode.TreeItem(node.flag.key, count ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const stale = staleReason(node.flag, node.snapshot);
    item.description = `${flagSummary(node.flag, node.snapshot).slice(node.flag.key.length + 2)}${node.live ? '' : ' (last known)'}`;
    item.tooltip = [`${count} read${count === 1 ? '' : 's'} in the workspace`, ...(stale ? [`Stale: ${stale}`] : [])].join('\n');
    item.iconPath = new vscode.ThemeIcon(stale ? 'warning' : 'symbol-boolean');
    // Changes only from live data: a flag shown as last known is not acted on.
    item.contextValue = node.live ? 'flag' : 'flagLastKnown';
    return item;
  }

  private readsByKey(): Promise<Map<string, Extract<FlagNode, { kind: 'read' }>[]>> {
    this.reads ??= (async () => {
      const byKey = new Map<string, Extract<FlagNode, { kind: 'read' }>[]>();
      for (const uri of await vscode.workspace.findFiles(CODE_GLOB, CODE_EXCLUDE, 20_000)) {
        let text: string;
        try {
          text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        } catch {
          continue;
        }
        for (const read of findFlagReads(text)) {
          const before = text.slice(0, read.start);
          const line = before.split('\n').length - 1;
          const character = read.start - (before.lastIndexOf('\n') + 1);
          const lineText = text
            .slice(before.lastIndexOf('\n') + 1)
            .split('\n')[0]!
            .trim();
          const list = byKey.get(read.key) ?? [];
          list.push({ kind: 'read', uri, line, character, text: lineText });
          byKey.set(read.key, list);
        }
      }
      return byKey;
    })();
    return this.reads;
  }

  /** A live flag the user picks (the palette's Ramp). */
  private async pickFlag(): Promise<FlagNode | undefined> {
    const flags = (await this.getChildren()).flatMap((node) => (node.kind === 'flag' && node.live ? [node] : []));
    const picked = await vscode.window.showQuickPick(
      flags.map((node) => ({ label: node.flag.key, description: node.service.settings?.environment, node })),
      { title: 'Ramp which flag' },
    );
    return picked?.node;
  }

  /** Turns the flag on or off, sets its percentage or ramps it, in the service's configured environment. */
  private async change(node: FlagNode | undefined, what: 'on' | 'off' | 'percent' | 'ramp'): Promise<void> {
    if (node?.kind !== 'flag' || !node.live) return;
    const environment = node.service.settings?.environment;
    if (!environment) {
      void vscode.window.showErrorMessage('Set flags.environment in .rollout-guard.yaml: the environment the Flags view changes.');
      return;
    }
    const provider = await this.definitions.provider(node.service);
    if (!provider) {
      void vscode.window.showErrorMessage('No flag service token: run "Rollout Guard: Set Flag Service Token".');
      return;
    }
    try {
      if (what === 'ramp') {
        const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(node.service.configPath));
        const { secrets, output } = this.definitions;
        await rampFromView(node.flag.key, { provider, environment }, folder, secrets, (line) => output.info(line), this.rampClock);
      } else if (what === 'percent') {
        const answer = await vscode.window.showInputBox({
          title: `Rollout percentage of ${node.flag.key} in ${environment}`,
          validateInput: (v) => (/^(100|[1-9]?\d)$/.test(v.trim()) ? undefined : 'A whole number from 0 to 100'),
        });
        if (answer === undefined) return;
        const status = await provider.setPercent(node.flag.key, environment, Number(answer.trim()));
        void vscode.window.showInformationMessage(`${node.flag.key} in ${environment}: ${status.percent} % (${status.enabled ? 'on' : 'off'}).`);
      } else {
        const status = await provider.setEnabled(node.flag.key, environment, what === 'on');
        void vscode.window.showInformationMessage(`${node.flag.key} in ${environment}: ${status.enabled ? 'on' : 'off'}.`);
      }
    } catch (error) {
      void vscode.window.showErrorMessage(error instanceof FlagServiceError ? error.message : `Changing ${node.flag.key} failed: ${String(error)}`);
    } finally {
      await this.definitions.refresh();
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
