/** The Rollouts tree view: the nodes of tree-model.ts as VS Code tree items, with icons and item menus. */
import * as vscode from 'vscode';
import { buildTree, type NodeIcon, type RolloutNode, type ViewInput } from './tree-model';

const ICONS: Record<NodeIcon, vscode.ThemeIcon> = {
  cluster: new vscode.ThemeIcon('server-environment'),
  namespace: new vscode.ThemeIcon('folder'),
  canary: new vscode.ThemeIcon('git-compare'),
  attention: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  route: new vscode.ThemeIcon('arrow-swap'),
  pass: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  fail: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  'no-data': new vscode.ThemeIcon('question', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  pending: new vscode.ThemeIcon('circle-outline'),
  workload: new vscode.ThemeIcon('package'),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  info: new vscode.ThemeIcon('info'),
};

export class RolloutsTree implements vscode.TreeDataProvider<RolloutNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RolloutNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<RolloutNode>;
  private roots: RolloutNode[] = [];

  constructor() {
    this.view = vscode.window.createTreeView('rolloutGuard.rollouts', { treeDataProvider: this, showCollapseAll: true });
  }

  /** Shows the canaries, or a message instead of them (Restricted Mode, no cluster). */
  show(content: { message: string | undefined } | ViewInput): void {
    if ('message' in content) {
      this.roots = [];
      this.view.message = content.message;
    } else {
      this.view.message = undefined;
      this.roots = buildTree(content);
    }
    this.changed.fire(undefined);
  }

  getTreeItem(node: RolloutNode): vscode.TreeItem {
    const collapsible =
      node.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : node.icon === 'cluster' || node.icon === 'namespace' || (node.canaryId !== undefined && node.canaryId === node.id)
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.iconPath = ICONS[node.icon];
    item.contextValue = node.contextValue;
    if (node.contextValue === 'gate') item.command = { command: 'rolloutGuard.canary.showGateMetrics', title: 'Show Gate Metrics', arguments: [node] };
    return item;
  }

  getChildren(node?: RolloutNode): RolloutNode[] {
    return node ? node.children : this.roots;
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}
