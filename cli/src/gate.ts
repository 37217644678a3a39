/**
 * `rollout-guard gate check <namespace>/<virtualservice>`: the "validate canary" pipeline step.
 * Reads the canary from the cluster, evaluates its gates in Prometheus for the stable and the
 * canary subset and prints one row per gate.
 * Exit 0: every gate passes; 1: a gate fails or has no data (Prometheus unreachable, no traffic,
 * NaN), with the reason; 2: usage, configuration or cluster connection error.
 * With --rollback-on-fail a failing canary is set to 0 %. No-data does not roll back: it may be
 * Prometheus that is down, not the canary; the step still fails, so nothing is promoted.
 */
import {
  ClusterClient,
  ClusterError,
  canaryTarget,
  parseCanaryRef,
  readCanary,
  rollbackToStable,
  routeLabel,
  RouteSelectionError,
  selectRoute,
} from '../../operations/cluster';
import {
  checkGates,
  formatGateValue,
  loadGateSettings,
  prometheusGateCheck,
  type GateReport,
  type GateResult,
  type GateSettings,
  type GateSettingsInput,
} from '../../operations/gates';
import type { GateCheck } from '../../operations/cluster';
import { ConfigError } from '../../server/src/engine/config';
import type { CliIo } from './io';
import { parseOptions, subcommand, usageError, type Command } from './args';
import { requestTimeoutOf } from './request-timeout';

export const GATE_USAGE = `Usage:
  rollout-guard gate check <namespace>/<virtualservice> --prometheus-url URL [options]

Evaluates the canary's gates (error rate and p99 latency by default; see docs/gates.md) for its
stable and canary subsets and prints stable value, canary value, threshold and verdict per gate.

Options:
  --prometheus-url <url>  Prometheus base URL (or ROLLOUT_GUARD_PROMETHEUS_URL, or prometheus.url
                          in .rollout-guard.yaml)
  --interval <d>          Rate window, {{interval}} in the queries (default: gates.interval, 1m)
  --route <name|index>    The weighted http route, when the VirtualService has several
  --rollback-on-fail      Set the canary weight to 0 when a gate fails (not on no-data)
  --kubeconfig <file>     Kubeconfig (default: KUBECONFIG or ~/.kube/config)
  --request-timeout <d>   Give up on a Kubernetes API request after this long (default 30s)
  --context <name>        Kubeconfig context (default: its current context)
  --config <file>         Configuration file (default: .rollout-guard.yaml, searched upward)
  --format <f>            text (default) or json

Exit status: 0 every gate passes, 1 a gate fails or has no data, 2 usage, configuration or
cluster connection error, 3 a gate fails and the --rollback-on-fail rollback failed too (the
canary still takes traffic: page someone).
`;

/** A gate failed and so did the rollback asked for: the canary still takes traffic. */
export const EXIT_ROLLBACK_FAILED = 3;

const GATE: Command = { name: 'rollout-guard gate', usage: GATE_USAGE };

const GATE_OPTIONS = {
  'prometheus-url': { type: 'string' },
  interval: { type: 'string' },
  route: { type: 'string' },
  'rollback-on-fail': { type: 'boolean' },
  kubeconfig: { type: 'string' },
  'request-timeout': { type: 'string' },
  context: { type: 'string' },
  config: { type: 'string' },
} as const;

export async function gate(args: string[], io: CliIo): Promise<number> {
  const chosen = subcommand(args, io, GATE, ['check']);
  if (typeof chosen === 'number') return chosen;
  const parsed = parseOptions(chosen.rest, io, GATE, GATE_OPTIONS, ['text', 'json']);
  if (typeof parsed === 'number') return parsed;
  const { values, format } = parsed;
  const requestTimeout = requestTimeoutOf(values['request-timeout']);
  if (typeof requestTimeout === 'object') return usageError(io, GATE, requestTimeout.error);
  if (parsed.positionals.length !== 1)
    return usage(io, parsed.positionals.length ? 'give exactly one <namespace>/<virtualservice>' : 'which canary? give <namespace>/<virtualservice>');

  let settings: GateSettings;
  try {
    const overrides: GateSettingsInput = {};
    if (values.interval !== undefined) overrides.interval = values.interval;
    const url = values['prometheus-url'] ?? io.env.ROLLOUT_GUARD_PROMETHEUS_URL;
    if (url !== undefined) overrides.prometheusUrl = url;
    settings = loadGateSettings({ cwd: io.cwd, configFile: values.config, overrides, overridesSource: 'command line' });
  } catch (error) {
    if (error instanceof ConfigError) return fail2(io, error.message.replace(/^command line: gates\.interval/, '--interval'));
    throw error;
  }
  if (!settings.prometheusUrl) return usage(io, 'no Prometheus: give --prometheus-url URL (or set prometheus.url in .rollout-guard.yaml)');
  if (!settings.gates.length) return fail2(io, 'no gates to check: gates.preset is none and gates.queries is empty');

  let client: ClusterClient;
  try {
    const ref = parseCanaryRef(parsed.positionals[0]!);
    client = ClusterClient.fromKubeconfig({
      kubeconfig: values.kubeconfig,
      context: values.context,
      cwd: io.cwd,
      env: io.env,
      requestTimeoutMs: requestTimeout,
    });
    const canary = await readCanary(client, ref);
    const route = selectRoute(canary, values.route);
    const target = canaryTarget(canary, route);
    const report = await checkGates(target, settings.gates, settings.prometheusUrl, { interval: settings.interval, timeoutMs: settings.timeoutMs });
    let rollback: RollbackOutcome | undefined;
    if (report.verdict === 'fail' && values['rollback-on-fail']) {
      try {
        const result = await rollbackToStable(client, ref, { route: values.route });
        rollback =
          result.kind === 'rollout'
            ? { done: true, message: `rolled back: aborted Rollout ${result.rollout.namespace}/${result.rollout.name} (all traffic back to stable)` }
            : {
                done: true,
                from: result.result.previousWeight,
                to: result.result.weight,
                message: `rolled back: canary ${target.subsets.canary} ${result.result.previousWeight} % → ${result.result.weight} %`,
              };
      } catch (error) {
        rollback = { done: false, message: `rollback failed: ${(error as Error).message}` };
      }
    }
    const heading = `${canary.id}${canary.routes.length > 1 ? ` route ${routeLabel(route)}` : ''}: stable ${target.subsets.stable}, canary ${target.subsets.canary} at ${target.canaryWeight} %`;
    if (format === 'json')
      io.stdout.write(`${JSON.stringify({ canary: canary.id, route: routeLabel(route), canaryWeight: target.canaryWeight, ...report, rollback })}\n`);
    else {
      io.stdout.write(formatReport(heading, report));
      if (rollback) (rollback.done ? io.stdout : io.stderr).write(`${rollback.message}\n`);
    }
    if (rollback && !rollback.done) return EXIT_ROLLBACK_FAILED;
    return report.verdict === 'pass' ? 0 : 1;
  } catch (error) {
    if (error instanceof ClusterError || error instanceof RouteSelectionError) return fail2(io, error.message);
    throw error;
  }
}

/**
 * The gate check of `canary step|promote` when a Prometheus URL is configured. A broken gate
 * configuration answers no-data with its message, so the step is refused rather than waved through.
 */
export function gateCheckFor(options: { prometheusUrl: string; cwd: string; configFile?: string }): GateCheck {
  let settings: GateSettings;
  try {
    settings = loadGateSettings({ cwd: options.cwd, configFile: options.configFile, overrides: { prometheusUrl: options.prometheusUrl } });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const reason = `the gates cannot be evaluated: ${error.message}`;
    return async () => ({ verdict: 'no-data', reason });
  }
  return prometheusGateCheck(settings, options.prometheusUrl);
}

interface RollbackOutcome {
  done: boolean;
  from?: number;
  to?: number;
  message: string;
}

const usage = (io: CliIo, message: string): number => usageError(io, GATE, message);

function fail2(io: CliIo, message: string): number {
  io.stderr.write(`rollout-guard: ${message}\n`);
  return 2;
}

/** The table: gate, stable, canary, threshold, verdict; then the reasons and the overall verdict. */
export function formatReport(heading: string, report: GateReport): string {
  const rows = [['GATE', 'STABLE', 'CANARY', 'THRESHOLD', 'VERDICT'], ...report.gates.map(row)];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = [`${heading} (Prometheus ${report.prometheus}, window ${report.interval})`, ''];
  for (const r of rows) lines.push(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
  lines.push('');
  for (const g of report.gates) if (g.verdict !== 'pass') lines.push(`${g.gate}: ${g.reason}`);
  const verb = report.verdict === 'pass' ? 'pass' : report.verdict === 'fail' ? 'FAIL' : 'NO DATA (not a pass)';
  lines.push(`Verdict: ${verb}${report.verdict === 'pass' ? ` (${report.reason})` : ''}`);
  return `${lines.join('\n')}\n`;
}

function row(g: GateResult): string[] {
  return [g.gate, formatGateValue(g.stable.value, g.unit), formatGateValue(g.canary.value, g.unit), `> ${formatGateValue(g.threshold, g.unit)}`, g.verdict];
}
