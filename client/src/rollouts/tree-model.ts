/**
 * The Rollouts view as plain data: context → namespace → canary → route → destinations and gates.
 * vscode-free so it is unit-tested; rollouts-view.ts turns these nodes into TreeItems.
 */
import { attentionOf, describeFinding, routeLabel, type BlockingFinding, type Canary, type CanaryRoute } from '../../../operations/cluster';
import { formatGateValue, type GateReport, type GateResult } from '../../../operations/gates';

export type NodeIcon = 'cluster' | 'namespace' | 'canary' | 'attention' | 'route' | 'pass' | 'fail' | 'no-data' | 'pending' | 'workload' | 'error' | 'info';

export interface RolloutNode {
  /** Stable across refreshes, so the tree keeps expansion and selection. */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon: NodeIcon;
  /** The menus' `viewItem` (e.g. "canary", "canary.rollout"). */
  contextValue?: string;
  /** namespace/name of the VirtualService the node belongs to, for commands. */
  canaryId?: string;
  routeIndex?: number;
  children: RolloutNode[];
}

/** What the view knows about one canary's gates (from the latest evaluation). */
export interface GateState {
  report?: GateReport;
  /** Why nothing was evaluated (no Prometheus configured, weight 0 or 100…). */
  note?: string;
  autoRollback: boolean;
  autoProgress: boolean;
  consecutiveFailures?: number;
  rollbackAfter?: number;
}

export interface ViewInput {
  context: string;
  server: string;
  namespaces: string[];
  canaries: Canary[];
  /** unreachable / forbidden… while the last canaries stay shown. */
  problem?: string;
  gates: ReadonlyMap<string, GateState>;
  /** Canary id → what its new version lacks in the cluster (a canary not yet started). */
  configuration?: ReadonlyMap<string, readonly BlockingFinding[]>;
}

const percent = (weight: number): string => `${weight} %`;

function gateNode(canaryId: string, result: GateResult): RolloutNode {
  const show = (value: number | null): string => formatGateValue(value, result.unit);
  return {
    id: `${canaryId}#gate:${result.gate}`,
    label: result.gate,
    description: `${result.verdict === 'no-data' ? 'no data' : result.verdict} · canary ${show(result.canary.value)} · stable ${show(result.stable.value)} · max ${show(result.threshold)}`,
    tooltip: `${result.description ? `${result.description}\n` : ''}${result.reason}\n\ncanary: ${result.canary.query}${result.canary.reason ? `\n  ${result.canary.reason}` : ''}\nstable: ${result.stable.query}${result.stable.reason ? `\n  ${result.stable.reason}` : ''}`,
    icon: result.verdict,
    contextValue: 'gate',
    canaryId,
    children: [],
  };
}

function routeChildren(canary: Canary, route: CanaryRoute): RolloutNode[] {
  return route.destinations.map((d, i) => {
    const workloads = d.workloads.map((w) => `${w.kind} ${w.name} ${w.ready}/${w.desired} ready, ${w.imageTag}`);
    const first = d.workloads[0];
    return {
      id: `${canary.id}#route:${route.index}:dest:${i}`,
      label: `${d.subset ?? d.host} (${d.role})`,
      description: `${percent(d.weight)}${first ? ` · ${first.name} ${first.ready}/${first.desired} · ${first.imageTag}` : ` · ${d.problem ?? 'no workload'}`}${d.workloads.length > 1 ? ` +${d.workloads.length - 1}` : ''}`,
      tooltip: [`${d.host}${d.subset ? ` subset ${d.subset}` : ''}: ${percent(d.weight)}`, ...workloads, d.problem].filter(Boolean).join('\n'),
      icon: first && first.ready < first.desired ? 'attention' : 'workload',
      contextValue: 'destination',
      canaryId: canary.id,
      routeIndex: route.index,
      children: [],
    };
  });
}

function gateChildren(canary: Canary, state: GateState | undefined): RolloutNode[] {
  if (state?.report) {
    const nodes = state.report.gates.map((g) => gateNode(canary.id, g));
    if (state.report.gates.length === 0)
      nodes.push({ id: `${canary.id}#gates`, label: 'gates', description: state.report.reason, icon: 'info', canaryId: canary.id, children: [] });
    return nodes;
  }
  return [
    {
      id: `${canary.id}#gates`,
      label: 'gates',
      description: state?.note ?? 'not evaluated yet',
      icon: 'pending',
      canaryId: canary.id,
      children: [],
    },
  ];
}

/** A new version that fails the configuration check: one node per finding, before the first step. */
function configurationChildren(canary: Canary, findings: readonly BlockingFinding[]): RolloutNode[] {
  return findings.map((f, i) => ({
    id: `${canary.id}#config:${i}`,
    label: `${f.workload}: not ready for traffic`,
    description: f.needs ? `needs ${f.needs}, not set` : f.message,
    tooltip: `${f.file}:${f.line}\n${f.message}\n\nset-weight and step are refused until it is fixed (or overridden).`,
    icon: 'fail' as const,
    canaryId: canary.id,
    children: [],
  }));
}

/** The canary's word on its new version: "reviews-v2 needs PAYMENTS_URL, not set" for an unset variable, else how many findings. */
function configurationSummary(findings: readonly BlockingFinding[]): string | undefined {
  const first = findings[0];
  if (!first) return undefined;
  if (!first.needs) return `configuration check failed (${findings.length})`;
  const name = first.workload.slice(first.workload.indexOf(' ') + 1);
  return `${name} needs ${first.needs}, not set${findings.length > 1 ? ` (and ${findings.length - 1} more)` : ''}`;
}

export function canaryNode(canary: Canary, state: GateState | undefined, configuration: readonly BlockingFinding[] = []): RolloutNode {
  const attention = attentionOf(canary);
  const main = canary.routes[0]!;
  const verdict = state?.report?.verdict;
  const parts = [
    `canary ${percent(main.canaryWeight)}`,
    verdict && `gates ${verdict === 'no-data' ? 'no data' : verdict}`,
    state?.consecutiveFailures ? `${state.consecutiveFailures}/${state.rollbackAfter} failing` : undefined,
    canary.rollout &&
      `Rollout ${canary.rollout.name} ${canary.rollout.phase}${canary.rollout.stepCount ? ` step ${(canary.rollout.currentStepIndex ?? 0) + 1}/${canary.rollout.stepCount}` : ''}`,
    state?.autoProgress ? 'auto-progress' : undefined,
    configurationSummary(configuration),
  ].filter(Boolean);
  const routes: RolloutNode[] =
    canary.routes.length === 1
      ? routeChildren(canary, main)
      : canary.routes.map((route) => ({
          id: `${canary.id}#route:${route.index}`,
          label: `route ${routeLabel(route)}`,
          description: `canary ${percent(route.canaryWeight)}`,
          icon: 'route' as const,
          contextValue: 'route',
          canaryId: canary.id,
          routeIndex: route.index,
          children: routeChildren(canary, route),
        }));
  return {
    id: canary.id,
    label: canary.name,
    description: parts.join(' · '),
    tooltip: [
      `VirtualService ${canary.id}`,
      `hosts: ${canary.hosts.join(', ')}`,
      attention.reason,
      ...canary.warnings,
      ...configuration.map(describeFinding),
    ].join('\n'),
    icon: verdict === 'fail' || attention.level === 0 || configuration.length ? 'attention' : 'canary',
    contextValue: canary.rollout ? 'canary.rollout' : 'canary',
    canaryId: canary.id,
    children: [...configurationChildren(canary, configuration), ...routes, ...gateChildren(canary, state)],
  };
}

/** Sort key: a failing gate first, then the cluster layer's attention level, then the name. */
function urgency(canary: Canary, state: GateState | undefined): number {
  if (state?.report?.verdict === 'fail') return -1;
  return attentionOf(canary).level;
}

export function buildTree(input: ViewInput): RolloutNode[] {
  const namespaces = input.namespaces.map((namespace): RolloutNode => {
    const canaries = input.canaries
      .filter((c) => c.namespace === namespace)
      .sort((a, b) => urgency(a, input.gates.get(a.id)) - urgency(b, input.gates.get(b.id)) || a.id.localeCompare(b.id))
      .map((c) => canaryNode(c, input.gates.get(c.id), input.configuration?.get(c.id)));
    return {
      // A new id once canaries appear: the tree would otherwise keep showing the empty namespace collapsed.
      id: canaries.length ? `ns:${namespace}` : `ns:${namespace}:empty`,
      label: namespace,
      description: canaries.length === 0 ? 'no weighted VirtualService route' : `${canaries.length} canar${canaries.length === 1 ? 'y' : 'ies'}`,
      icon: 'namespace',
      contextValue: 'namespace',
      children: canaries,
    };
  });
  const children: RolloutNode[] = input.problem
    ? [{ id: 'problem', label: input.problem, icon: 'error', tooltip: input.problem, children: [] }, ...namespaces]
    : namespaces;
  return [{ id: `ctx:${input.context}`, label: input.context, description: input.server, icon: 'cluster', contextValue: 'context', children }];
}

/** The status bar text of one canary: weight and gate state. */
export function statusText(canary: Canary, state: GateState | undefined): { text: string; tooltip: string; failing: boolean } {
  const weight = canary.routes[0]!.canaryWeight;
  const verdict = state?.report?.verdict;
  const icon = verdict === 'pass' ? '$(pass)' : verdict === 'fail' ? '$(error)' : verdict === 'no-data' ? '$(question)' : '$(circle-outline)';
  return {
    text: `$(git-compare) ${canary.name} ${percent(weight)} ${icon}`,
    tooltip: `${canary.id}: canary ${percent(weight)}; gates ${verdict ?? 'not evaluated'}${state?.report ? ` — ${state.report.reason}` : state?.note ? ` — ${state.note}` : ''}`,
    failing: verdict === 'fail',
  };
}

/** The gates that failed, with their numbers (for the rollback message): passing gates are not named. */
export function failedGates(report: GateReport): string {
  return report.gates
    .filter((g) => g.verdict === 'fail')
    .map((g) => `${g.gate} canary ${formatGateValue(g.canary.value, g.unit)} (max ${formatGateValue(g.threshold, g.unit)})`)
    .join(', ');
}
