/**
 * A flagd flag definition (https://flagd.dev/reference/flag-definitions/) as a FlagProvider, kept
 * in a file (JSON or YAML, flagd reads both: changes are edits of the file, reviewed and committed
 * like code) or in the OpenFeature Operator's FeatureFlag resource (`spec.flagSpec`, the same format;
 * see feature-flag.ts). One definition is one environment: the one `flags.environment` names.
 *
 * On and off is the flag's `state` (ENABLED, DISABLED). The percent is the share of the variant
 * that is not the off variant (for a boolean flag: the `true` one) — from a top-level `fractional`
 * targeting, else 100 or 0 by `defaultVariant`. Setting it writes `fractional` targeting (keeping
 * its bucketing expression), or at 0 and 100 the `defaultVariant` with no targeting. Edits touch
 * only those keys: the rest of the document, and its layout as far as its format allows, stays.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isScalar, isSeq, parseDocument, visit } from 'yaml';
import { evaluateFlagd, fractionalBuckets } from './flagd-evaluation';
import type { FlagDefinition } from '../../server/src/engine/flags/snapshot';
import { FlagServiceError, type Flag, type FlagProvider, type FlagStatus } from './provider';

export interface FlagdFlag {
  state?: string;
  variants?: Record<string, unknown>;
  defaultVariant?: string | null;
  targeting?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** A flag definition's content: `flags` and whatever else flagd reads beside it (`$evaluators`, `metadata`). */
export interface FlagdDocument {
  flags: Record<string, FlagdFlag>;
  [key: string]: unknown;
}

/** One change to a flag definition: a path under `flags` and its new value, or none to remove it. */
export interface FlagdEdit {
  path: [key: string, field: string];
  value?: unknown;
}

/** Where a flag definition lives. */
export interface FlagdSource {
  /** How messages name it: "the flag file …", "the FeatureFlag ns/name in https://…". */
  readonly name: string;
  /** The service as FlagProvider.displayUrl shows it. */
  readonly displayUrl: string;
  read(): Promise<FlagdDocument>;
  /**
   * Applies the edits to the definition as `read` last returned it. Returns false, writing nothing,
   * when it changed since (read again and recompute); throws FlagServiceError for anything else.
   */
  write(edits: FlagdEdit[], from: FlagdDocument): Promise<boolean>;
}

export interface FlagdOptions {
  /** The flag-definition file (JSON, or YAML by its .yaml/.yml extension). */
  file: string;
  /** The environment the file is. */
  environment: string;
}

/** A change lost to other writers this many times in a row is given up. */
const WRITE_ATTEMPTS = 3;

export class FlagdProvider implements FlagProvider {
  readonly displayUrl: string;
  private readonly source: FlagdSource;
  private readonly environment: string;
  private reading?: Promise<FlagdDocument>;

  constructor(options: FlagdOptions | { source: FlagdSource; environment: string }) {
    this.source = 'source' in options ? options.source : new FlagdFile(options.file);
    this.environment = options.environment;
    this.displayUrl = this.source.displayUrl;
  }

  async list(): Promise<Flag[]> {
    const flags = (await this.read()).flags;
    return Object.entries(flags).map(([key, flag]) => ({
      key,
      stale: isStale(flag),
      environments: [{ environment: this.environment, enabled: flag.state === 'ENABLED', percent: percentOf(key, flag) }],
    }));
  }

  async status(key: string, environment: string): Promise<FlagStatus> {
    const flag = this.flag(await this.read(), key, environment);
    return { key, environment, enabled: flag.state === 'ENABLED', percent: percentOf(key, flag), stale: isStale(flag) };
  }

  async definitionDetails(): Promise<Map<string, Pick<FlagDefinition, 'evaluation'>>> {
    const evaluations = await evaluateFlagd(await this.read());
    return new Map([...evaluations].map(([key, evaluation]) => [key, { evaluation }]));
  }

  async setEnabled(key: string, environment: string, enabled: boolean): Promise<FlagStatus> {
    return this.change(key, environment, () => [{ path: [key, 'state'], value: enabled ? 'ENABLED' : 'DISABLED' }]);
  }

  async setPercent(key: string, environment: string, percent: number): Promise<FlagStatus> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100)
      throw new FlagServiceError('refused', `a rollout percentage is a whole number from 0 to 100, got ${percent}`);
    return this.change(key, environment, (flag) => {
      const { on, off } = onAndOff(key, flag);
      const targeting = flag.targeting ?? {};
      const fractional = targeting.fractional;
      if (Object.keys(targeting).length > 0 && (Object.keys(targeting).length !== 1 || !Array.isArray(fractional)))
        throw new FlagServiceError(
          'refused',
          `flag "${key}" in ${this.source.name} has targeting other than one fractional split: edit its percentage by hand`,
        );
      if (percent === 0 || percent === 100)
        return [{ path: [key, 'defaultVariant'], value: percent === 100 ? on : off }, ...(flag.targeting ? [{ path: [key, 'targeting'] } as FlagdEdit] : [])];
      // A bucketing expression (the first element when it is no [variant, weight] pair) stays.
      const bucketBy = Array.isArray(fractional) && fractional.length > 0 && !Array.isArray(fractional[0]) ? [fractional[0]] : [];
      return [{ path: [key, 'targeting'], value: { fractional: [...bucketBy, [on, percent], [off, 100 - percent]] } }];
    });
  }

  /** Reads, computes the edits from what was read and writes them; again when another writer came first. */
  private async change(key: string, environment: string, edits: (flag: FlagdFlag) => FlagdEdit[]): Promise<FlagStatus> {
    for (let attempt = 1; ; attempt++) {
      const document = await this.read();
      if (await this.source.write(edits(this.flag(document, key, environment)), document)) return this.status(key, environment);
      if (attempt === WRITE_ATTEMPTS)
        throw new FlagServiceError(
          'server',
          `${this.source.name} kept changing while flag "${key}" was written (${WRITE_ATTEMPTS} attempts): nothing was written`,
        );
    }
  }

  /** One read for the calls made together (a snapshot's list and evaluation): one GET of a FeatureFlag. */
  private read(): Promise<FlagdDocument> {
    return (this.reading ??= this.source.read().finally(() => (this.reading = undefined)));
  }

  private flag(document: FlagdDocument, key: string, environment: string): FlagdFlag {
    if (environment !== this.environment)
      throw new FlagServiceError('not-found', `${this.source.name} is environment "${this.environment}", not "${environment}"`);
    const flag = document.flags[key];
    if (!flag || typeof flag !== 'object') throw new FlagServiceError('not-found', `${this.source.name} has no flag "${key}"`);
    return flag;
  }
}

/** A flag-definition file: JSON (written back with its own indentation) or YAML (edited in place, comments kept). */
export class FlagdFile implements FlagdSource {
  readonly name: string;
  private readonly yaml: boolean;
  private text = '';

  constructor(private readonly file: string) {
    this.name = `the flag file ${file}`;
    this.yaml = /\.ya?ml$/i.test(file);
  }

  get displayUrl(): string {
    return this.file;
  }

  async read(): Promise<FlagdDocument> {
    try {
      this.text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      throw new FlagServiceError('unreachable', `${this.name} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    let document: unknown;
    try {
      if (this.yaml) {
        const parsed = parseDocument(this.text);
        if (parsed.errors.length > 0) throw parsed.errors[0]!;
        document = parsed.toJS();
      } else document = JSON.parse(this.text);
    } catch (error) {
      throw new FlagServiceError('server', `${this.name} is not ${this.yaml ? 'YAML' : 'JSON'} (${(error as Error).message})`);
    }
    return checkedDocument(document, this.name);
  }

  /** Written whole and renamed into place, so a reader never sees half a file. */
  async write(edits: FlagdEdit[], from: FlagdDocument): Promise<boolean> {
    let text: string;
    if (this.yaml) {
      const document = parseDocument(this.text);
      for (const edit of edits) {
        if (edit.value === undefined) {
          document.deleteIn(['flags', ...edit.path]);
          continue;
        }
        const existing = document.getIn(['flags', ...edit.path], true);
        if (isScalar(existing) && typeof edit.value !== 'object') {
          existing.value = edit.value; // its comment and quoting stay
          continue;
        }
        const node = document.createNode(edit.value);
        // [variant, weight] pairs on one line each, as flagd's documentation writes them.
        visit(node, { Seq: (_, seq) => void (seq.flow = isSeq(seq) && seq.items.every((item) => isScalar(item))) });
        document.setIn(['flags', ...edit.path], node);
      }
      text = document.toString();
    } else {
      const document = structuredClone(from);
      for (const {
        path: [key, field],
        value,
      } of edits) {
        if (value === undefined) delete (document.flags[key] as Record<string, unknown>)[field];
        else (document.flags[key] as Record<string, unknown>)[field] = value;
      }
      text = `${JSON.stringify(document, null, indentationOf(this.text))}${this.text.endsWith('\n') ? '\n' : ''}`;
    }
    const temporary = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.tmp`);
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, this.file);
    return true;
  }
}

/** The indentation of a JSON text's first indented line (two spaces when it has none). */
function indentationOf(text: string): string {
  return /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
}

/** The document if it is a flag definition (a `flags` object), else the error saying so. */
export function checkedDocument(document: unknown, name: string): FlagdDocument {
  const flags = (document as { flags?: unknown } | null)?.flags;
  if (!document || typeof document !== 'object' || !flags || typeof flags !== 'object' || Array.isArray(flags))
    throw new FlagServiceError('server', `${name} is not a flagd flag definition: it has no "flags" object`);
  return document as FlagdDocument;
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
    return typeof flag.defaultVariant === 'string' && flag.variants?.[flag.defaultVariant] === true ? 100 : 0;
  }
  const buckets = fractionalBuckets(flag.targeting);
  if (buckets) {
    const total = buckets.reduce((sum, b) => sum + b.weight, 0);
    // Integer arithmetic: (29 / 100) * 100 is 28.999….
    return total > 0 ? Math.floor((buckets.filter((b) => b.variant === on).reduce((sum, b) => sum + b.weight, 0) * 100) / total) : 0;
  }
  return flag.defaultVariant === on ? 100 : 0;
}
