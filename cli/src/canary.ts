/**
 * `rollout-guard canary status|set-weight|step|promote|rollback|retry <namespace>/<virtualservice>`:
 * canaries in the cluster of a kubeconfig context. Exit 0: done; 1: refused or failed, with the
 * reason; 2: usage, kubeconfig or connection error (unreachable, 401/403, 404).
 */
import {
  attentionOf,
  ClusterClient,
  ClusterError,
  DEFAULT_STEPS,
  listCanaries,
  parseCanaryRef,
  readCanary,
  routeLabel,
  selectRoute,
  sortByAttention,
  validatePercent,
  canaryConfigFrom,
  newVersionCodeOf,
  type ArgoRolloutInfo,
  type Canary,
  type CanaryRoute,
  type GateCheck,
  type GateCheckResult,
  type WeightChangeResult,
  changeCanary,
  describeChange,
  newVersionCheck,
  readManifestFolder,
  type CanaryChange,
} from '../../operations/cluster';
import { ConfigError } from '../../server/src/engine/config';
import { loadConfig } from '../../server/src/workspace/config-file';
import { displayPrometheusUrl } from '../../operations/gates/prometheus';
import path from 'node:path';
import type { CliIo } from './io';
import { parseOptions, subcommand, usageError, type Command } from './args';
import { requestTimeoutOf } from './request-timeout';

export const CANARY_USAGE = `Usage:
  rollout-guard canary status <namespace>/<virtualservice> [options]
  rollout-guard canary status <namespace> [options]     (every canary of the namespace, most urgent first)
  rollout-guard canary set-weight <pct> <namespace>/<virtualservice> [options]
  rollout-guard canary step|promote|rollback <namespace>/<virtualservice> [options]
  rollout-guard canary retry <namespace>/<virtualservice> [options]   (Argo Rollouts: after an abort)

A canary is a VirtualService http route with two or more weighted destinations. The first
destination is the stable one, the others canaries (an Argo Rollout that manages the
VirtualService names its canary subset or service instead).

  status       each weighted route: destination, weight, Deployment(s), ready/desired, image tag
  set-weight   give the canary <pct> % of the route (the stable side gets the rest)
  step         the next weight of the steps (default ${DEFAULT_STEPS.join(', ')}; canary.steps in .rollout-guard.yaml)
  promote      100 % to the canary
  rollback     0 % to the canary
When an Argo Rollout manages the VirtualService, step, promote and rollback are the Rollout's
promote, promote --full and abort (status patches, as kubectl argo rollouts does them).

Options:
  --kubeconfig <file>       Kubeconfig (default: $KUBECONFIG, then ~/.kube/config)
  --request-timeout <d>     Give up on a Kubernetes API request after this long (default 30s)
  --context <name>          Context (default: the kubeconfig's current-context)
  --route <name|index>      The route, when the VirtualService has several weighted routes
  --format <f>              text (default) or json
  --prometheus-url <url>    Check the gates before step and promote (also ROLLOUT_GUARD_PROMETHEUS_URL
                            or prometheus: in .rollout-guard.yaml); without it a step goes ahead unchecked
  --override <name>         Step or promote although a gate fails or has no data, or the new version fails
                            the configuration check (--manifests): type the canary's name
  --manifests <dir>         The new version's manifests: before giving the canary traffic, check their
                            references against the cluster (check --cluster) and the code their
                            workloads run (workloads: in .rollout-guard.yaml) against their environment
                            (missing-env); a missing Secret, key, ConfigMap, environment variable…
                            refuses set-weight, step and promote
  --config <file>           Configuration file (default: .rollout-guard.yaml, searched upward)
  --max-attempts <n>        Attempts when other writers change the VirtualService meanwhile (default 10)

Exit status: 0 done, 1 refused or failed (reason on stderr), 2 usage or connection error.
`;

const SUBCOMMANDS = ['status', 'set-weight', 'step', 'promote', 'rollback', 'retry'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** Builds the gate check for a Prometheus URL; the CLI's dispatch passes the gates' evaluator. */
export type GateCheckFactory = (options: { prometheusUrl: string; cwd: string; configFile?: string; env: NodeJS.ProcessEnv }) => GateCheck;

export interface CanaryHooks {
  gateCheckFor?: GateCheckFactory;
}

/**
 * GATES PLUG-IN POINT. Until the gates' evaluator (operations/gates checkGates) is passed in
 * as `hooks.gateCheckFor`, a configured Prometheus cannot be consulted, so the answer is
 * no-data: a step or promote is refused (or overridden by name), never waved through.
 */
const unavailableGates: GateCheckFactory =
  ({ prometheusUrl }) =>
  async (): Promise<GateCheckResult> => ({
    verdict: 'no-data',
    reason: `Prometheus ${displayPrometheusUrl(prometheusUrl)} is configured but this build cannot evaluate gates yet`,
  });

const CANARY: Command = { name: 'rollout-guard canary', usage: CANARY_USAGE };

const CANARY_OPTIONS = {
  kubeconfig: { type: 'string' },
  'request-timeout': { type: 'string' },
  context: { type: 'string' },
  route: { type: 'string' },
  'prometheus-url': { type: 'string' },
  override: { type: 'string' },
  config: { type: 'string' },
  'max-attempts': { type: 'string' },
  manifests: { type: 'string' },
} as const;

export async function canary(args: string[], io: CliIo, hooks: CanaryHooks = {}): Promise<number> {
  const chosen = subcommand(args, io, CANARY, SUBCOMMANDS);
  if (typeof chosen === 'number') return chosen;
  const command = chosen.sub;
  const parsed = parseOptions(chosen.rest, io, CANARY, CANARY_OPTIONS, ['text', 'json']);
  if (typeof parsed === 'number') return parsed;
  const { values, format } = parsed;
  const requestTimeout = requestTimeoutOf(values['request-timeout']);
  if (typeof requestTimeout === 'object') return usageError(io, CANARY, requestTimeout.error);
  const named = targetOf(command, parsed.positionals, io);
  if (typeof named === 'number') return named;
  const { ref, wholeNamespace, percent } = named;
  let maxAttempts: number | undefined;
  if (values['max-attempts'] !== undefined) {
    maxAttempts = Number(values['max-attempts']);
    if (!/^\d+$/.test(values['max-attempts']) || maxAttempts < 1)
      return usage(io, `--max-attempts must be a whole number ≥ 1, got "${values['max-attempts']}"`);
  }

  try {
    const configFile = loadConfig(io.cwd, values.config);
    const config = canaryConfigFrom(configFile);
    const client = ClusterClient.fromKubeconfig({
      kubeconfig: values.kubeconfig,
      context: values.context,
      env: io.env,
      cwd: io.cwd,
      trusted: true,
      requestTimeoutMs: requestTimeout,
    });
    if (wholeNamespace) return await namespaceStatus(client, wholeNamespace, format, io);
    if (command === 'status') return await status(client, ref, values.route, format, io);

    const prometheusUrl = values['prometheus-url'] ?? io.env.ROLLOUT_GUARD_PROMETHEUS_URL ?? config.prometheusUrl;
    let gateCheck: GateCheck | undefined;
    if (prometheusUrl) gateCheck = (hooks.gateCheckFor ?? unavailableGates)({ prometheusUrl, cwd: io.cwd, configFile: config.file, env: io.env });
    else if (command === 'step' || command === 'promote')
      io.stderr.write(
        `rollout-guard: warning: gates not checked (no Prometheus configured: --prometheus-url, ROLLOUT_GUARD_PROMETHEUS_URL or prometheus: in .rollout-guard.yaml)\n`,
      );

    const manifests = values.manifests === undefined ? undefined : path.resolve(io.cwd, values.manifests);
    const change = await changeCanary(client, ref, command, {
      newVersionCheck: manifests ? newVersionCheck(client, readManifestFolder(manifests), newVersionCodeOf(configFile)) : undefined,
      route: values.route,
      gateCheck,
      override: values.override,
      steps: config.steps,
      maxAttempts,
      percent,
    });
    if (change.kind === 'rollout') reportRollout(change, format, io);
    else report(change.result, command, format, io);
    for (const f of change.overriddenFindings ?? [])
      io.stderr.write(`rollout-guard: override: moved although ${f.workload} (${f.file}:${f.line}) fails ${f.rule}: ${f.message}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`rollout-guard: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ClusterError) {
      io.stderr.write(`rollout-guard: ${error.message}\n`);
      return error.isConnectionProblem ? 2 : 1;
    }
    throw error;
  }
}

const usage = (io: CliIo, message: string): number => usageError(io, CANARY, message);

/** The canary the positionals name (or, for `status <namespace>`, the namespace) and set-weight's percentage; or the exit status after a usage error. */
function targetOf(
  command: Subcommand,
  given: string[],
  io: CliIo,
): { ref: { namespace: string; name: string }; wholeNamespace?: string; percent?: number } | number {
  const positionals = [...given];
  let percent: number | undefined;
  if (command === 'set-weight') {
    if (positionals.length !== 2) return usage(io, 'set-weight needs a percentage and <namespace>/<virtualservice>, e.g. set-weight 25 shop/reviews');
    const text = /^\d+$/.test(positionals[0]!) ? positionals.shift()! : positionals.pop()!;
    try {
      percent = validatePercent(text);
    } catch (error) {
      return usage(io, (error as Error).message);
    }
  }
  if (positionals.length !== 1)
    return usage(io, positionals.length ? 'give exactly one <namespace>/<virtualservice>' : 'which canary? give <namespace>/<virtualservice>');
  // `status <namespace>` lists every canary of the namespace, most urgent first.
  if (command === 'status' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(positionals[0]!))
    return { ref: { namespace: positionals[0]!, name: '' }, wholeNamespace: positionals[0]! };
  try {
    return { ref: parseCanaryRef(positionals[0]!), percent };
  } catch (error) {
    return usage(io, (error as Error).message);
  }
}

const destinationLabel = (d: { host: string; subset?: string; port?: number }): string =>
  `${d.host}${d.subset ? ` ${d.subset}` : ''}${d.port ? `:${d.port}` : ''}`;

function rolloutLine(r: ArgoRolloutInfo): string {
  const step =
    r.currentStepIndex !== undefined
      ? `, step ${Math.min(r.currentStepIndex + 1, r.stepCount)}/${r.stepCount}${r.currentStepIndex >= r.stepCount ? ' (done)' : ''}`
      : '';
  const weight = r.setWeight !== undefined ? `, setWeight ${r.setWeight} %` : '';
  const flags = [r.paused ? 'paused' : '', r.aborted ? 'aborted' : ''].filter(Boolean).join(', ');
  return `Rollout ${r.namespace}/${r.name}: ${r.phase}${step}${weight}${flags ? ` (${flags})` : ''}${r.message ? ` — ${r.message}` : ''}`;
}

async function namespaceStatus(client: ClusterClient, namespace: string, format: 'text' | 'json', io: CliIo): Promise<number> {
  const canaries = sortByAttention(await listCanaries(client, namespace));
  if (format === 'json') {
    io.stdout.write(
      `${JSON.stringify({ context: client.context, server: client.server, namespace, canaries: canaries.map((c) => ({ ...c, attention: attentionOf(c) })) }, null, 2)}\n`,
    );
    return 0;
  }
  if (canaries.length === 0) {
    io.stdout.write(
      `No canaries in namespace ${namespace} (context ${client.context}): no VirtualService there has a route with two or more weighted destinations\n`,
    );
    return 0;
  }
  const lines = [`Canaries in namespace ${namespace} (context ${client.context}), most urgent first`];
  for (const canary of canaries) {
    const weights = canary.routes.map((r) => `${routeLabel(r)} ${r.canaryWeight} %`).join(', ');
    const attention = attentionOf(canary);
    lines.push(
      `  ${canary.name.padEnd(Math.max(...canaries.map((c) => c.name.length)))}  canary ${weights}${canary.rollout ? `  (Rollout ${canary.rollout.name} ${canary.rollout.phase})` : ''}${attention.level < 3 ? `  — ${attention.reason}` : ''}`,
    );
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function status(
  client: ClusterClient,
  ref: { namespace: string; name: string },
  route: string | undefined,
  format: 'text' | 'json',
  io: CliIo,
): Promise<number> {
  const canary = await readCanary(client, ref);
  const routes = route === undefined ? canary.routes : [selectOrRefuse(canary, route)];
  if (format === 'json') {
    io.stdout.write(
      `${JSON.stringify({ context: client.context, server: client.server, canary: { ...canary, routes }, attention: attentionOf(canary) }, null, 2)}\n`,
    );
    return 0;
  }
  const lines = [`VirtualService ${canary.id} (context ${client.context}, resourceVersion ${canary.resourceVersion})`];
  if (canary.rollout) lines.push(`  ${rolloutLine(canary.rollout)}`);
  for (const r of routes) {
    lines.push(`  route ${routeLabel(r)}: canary ${r.canaryWeight} %`);
    const rows = r.destinations.map((d) => {
      const workloads = d.workloads.length
        ? d.workloads.map((w) => `${w.kind} ${w.name}  ${w.ready}/${w.desired} ready  ${w.imageTag || '-'}`).join('; ')
        : `no workload (${d.problem ?? 'not found'})`;
      return [d.role, destinationLabel(d), `${d.weight} %`, workloads];
    });
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) lines.push(`    ${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]!.padStart(widths[2]!)}  ${row[3]}`);
  }
  for (const warning of canary.warnings) lines.push(`  warning: ${warning}`);
  const attention = attentionOf(canary);
  if (attention.level < 3) lines.push(`  attention: ${attention.reason}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function selectOrRefuse(canary: Canary, route: string | undefined): CanaryRoute {
  try {
    return selectRoute(canary, route);
  } catch (error) {
    throw new ClusterError('refused', (error as Error).message);
  }
}

function report(result: WeightChangeResult, command: Subcommand, format: 'text' | 'json', io: CliIo): void {
  if (format === 'json') {
    const { canary, route, ...rest } = result;
    io.stdout.write(
      `${JSON.stringify({ command, canary: canary.id, route: routeLabel(route), ...rest, destinations: route.destinations.map((d) => ({ host: d.host, subset: d.subset, role: d.role, weight: d.weight })) }, null, 2)}\n`,
    );
    return;
  }
  const split = result.route.destinations.map((d) => `${destinationLabel(d)} ${d.weight} %`).join(', ');
  const verb = result.changed ? `canary ${result.previousWeight} % → ${result.weight} %` : `canary already at ${result.weight} %, nothing written`;
  const notes = [
    result.attempts > 1 ? `after ${result.attempts - 1} conflicting write${result.attempts > 2 ? 's' : ''} by others` : '',
    result.overridden ? `gate overridden: ${result.gate?.reason}` : '',
  ].filter(Boolean);
  io.stdout.write(`${result.canary.id} route ${routeLabel(result.route)}: ${verb} (${split})${notes.length ? `; ${notes.join('; ')}` : ''}\n`);
}

/** What a step / promote / rollback / retry did to the Argo Rollout that manages the VirtualService. */
function reportRollout(change: Extract<CanaryChange, { kind: 'rollout' }>, format: 'text' | 'json', io: CliIo): void {
  if (format === 'json') io.stdout.write(`${JSON.stringify({ command: change.action, canary: change.canary.id, rollout: change.rollout }, null, 2)}\n`);
  else io.stdout.write(`${describeChange(change)}\n  ${rolloutLine(change.rollout)}\n`);
}
