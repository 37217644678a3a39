/**
 * `rollout-guard flag list|status|on|off|set`: feature flags in the flag service configured under
 * `flags:` in .rollout-guard.yaml (Unleash, LaunchDarkly, a flagd file), for pipelines. The token comes from
 * ROLLOUT_GUARD_FLAGS_TOKEN and is never printed.
 * Exit 0: done; 1: the service cannot make the change as asked (nothing written); 2: usage,
 * configuration, connection or token error, or no such flag or environment.
 */
import path from 'node:path';
import {
  flagProvider,
  FlagServiceError,
  FLAGS_TOKEN_VARIABLE as TOKEN_VARIABLE,
  loadFlagSettings,
  needsToken,
  type FlagSettings,
  type FlagStatus,
} from '../../operations/flags';
import { ClusterClient } from '../../operations/cluster';
import { ConfigError } from '../../server/src/engine/config';
import type { CliIo } from './io';
import { parseOptions, subcommand, usageError, type Command } from './args';
import { requestTimeoutOf } from './request-timeout';

export const FLAG_USAGE = `Usage:
  rollout-guard flag list [options]
  rollout-guard flag status <key> [options]
  rollout-guard flag on <key> [options]
  rollout-guard flag off <key> [options]
  rollout-guard flag set <key> --percent <n> [options]

Feature flags in the flag service of the flags: section of .rollout-guard.yaml (Unleash,
LaunchDarkly or a flagd file), in one environment: on or off, rollout percentage (the share of
users served when on: Unleash's flexibleRollout strategy, LaunchDarkly's default rule, flagd's
fractional targeting), stale mark. \`on\` and \`off\` keep the percentage; \`set\` keeps on or
off. The token is read from ROLLOUT_GUARD_FLAGS_TOKEN (an Unleash admin API token, a
LaunchDarkly access token; flagd needs none).

Options:
  --environment <name>    Environment (default: flags.environment)
  --percent <n>           set: the rollout percentage, a whole number from 0 to 100
  --request-timeout <d>   Give up on a request to the flag service after this long (default 30s)
  --config <file>         Configuration file (default: .rollout-guard.yaml, searched upward)
  --format <f>            text (default) or json; flag status --format json prints
                          {"key", "environment", "enabled", "percent", "stale"}

Exit status: 0 done, 1 refused (the flag cannot be changed as asked; nothing was written),
2 usage, configuration, connection or token error, or no such flag or environment.
`;

const FLAG: Command = { name: 'rollout-guard flag', usage: FLAG_USAGE };

const FLAG_OPTIONS = {
  environment: { type: 'string' },
  percent: { type: 'string' },
  'request-timeout': { type: 'string' },
  config: { type: 'string' },
} as const;

export async function flag(args: string[], io: CliIo): Promise<number> {
  const chosen = subcommand(args, io, FLAG, ['list', 'status', 'on', 'off', 'set']);
  if (typeof chosen === 'number') return chosen;
  const { sub } = chosen;
  const parsed = parseOptions(chosen.rest, io, FLAG, FLAG_OPTIONS, ['text', 'json']);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals, format } = parsed;
  const usage = (message: string): number => usageError(io, FLAG, message);

  if (sub === 'list' ? positionals.length !== 0 : positionals.length !== 1)
    return usage(
      sub === 'list' ? 'flag list takes no flag key' : positionals.length ? `give exactly one flag key` : `which flag? give its key: flag ${sub} <key>`,
    );
  let percent: number | undefined;
  if (sub === 'set') {
    if (values.percent === undefined) return usage('flag set needs --percent <n>');
    if (!/^\d+$/.test(values.percent) || Number(values.percent) > 100) return usage(`--percent must be a whole number from 0 to 100, got "${values.percent}"`);
    percent = Number(values.percent);
  } else if (values.percent !== undefined) return usage('--percent goes with flag set');
  const requestTimeout = requestTimeoutOf(values['request-timeout']);
  if (typeof requestTimeout === 'object') return usage(requestTimeout.error);

  let settings: FlagSettings;
  try {
    settings = loadFlagSettings({ cwd: io.cwd, configFile: values.config });
  } catch (error) {
    if (error instanceof ConfigError) return fail(io, error.message, 2);
    throw error;
  }
  const environment = values.environment ?? settings.environment;
  if (!environment) return usage('which environment? give --environment <name> (or set flags.environment in .rollout-guard.yaml)');
  const token = io.env[TOKEN_VARIABLE];
  if (!token && needsToken(settings))
    return fail(
      io,
      `no token for the flag service: set ${TOKEN_VARIABLE} to ${settings.provider === 'launchdarkly' ? 'a LaunchDarkly access token' : 'an Unleash admin API token'}`,
      2,
    );
  const where = 'project' in settings ? `project ${settings.project}` : settings.file ? path.basename(settings.file) : `FeatureFlag ${settings.featureFlag}`;

  try {
    const provider = flagProvider(settings, token, {
      timeoutMs: requestTimeout,
      cluster: async () => ClusterClient.fromKubeconfig({ env: io.env, cwd: io.cwd, requestTimeoutMs: requestTimeout }),
    });
    const key = positionals[0]!;
    switch (sub) {
      case 'list': {
        const flags = (await provider.list()).sort((a, b) => a.key.localeCompare(b.key));
        const rows = flags.map((f): FlagStatus => {
          const state = f.environments.find((e) => e.environment === environment);
          if (!state)
            throw new FlagServiceError(
              'not-found',
              `the flag service at ${provider.displayUrl} has no environment "${environment}" in ${where} (its environments: ${f.environments.map((e) => e.environment).join(', ')})`,
            );
          return { key: f.key, environment, enabled: state.enabled, percent: state.percent, stale: f.stale };
        });
        if (format === 'json') io.stdout.write(`${JSON.stringify({ environment, flags: rows })}\n`);
        else io.stdout.write(formatList(rows, `${flags.length} flag${flags.length === 1 ? '' : 's'} in ${where}, ${environment} (${provider.displayUrl})`));
        return 0;
      }
      case 'status':
        return print(io, format, await provider.status(key, environment));
      case 'on':
      case 'off': {
        const before = await provider.status(key, environment);
        return print(io, format, await provider.setEnabled(key, environment, sub === 'on'), before);
      }
      case 'set': {
        const before = await provider.status(key, environment);
        return print(io, format, await provider.setPercent(key, environment, percent!), before);
      }
    }
  } catch (error) {
    if (!(error instanceof FlagServiceError)) throw error;
    const hint = error.kind === 'unauthorized' ? `; check ${TOKEN_VARIABLE}` : '';
    return fail(io, `${error.message}${hint}`, error.isRefusal ? 1 : 2);
  }
}

/** One flag's state: the JSON of `flag status`, or a line (with what it was, after a change). */
function print(io: CliIo, format: 'text' | 'json', status: FlagStatus, before?: FlagStatus): number {
  if (format === 'json') {
    const { key, environment, enabled, percent, stale } = status;
    io.stdout.write(`${JSON.stringify({ key, environment, enabled, percent, stale })}\n`);
  } else {
    const was = before ? ` (was ${describe(before)})` : '';
    io.stdout.write(`${status.key} in ${status.environment}: ${describe(status)}${was}${status.stale ? ', marked stale' : ''}\n`);
  }
  return 0;
}

function describe(status: FlagStatus): string {
  return `${status.enabled ? 'on' : 'off'}, ${status.percent} %`;
}

/** FLAG, STATE, PERCENT, STALE: one row per flag. */
export function formatList(rows: FlagStatus[], heading: string): string {
  const table = [['FLAG', 'STATE', 'PERCENT', 'STALE'], ...rows.map((r) => [r.key, r.enabled ? 'on' : 'off', `${r.percent} %`, r.stale ? 'stale' : ''])];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  const lines = [
    heading,
    '',
    ...table.map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function fail(io: CliIo, message: string, code: 1 | 2): number {
  io.stderr.write(`rollout-guard: ${message}\n`);
  return code;
}
