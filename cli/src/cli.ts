import path from 'node:path';
import { parseOptions, usageError, type Command } from './args';
import { check, type CheckOptions } from './check';
import { CACHE_FILE_NAME } from './result-cache';

import type { CliIo } from './io';

export type { CliIo };

declare const PACKAGE_VERSION: string | undefined;
const VERSION = typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : '0.0.0-dev';

export const USAGE = `Usage: rollout-guard <command> [options]

Commands:
  check [paths…]     Lint migrations (.sql, PostgreSQL or MySQL), Kubernetes, Istio and Argo
                     Rollouts manifests (.yaml, checked across files) and SQL in .ts/.js
                     files (see --embedded); folders are searched recursively (default: .)
  rules              List the rules with their default severity
  migrate status|run Migration plan phases against PostgreSQL (rollout-guard migrate --help)
  canary status|set-weight|step|promote|rollback <namespace>/<virtualservice>
                     Canary weights in the cluster (rollout-guard canary --help)
  gate check         Evaluate a canary's Prometheus gates (rollout-guard gate --help)
  flag list|status|on|off|set [key]
                     Feature flags in the flag service (rollout-guard flag --help)
  trace <file.sql>   Locks and rewrites PostgreSQL measures for each statement of a migration
                     (rollout-guard trace --help)

Options for check:
  --format <f>       text (default), json or sarif
  --pg-version <n>   PostgreSQL major version the migrations run against (default 16)
  --kubernetes-version <v>
                     Kubernetes version the manifests are applied to (default 1.30)
  --assume-in-transaction
                     Treat each file as wrapped in a transaction
  --config <file>    Configuration file (default: the nearest .rollout-guard.yaml above the
                     paths checked, else above the current folder)
  --no-color         Plain text even on a terminal
  --embedded         Also check SQL inside .ts/.js files in folders (query(…), execute(…),
                     raw(…), sql\`…\`); .ts/.js files named on the command line always are
  --cache            Keep the findings of unchanged SQL files between runs (manifests and
                     contract steps are always checked again)
  --cache-location <path>
                     The cache file, or a folder for it (default: .rollout-guard-cache)
  --jobs <n>         Check SQL files on n threads (default: one per CPU, at most 4; 1: none)
  --cluster          Also resolve the manifests' references (ConfigMaps, Secrets and their keys,
                     ServiceAccounts, PVCs, pull and TLS secrets) in the live cluster, after the
                     workspace; only key names of Secrets are read, never values
  --kubeconfig <f>   With --cluster: kubeconfig (default: $KUBECONFIG, then ~/.kube/config)
  --context <name>   With --cluster: context (default: the kubeconfig's current-context)
  --namespace <ns>   With --cluster: namespace of manifests that write none (default: the context's)
  --request-timeout <d>
                     With --cluster: give up on an API request after this long (default 30s)
  --dry-run-server   With --cluster: send each object as a server-side apply with dryRun=All;
                     what the API server refuses is a server-dry-run finding

With a flags: section in the configuration, the flag reads of .ts/.js files (in folders too)
are checked against the flag service, with the token from ROLLOUT_GUARD_FLAGS_TOKEN.

Exit status: 0 no error or warning, 1 findings, 2 usage or configuration error (or, with
--cluster, a cluster that cannot be reached or refuses the credentials).
`;

const CLI: Command = { name: 'rollout-guard', usage: USAGE };

/** Runs the CLI; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    (command ? io.stdout : io.stderr).write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === 'rules') {
    const { ruleRegistry } = await import('../../server/src/engine/registry');
    for (const rule of ruleRegistry.values()) io.stdout.write(`${rule.id.padEnd(46)} ${rule.severity.padEnd(8)} ${rule.summary}\n`);
    return 0;
  }
  if (command === 'migrate') return (await import('./operations')).migrate(rest, io);
  if (command === 'gate') return (await import('./operations')).gate(rest, io);
  if (command === 'flag') return (await import('./operations')).flag(rest, io);
  if (command === 'trace') return (await import('./operations')).trace(rest, io);
  if (command === 'canary') {
    const { canary, gateCheckFor } = await import('./operations');
    return canary(rest, io, { gateCheckFor });
  }
  if (command !== 'check') return usageError(io, CLI, `unknown command "${command}"`);
  const parsed = parseOptions(
    rest,
    io,
    CLI,
    {
      'pg-version': { type: 'string' },
      'kubernetes-version': { type: 'string' },
      'assume-in-transaction': { type: 'boolean' },
      config: { type: 'string' },
      'no-color': { type: 'boolean' },
      embedded: { type: 'boolean' },
      cache: { type: 'boolean' },
      'cache-location': { type: 'string' },
      jobs: { type: 'string' },
      cluster: { type: 'boolean' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      namespace: { type: 'string' },
      'request-timeout': { type: 'string' },
      'dry-run-server': { type: 'boolean' },
    },
    ['text', 'json', 'sarif'],
  );
  if (typeof parsed === 'number') return parsed;
  const values = parsed.values;
  const clusterOnly = (['kubeconfig', 'context', 'namespace', 'request-timeout', 'dry-run-server'] as const).find((o) => values[o] !== undefined);
  if (clusterOnly && !values.cluster) return usageError(io, CLI, `--${clusterOnly} is for --cluster`);
  const threads = values.jobs === undefined ? undefined : Number(values.jobs);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1))
    return usageError(io, CLI, `--jobs must be a whole number from 1, got "${values.jobs}"`);
  let cluster: CheckOptions['cluster'];
  if (values.cluster) {
    const { clusterCheck, requestTimeoutOf } = await import('./operations');
    const requestTimeoutMs = requestTimeoutOf(values['request-timeout']);
    if (typeof requestTimeoutMs === 'object') return usageError(io, CLI, requestTimeoutMs.error);
    cluster = {
      run: clusterCheck,
      options: {
        kubeconfig: values.kubeconfig,
        context: values.context,
        namespace: values.namespace,
        requestTimeoutMs,
        dryRunServer: !!values['dry-run-server'],
      },
    };
  }
  const options: CheckOptions = {
    paths: parsed.positionals.length ? parsed.positionals : ['.'],
    format: parsed.format,
    pgVersion: parsed.values['pg-version'],
    kubernetesVersion: parsed.values['kubernetes-version'],
    assumeInTransaction: parsed.values['assume-in-transaction'],
    configFile: parsed.values.config,
    embedded: parsed.values.embedded,
    color: !parsed.values['no-color'] && !!io.stdout.isTTY && !io.env.NO_COLOR,
    version: VERSION,
    cacheLocation: parsed.values.cache ? path.resolve(io.cwd, parsed.values['cache-location'] ?? CACHE_FILE_NAME) : undefined,
    threads,
    cluster,
  };
  // A FeatureFlag (flags.featureFlag) is read with the cluster commands' Kubernetes client, loaded only then.
  const featureFlagCluster = async () => (await import('./operations')).ClusterClient.fromKubeconfig({ env: io.env, cwd: io.cwd });
  return check(options, io, async (cwd, configFile, env) => (await import('./flag-snapshot')).flagSnapshotForCheck(cwd, configFile, env, featureFlagCluster));
}
