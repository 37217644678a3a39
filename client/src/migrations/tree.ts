/** The Migrations view: plans and their phases with their state, and the message above them. */
import fs from 'node:fs';
import * as vscode from 'vscode';
import { findPhase } from '../../../operations/migrations';
import { phaseAnchors, phaseNodes, planNode, type TreeNode } from './model';
import { NO_DATABASE_MESSAGE, type MigrationsState } from './state';

/** No database configured, or a malformed configuration: said above the plans. */
export async function updateViewMessage(view: vscode.TreeView<TreeNode>, state: MigrationsState): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    view.message = undefined;
    return;
  }
  const plans = await state.listPlans();
  let connection;
  try {
    connection = await state.connection(undefined);
  } catch (error) {
    view.message = error instanceof Error ? error.message : String(error);
    return;
  }
  view.message = plans.length > 0 && !connection ? NO_DATABASE_MESSAGE : undefined;
}

export class MigrationsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly state: MigrationsState) {
    this.subscription = state.onDidChange(() => this.changed.fire(undefined));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    // Empty in Restricted Mode, so the view shows its welcome text about trust.
    if (!vscode.workspace.isTrusted) return [];
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!node) return Promise.all((await this.state.listPlans()).map(async (source) => planNode(await this.state.snapshot(source), root)));
    if (node.phase) return [];
    return phaseNodes(await this.state.snapshot(node.source));
  }

  async getParent(node: TreeNode): Promise<TreeNode | undefined> {
    if (!node.phase) return undefined;
    return planNode(await this.state.snapshot(node.source), vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  }

  async getTreeItem(node: TreeNode): Promise<vscode.TreeItem> {
    const item = new vscode.TreeItem(node.label, node.phase ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Expanded);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.contextValue;
    item.iconPath = iconFor(node.icon);
    if (node.phase) {
      const snapshot = await this.state.snapshot(node.source);
      const phase = snapshot.plan && findPhase(snapshot.plan, node.phase);
      if (phase) {
        const line = phaseAnchors(phase.file, readOr(phase.file), snapshot.plan!).find((a) => a.phase === node.phase)?.line ?? 0;
        item.resourceUri = vscode.Uri.file(phase.file);
        item.command = {
          title: 'Open Phase',
          command: 'vscode.open',
          arguments: [vscode.Uri.file(phase.file), { selection: new vscode.Range(line, 0, line, 0) }],
        };
      }
    } else item.resourceUri = vscode.Uri.file(node.source);
    return item;
  }
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function iconFor(icon: TreeNode['icon']): vscode.ThemeIcon {
  switch (icon) {
    case 'applied':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'pending':
      return new vscode.ThemeIcon('circle-large-outline');
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'interrupted':
      return new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('list.warningForeground'));
    case 'cancelled':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('list.warningForeground'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    case 'refused':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    case 'plan':
      return new vscode.ThemeIcon('database');
    case 'plan-error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    default:
      return new vscode.ThemeIcon('question');
  }
}
