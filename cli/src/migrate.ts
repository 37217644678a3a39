/**
 * `rollout-guard migrate status|run`: migration plan phases against PostgreSQL.
 * Exit 0: done (or nothing to do); 1: refused, failed or cancelled, with the reason;
 * 2: usage, plan path or connection error.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ConnectionError,
  DatabaseUrlError,
  isPhaseName,
  loadPlan,
  planStatus,
  PlanError,
  runPhase,
  PHASES,
  switchBinding,
  type BackfillProgress,
  type MigrationPlan,
  type RunEvent,
  type RunPhaseOptions,
} from '../../operations/migrations';
import { databaseUrlFromConfig, passwordIn, resolveDatabaseUrl } from '../../operations/migrations/connection';
import { ConfigError } from '../../server/src/engine/config';
import { loadConfig } from '../../server/src/workspace/config-file';
import { flagEventLine, formatCount, formatDuration, statusLines } from '../../operations/migrations/format';
import { ClusterClient, ClusterError, clusterContractGuard, type GateCheckResult } from '../../operations/cluster';
import { configuredFlagService, FLAGS_TOKEN_VARIABLE, type FlagService } from '../../operations/flags';
import { canaryGateCheck, loadGateSettings } from '../../operations/gates';
import type { CliIo } from './io';
import { parseOptions, subcommand, usageError, type Command } from './args';
import { requestTimeoutOf } from './request-timeout';

export const MIGRATE_USAGE = `Usage:
  rollout-guard migrate status <plan> [--database-url URL] [--config FILE] [--format text|json]
  rollout-guard migrate run <plan> --phase expand|backfill|switch|contract [--database-url URL]
                         [--batch-size N] [--max-rows-per-second N] [options]

<plan> is a folder with expand.sql, backfill.sql, switch.sql (optional) and contract.sql,
or one .sql file with "-- rollout-guard: phase <name>" markers.

Options for run:
  --batch-size <n>            Keys per backfill batch to start with (default: the declaration's batch=)
  --max-rows-per-second <n>   Throttle the backfill
  --pause <ms>                Pause between backfill batches
  --target-batch-ms <ms>      Adapt the batch size to this duration (default 50; 0: fixed size)
  --max-batch-ms <ms>         statement_timeout of a batch: the longest row locks are held (default 200)
  --lock-timeout <ms>         lock_timeout of each DDL statement (default 2000)
  --statement-timeout <ms>    statement_timeout of each DDL statement (default 900000; 0: none)
  --lock-retries <n>          Attempts per DDL statement when its lock times out (default 10)
  --format <f>                text (default) or json

The cluster's say before contract (given any of these options, contract is refused while a
canary is mid-rollout, an Argo Rollout has not finished, or pods of the old, stable version
are still ready; and when the cluster cannot be read):
  --kubeconfig <file>         Kubeconfig (default KUBECONFIG, then ~/.kube/config)
  --request-timeout <d>       Give up on a Kubernetes API request after this long (default 30s)
  --context <name>            Kubeconfig context (default: its current context)
  --canary <ns/vs>            A VirtualService to check (repeat for more; default: every canary
  --namespace <ns>            in these namespaces, or the context's namespace)

A switch phase that binds a flag ("-- rollout-guard: switch flag=KEY [steps=10,50,100]
[interval=5m]" in switch.sql) ramps it through the steps in flags.environment of
.rollout-guard.yaml (token: ROLLOUT_GUARD_FLAGS_TOKEN), waiting the interval between steps, then
asking the gates (docs/gates.md) of the canary version that reads the flag; a failing gate turns
the flag off (exit 1). A run that stopped goes on from the step the ledger recorded. Contract
waits until the flag is 100 % on.
  --canary <ns/vs>            The VirtualService whose canary subset the gates measure
  --prometheus-url <url>      Prometheus (or ROLLOUT_GUARD_PROMETHEUS_URL, or prometheus.url)

Without --database-url, the URL comes from ROLLOUT_GUARD_DATABASE_URL, DATABASE_URL, or
database.url in .rollout-guard.yaml (--config FILE, or the nearest one from the current folder
up to the repository root). Keep the password out of URLs in files and command lines: PGPASSWORD
(or ~/.pgpass) supplies it.

Exit status: 0 applied or nothing to do, 1 refused, failed or cancelled, 2 usage or connection error.
`;

const MIGRATE: Command = { name: 'rollout-guard migrate', usage: MIGRATE_USAGE };

const MIGRATE_OPTIONS = {
  'database-url': { type: 'string' },
  config: { type: 'string' },
  phase: { type: 'string' },
  'batch-size': { type: 'string' },
  'max-rows-per-second': { type: 'string' },
  pause: { type: 'string' },
  'target-batch-ms': { type: 'string' },
  'max-batch-ms': { type: 'string' },
  'lock-timeout': { type: 'string' },
  'statement-timeout': { type: 'string' },
  'lock-retries': { type: 'string' },
  kubeconfig: { type: 'string' },
  'request-timeout': { type: 'string' },
  context: { type: 'string' },
  canary: { type: 'string', multiple: true },
  namespace: { type: 'string', multiple: true },
  'prometheus-url': { type: 'string' },
} as const;

export async function migrate(args: string[], io: CliIo): Promise<number> {
  const chosen = subcommand(args, io, MIGRATE, ['status', 'run']);
  if (typeof chosen === 'number') return chosen;
  const { sub, rest } = chosen;
  const parsed = parseOptions(rest, io, MIGRATE, MIGRATE_OPTIONS, ['text', 'json']);
  if (typeof parsed === 'number') return parsed;
  const { values, format } = parsed;
  const requestTimeout = requestTimeoutOf(values['request-timeout']);
  if (typeof requestTimeout === 'object') return usageError(io, MIGRATE, requestTimeout.error);
  if (parsed.positionals.length !== 1)
    return usage(io, parsed.positionals.length ? 'give exactly one plan folder or file' : 'which plan? give its folder or file');
  const databaseUrl = databaseUrlFor(io, values.config, values['database-url']);
  if (typeof databaseUrl === 'number') return databaseUrl;
  let numbers: Record<string, number | undefined>;
  try {
    numbers = Object.fromEntries(
      ['batch-size', 'max-rows-per-second', 'pause', 'target-batch-ms', 'max-batch-ms', 'lock-timeout', 'statement-timeout', 'lock-retries'].map((name) => [
        name,
        wholeNumber(name, values[name as keyof typeof values] as string | undefined, name === 'batch-size' || name === 'lock-retries' ? 1 : 0),
      ]),
    );
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  let contractGuard: (() => Promise<string | undefined>) | undefined;
  if (sub === 'run' && values.phase === 'contract' && (values.kubeconfig || values.context || values.canary?.length || values.namespace?.length)) {
    try {
      const client = ClusterClient.fromKubeconfig({
        kubeconfig: values.kubeconfig,
        context: values.context,
        cwd: io.cwd,
        env: io.env,
        requestTimeoutMs: requestTimeout,
      });
      contractGuard = clusterContractGuard(client, { canaries: values.canary, namespaces: values.namespace });
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      io.stderr.write(`rollout-guard: ${error.message}\n`);
      return 2;
    }
  }
  if (sub === 'run' && !values.phase) return usage(io, `migrate run needs --phase ${PHASES.join('|')}`);
  if (values.phase !== undefined && !isPhaseName(values.phase)) return usage(io, `--phase must be one of ${PHASES.join(', ')}, got "${values.phase}"`);

  let plan: MigrationPlan;
  const planPath = path.resolve(io.cwd, parsed.positionals[0]!);
  try {
    plan = await loadPlan(planPath);
  } catch (error) {
    if (error instanceof PlanError) {
      io.stderr.write(`rollout-guard: ${error.message}\n`);
      return error.notFound ? 2 : 1;
    }
    throw error;
  }

  const phase = values.phase as (typeof PHASES)[number];
  let flags: FlagService | undefined;
  let gateCheck: (() => Promise<GateCheckResult>) | undefined;
  if (sub === 'run' && (phase === 'switch' || phase === 'contract') && switchBinding(plan)) {
    try {
      flags = configuredFlagService(loadConfig(io.cwd, values.config), {
        token: io.env[FLAGS_TOKEN_VARIABLE],
        tokenHint: `set ${FLAGS_TOKEN_VARIABLE}`,
        timeoutMs: requestTimeout,
        cluster: async () =>
          ClusterClient.fromKubeconfig({ kubeconfig: values.kubeconfig, context: values.context, cwd: io.cwd, env: io.env, requestTimeoutMs: requestTimeout }),
      });
      if (phase === 'switch') gateCheck = rampGateCheck(io, values, requestTimeout);
    } catch (error) {
      if (!(error instanceof ConfigError || error instanceof ClusterError)) throw error;
      io.stderr.write(`rollout-guard: ${error.message}\n`);
      return 2;
    }
  }

  try {
    if (sub === 'status') return await status(plan, databaseUrl, format, io);
    return await run(plan, databaseUrl, phase, numbers, format, io, { contractGuard, flags, gateCheck });
  } catch (error) {
    if (error instanceof ConnectionError || error instanceof DatabaseUrlError) {
      io.stderr.write(`rollout-guard: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

const usage = (io: CliIo, message: string): number => usageError(io, MIGRATE, message);

/**
 * The gates the switch phase asks between the flag's steps: those of the canary version named by
 * --canary (the code that reads the flag), when a Prometheus URL is configured. Throws ConfigError,
 * ClusterError.
 */
function rampGateCheck(
  io: CliIo,
  values: { config?: string; 'prometheus-url'?: string; canary?: string[]; kubeconfig?: string; context?: string },
  requestTimeoutMs: number | undefined,
): (() => Promise<GateCheckResult>) | undefined {
  const url = values['prometheus-url'] ?? io.env.ROLLOUT_GUARD_PROMETHEUS_URL;
  const settings = loadGateSettings({
    cwd: io.cwd,
    configFile: values.config,
    overrides: url ? { prometheusUrl: url } : undefined,
    overridesSource: 'command line',
  });
  const [ref, ...more] = values.canary ?? [];
  if (!settings.prometheusUrl || !ref) {
    io.stderr.write(
      `rollout-guard: the switch phase checks no gates between the flag's steps: ${settings.prometheusUrl ? 'give --canary <ns/vs>, the canary version that reads the flag' : 'no Prometheus URL (--prometheus-url or prometheus.url)'}\n`,
    );
    return undefined;
  }
  if (more.length) throw new ConfigError('the switch phase measures one canary: give --canary once');
  const client = ClusterClient.fromKubeconfig({ kubeconfig: values.kubeconfig, context: values.context, cwd: io.cwd, env: io.env, requestTimeoutMs });
  return canaryGateCheck(client, ref, settings);
}

/**
 * The database: --database-url, the environment, or database.url of the configuration file
 * (which matters only when the URL would come from it); or the exit status after a usage error.
 */
function databaseUrlFor(io: CliIo, configFile: string | undefined, flag: string | undefined): string | number {
  let configUrl: { url: string; file: string } | undefined;
  if (configFile !== undefined && !fs.existsSync(path.resolve(io.cwd, configFile))) return usage(io, `--config ${configFile}: no such file`);
  try {
    const config = loadConfig(io.cwd, configFile);
    const url = config && databaseUrlFromConfig(config);
    if (url) configUrl = { url, file: config.source };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (!flag && !io.env.ROLLOUT_GUARD_DATABASE_URL && !io.env.DATABASE_URL) return usage(io, error.message);
  }
  const resolved = resolveDatabaseUrl({ flag, env: io.env, config: configUrl });
  if (!resolved)
    return usage(io, 'no database: give --database-url postgres://user@host:port/database, set DATABASE_URL, or add database.url to .rollout-guard.yaml');
  if (resolved.source === 'config' && passwordIn(resolved.url)) {
    io.stderr.write(`rollout-guard: warning: ${resolved.origin} contains a password; files get committed: set PGPASSWORD instead\n`);
  }
  return resolved.url;
}

function wholeNumber(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min)
    throw new Error(`--${name} must be a whole number${min > 0 ? ` ≥ ${min}` : ''}, got "${text}"`);
  return n;
}

async function status(plan: MigrationPlan, databaseUrl: string, format: 'text' | 'json', io: CliIo): Promise<number> {
  const result = await planStatus(plan, databaseUrl);
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${statusLines(result, path.relative(io.cwd, result.source) || '.').join('\n')}\n`);
  return 0;
}

async function run(
  plan: MigrationPlan,
  databaseUrl: string,
  phase: (typeof PHASES)[number],
  numbers: Record<string, number | undefined>,
  format: 'text' | 'json',
  io: CliIo,
  checks: Pick<RunPhaseOptions, 'contractGuard' | 'flags' | 'gateCheck'>,
): Promise<number> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals === 1) {
      io.stderr.write('\nrollout-guard: cancelling after the current batch or statement (again to stop at once)…\n');
      controller.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = !!(io.stderr as { isTTY?: boolean }).isTTY;
  let lastPrinted = 0;
  const progress = (p: BackfillProgress): void => {
    const now = Date.now();
    if (now - lastPrinted < (tty ? 200 : 2000)) return;
    lastPrinted = now;
    const total = Math.max(p.rowsTotal, p.rowsDone);
    const percent = total > 0 ? Math.floor((p.rowsDone / total) * 100) : 100;
    const eta = p.etaSeconds === undefined ? '' : `, ETA ${formatDuration(p.etaSeconds)}`;
    const line = `backfill ${p.table}: ${formatCount(p.rowsDone)} / ${formatCount(total)} rows (${percent} %), ${formatCount(Math.round(p.rowsPerSecond))} rows/s${eta}, batch ${formatCount(p.batchSize)}`;
    io.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  };
  const event = (e: RunEvent): void => {
    const flagLine = flagEventLine(e);
    if (flagLine) io.stderr.write(`${flagLine}\n`);
    else if (e.type === 'lock-retry') {
      io.stderr.write(`${tty ? '\r\x1b[K' : ''}${phase} line ${e.line}: ${e.message}; attempt ${e.attempt + 1} of ${e.attempts} in ${e.delayMs} ms\n`);
    } else if (e.type === 'pass') {
      io.stderr.write(`${tty ? '\r\x1b[K' : ''}backfill ${e.table}: ${formatCount(e.rowsLeft)} rows were written behind the cursor; pass ${e.pass}\n`);
    }
  };
  try {
    const result = await runPhase(plan, {
      databaseUrl,
      phase,
      ...checks,
      signal: controller.signal,
      onProgress: progress,
      onEvent: event,
      ddl: { lockTimeoutMs: numbers['lock-timeout'], statementTimeoutMs: numbers['statement-timeout'], attempts: numbers['lock-retries'] },
      backfill: {
        batchSize: numbers['batch-size'],
        maxRowsPerSecond: numbers['max-rows-per-second'],
        pauseMs: numbers.pause,
        targetBatchMs: numbers['target-batch-ms'],
        maxBatchMs: numbers['max-batch-ms'],
      },
    });
    if (tty && lastPrinted > 0) io.stderr.write('\n');
    const ok = result.outcome === 'applied' || result.outcome === 'already-applied';
    if (format === 'json') io.stdout.write(`${JSON.stringify(result)}\n`);
    else if (ok) io.stdout.write(`${result.message} (${formatDuration(result.durationMs / 1000)})\n`);
    else io.stderr.write(`rollout-guard: ${result.message}\n`);
    return ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
