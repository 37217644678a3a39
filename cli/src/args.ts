/**
 * What every command shares: `<sub>` selection, option parsing with --help and --format, and
 * usage errors (exit 2, the message and the command's usage on stderr).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIo } from './io';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** A command's name as printed before its errors (`rollout-guard migrate`) and its usage text. */
export interface Command {
  name: string;
  usage: string;
}

const COMMON_OPTIONS = {
  format: { type: 'string', default: 'text' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Parsed<T extends OptionSpecs> = ReturnType<typeof parseArgs<{ args: string[]; options: T & typeof COMMON_OPTIONS; allowPositionals: true }>>;

/** Writes `name: message` and the usage to stderr; returns exit status 2. */
export function usageError(io: CliIo, command: Command, message: string): number {
  io.stderr.write(`${command.name}: ${message}\n\n${command.usage}`);
  return 2;
}

/**
 * The subcommand and the arguments after it; or the exit status when there is nothing more to do:
 * usage on stdout for `help`/`--help` (0), on stderr when no subcommand is given or it is unknown (2).
 */
export function subcommand<S extends string>(args: string[], io: CliIo, command: Command, known: readonly S[]): { sub: S; rest: string[] } | number {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub ? io.stdout : io.stderr).write(command.usage);
    return sub ? 0 : 2;
  }
  if (!(known as readonly string[]).includes(sub)) return usageError(io, command, `unknown ${command.name.replace(/^rollout-guard /, '')} command "${sub}"`);
  return { sub: sub as S, rest };
}

/**
 * `options` plus --format (one of `formats`, default text) and --help; or the exit status: 0 after
 * printing the usage for --help, 2 after a usage error.
 */
export function parseOptions<T extends OptionSpecs, F extends string>(
  args: string[],
  io: CliIo,
  command: Command,
  options: T,
  formats: readonly F[],
): { values: Parsed<T>['values']; positionals: string[]; format: F } | number {
  let parsed: Parsed<T>;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { ...options, ...COMMON_OPTIONS } }) as Parsed<T>;
  } catch (error) {
    return usageError(io, command, error instanceof Error ? error.message : String(error));
  }
  const common = parsed.values as { help?: boolean; format?: string };
  if (common.help) {
    io.stdout.write(command.usage);
    return 0;
  }
  const format = String(common.format);
  if (!(formats as readonly string[]).includes(format))
    return usageError(io, command, `--format must be ${formats.slice(0, -1).join(', ')} or ${formats.at(-1)}, got "${format}"`);
  return { values: parsed.values, positionals: parsed.positionals, format: format as F };
}
