/**
 * A flagd flag-definition file (https://flagd.dev/reference/flag-definitions/, the format the
 * OpenFeature Operator's FeatureFlag resource also carries) as a FlagProvider: changes are edits of
 * the file, to be reviewed and committed like code. One file is one environment: the one
 * `flags.environment` names.
 *
 * On and off is the flag's `state` (ENABLED, DISABLED). The percent is the share of the variant
 * that is not the off variant (for a boolean flag: the `true` one) — from a top-level `fractional`
 * targeting, else 100 or 0 by `defaultVariant`. Setting it writes `fractional` targeting (keeping
 * its bucketing expression), or at 0 and 100 the `defaultVariant` with no targeting.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FlagServiceError, type Flag, type FlagProvider, type FlagStatus } from './provider';

interface FlagdFlag {
  state?: string;
  variants?: Record<string, unknown>;
  defaultVariant?: string;
  targeting?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

interface FlagdFile {
  flags?: Record<string, FlagdFlag>;
  [key: string]: unknown;
}

export interface FlagdOptions {
  /** The flag-definition file. */
  file: string;
  /** The environment the file is. */
  environment: string;
}

export class FlagdProvider implements FlagProvider {
  readonly displayUrl: string;

  constructor(private readonly options: FlagdOptions) {
    this.displayUrl = options.file;
  }

  async list(): Promise<Flag[]> {
    const flags = this.read().flags!;
    return Object.entries(flags).map(([key, flag]) => ({
      key,
      stale: isStale(flag),
      environments: [{ environment: this.options.environment, enabled: flag.state === 'ENABLED', percent: percentOf(key, flag) }],
    }));
  }

  async status(key: string, environment: string): Promise<FlagStatus> {
    const flag = this.flag(this.read(), key, environment);
    return { key, environment, enabled: flag.state === 'ENABLED', percent: percentOf(key, flag), stale: isStale(flag) };
  }

  async setEnabled(key: string, environment: string, enabled: boolean): Promise<FlagStatus> {
    const file = this.read();
    this.flag(file, key, environment).state = enabled ? 'ENABLED' : 'DISABLED';
    this.write(file);
    return this.status(key, environment);
  }

  async setPercent(key: string, environment: string, percent: number): Promise<FlagStatus> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100)
      throw new FlagServiceError('refused', `a rollout percentage is a whole number from 0 to 100, got ${percent}`);
    const file = this.read();
    const flag = this.flag(file, key, environment);
    const { on, off } = onAndOff(key, flag);
    const fractional = flag.targeting?.fractional;
    if (flag.targeting && (Object.keys(flag.targeting).length !== 1 || !Array.isArray(fractional)))
      throw new FlagServiceError('refused', `flag "${key}" in ${this.displayUrl} has targeting other than one fractional split: edit its percentage by hand`);
    if (percent === 0 || percent === 100) {
      flag.defaultVariant = percent === 100 ? on : off;
      delete flag.targeting;
    } else {
      // A bucketing expression (the first element when it is no [variant, weight] pair) stays.
      const bucketBy = Array.isArray(fractional) && fractional.length > 0 && !Array.isArray(fractional[0]) ? [fractional[0]] : [];
      flag.targeting = { fractional: [...bucketBy, [on, percent], [off, 100 - percent]] };
    }
    this.write(file);
    return this.status(key, environment);
  }

  private read(): FlagdFile {
    let text: string;
    try {
      text = fs.readFileSync(this.options.file, 'utf8');
    } catch (error) {
      throw new FlagServiceError(
        'unreachable',
        `the flag file ${this.displayUrl} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    let file: FlagdFile;
    try {
      file = JSON.parse(text) as FlagdFile;
    } catch (error) {
      throw new FlagServiceError('server', `the flag file ${this.displayUrl} is not JSON (${(error as Error).message})`);
    }
    if (!file || typeof file !== 'object' || !file.flags || typeof file.flags !== 'object')
      throw new FlagServiceError('server', `the flag file ${this.displayUrl} is not a flagd flag definition: it has no "flags" object`);
    return file;
  }

  /** Written whole and renamed into place, so a reader never sees half a file. */
  private write(file: FlagdFile): void {
    const temporary = path.join(path.dirname(this.options.file), `.${path.basename(this.options.file)}.${process.pid}.tmp`);
    fs.writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`);
    fs.renameSync(temporary, this.options.file);
  }

  private flag(file: FlagdFile, key: string, environment: string): FlagdFlag {
    if (environment !== this.options.environment)
      throw new FlagServiceError('not-found', `the flag file ${this.displayUrl} is environment "${this.options.environment}", not "${environment}"`);
    const flag = file.flags![key];
    if (!flag || typeof flag !== 'object') throw new FlagServiceError('not-found', `the flag file ${this.displayUrl} has no flag "${key}"`);
    return flag;
  }
}

/** flagd has no stale mark of its own: `metadata.deprecated: true` stands for it. */
function isStale(flag: FlagdFlag): boolean {
  return flag.metadata?.deprecated === true;
}

/** The off variant (for a boolean flag the `false` one, else `off`) and the other one. */
function onAndOff(key: string, flag: FlagdFlag): { on: string; off: string } {
  const names = Object.keys(flag.variants ?? {});
  const off = names.find((n) => flag.variants![n] === false) ?? names.find((n) => n === 'off');
  if (names.length !== 2 || off === undefined)
    throw new FlagServiceError(
      'refused',
      `flag "${key}" has variants ${names.join(', ') || 'none'}: a percentage splits a flag of two variants, one of them false (or named off)`,
    );
  return { on: names.find((n) => n !== off)!, off };
}

/** The share of the variant that is not the off one, 0–100. */
export function percentOf(key: string, flag: FlagdFlag): number {
  let on: string;
  try {
    on = onAndOff(key, flag).on;
  } catch {
    return flag.defaultVariant !== undefined && flag.variants?.[flag.defaultVariant] === true ? 100 : 0;
  }
  const fractional = flag.targeting?.fractional;
  if (Array.isArray(fractional)) {
    const pairs = fractional.filter((p): p is [string, number] => Array.isArray(p) && typeof p[0] === 'string');
    // flagd's weights are relative; a pair without a weight counts 1.
    const weight = (p: [string, number]): number => (typeof p[1] === 'number' ? p[1] : 1);
    const total = pairs.reduce((sum, p) => sum + weight(p), 0);
    return total > 0 ? Math.floor((pairs.filter((p) => p[0] === on).reduce((sum, p) => sum + weight(p), 0) / total) * 100) : 0;
  }
  return flag.defaultVariant === on ? 100 : 0;
}
