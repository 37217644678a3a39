/**
 * .rollout-guard.yaml: its one schema and one error type. Every reader (the CLI's commands, the
 * language server, the extension's views) gets the file through parseConfig (on disk:
 * server/src/workspace/config-file.ts), so a malformed section is the same ConfigError, with its
 * file and line, everywhere. The shape of every section is checked here; what a value means (a
 * PromQL query, a database URL, canary steps) is checked by the feature that uses it, which
 * reports through ConfigFile.errorAt so its errors carry the line too.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { globMatcher, GlobError } from './glob';
import { allRuleIds, canonicalRuleId } from './registry';
import type { WorkloadMapping } from './env/types';
import { LineIndex } from './text';
import { defaultSettings, type EngineSettings, type SeveritySetting, type SqlDialect } from './types';

export const CONFIG_FILE_NAME = '.rollout-guard.yaml';

/** Where a setting sits: keys of mappings and indexes of lists, e.g. ['gates', 'queries', 0, 'query']. */
export type ConfigPath = (string | number)[];

/** Marks a ConfigError of any copy of this module: the CLI's command bundles each hold one. */
const CONFIG_ERROR = Symbol.for('rollout-guard.ConfigError');

/** A configuration problem: in a file (with its line and offsets), in editor settings or on the command line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  private readonly [CONFIG_ERROR] = true;

  /**
   * `instanceof ConfigError` holds for one thrown by another bundle's copy of this class too: the
   * CLI's check (dist/cli.js) catches what the flag and cluster code (dist/cli-operations.js) throws.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && CONFIG_ERROR in value;
  }
  /** The file's name as messages show it, or the settings' source ("command line", "rolloutGuard settings"). */
  readonly source?: string;
  /** 1-based line in the file. */
  readonly line?: number;
  /** Offsets in the file's text of the offending key or value, for an editor's range. */
  readonly start?: number;
  readonly end?: number;

  constructor(
    /** The problem without its place. */
    readonly detail: string,
    place?: { source: string; line?: number; start?: number; end?: number },
  ) {
    super(place ? `${place.source}${place.line ? `:${place.line}` : ''}: ${detail}` : detail);
    this.source = place?.source;
    this.line = place?.line;
    this.start = place?.start;
    this.end = place?.end;
  }
}

/** Settings a config file or the editor provides; every field optional. */
export interface PartialSettings {
  pgVersion?: number;
  assumeInTransaction?: EngineSettings['assumeInTransaction'];
  rules?: Record<string, SeveritySetting>;
  schemaValidation?: EngineSettings['schemaValidation'];
  dialect?: SqlDialect;
  dialects?: EngineSettings['dialects'];
  mysqlVersion?: string;
  kubernetesVersion?: string;
}

/** The sections the operations read, shape-checked; an empty value (`gates:`) is no value. */
export interface ConfigSections {
  gates?: {
    preset?: string;
    queries?: { name?: string; query?: string; failAbove?: number | string; unit?: string; description?: string }[];
    interval?: string;
    evaluateEvery?: string;
    consecutiveFailures?: number;
    autoRollback?: boolean;
  };
  /** `prometheus: URL` is read as `prometheus: { url: URL }`. */
  prometheus?: { url?: string; timeout?: string };
  canary?: { steps?: number[] };
  database?: { url?: string };
  flags?: { provider?: string; url?: string; file?: string; featureFlag?: string; environment?: string; project?: string; staleAfterDays?: number };
  /** The workloads that run the application code of source folders (missing-env); `source` is always a list here. */
  workloads?: WorkloadMapping[];
  /**
   * Relative to the configuration file's folder: `units`, folders each deployed as one unit (instead
   * of those Argo CD and Flux objects name); `exclude`, globs of YAML files neither checked nor indexed;
   * `charts`, how a chart folder is released: values files (after its own values.yaml), release name, namespace.
   */
  manifests?: { units?: string[]; exclude?: string[]; charts?: { path: string; values?: string[]; release?: string; namespace?: string }[] };
}

/** Workload kinds a `workloads:` entry may name: those whose pods run the code. */
export const WORKLOAD_MAPPING_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'Job', 'CronJob'];

/** A parsed and checked .rollout-guard.yaml. */
export interface ConfigFile {
  /** The file's name as messages show it. */
  source: string;
  /** The lint settings. */
  settings: PartialSettings;
  sections: ConfigSections;
  /** A ConfigError at `path` in this file (the key of a mapping entry, the item of a list): for the features' own checks of values. */
  errorAt(path: ConfigPath, detail: string): ConfigError;
}

type Fail = (path: ConfigPath, detail: string) => ConfigError;

/** The shape of a section: the schema the language server, the CLI and the extension share. */
type Shape =
  | { type: 'string' | 'number' | 'boolean' }
  /** A string from a fixed list. */
  | { type: 'enum'; values: readonly string[] }
  | { type: 'list'; of: Shape }
  | { type: 'mapping'; keys: Record<string, Shape>; example?: string; required?: string[] }
  /** A scalar or a mapping, e.g. `prometheus: URL` or `prometheus: { url, timeout }`. */
  | { type: 'either'; of: Shape[]; expected: string }
  /** Accepted as written: sections reserved for features that read none of it yet. */
  | { type: 'any' };

const string: Shape = { type: 'string' };
const number: Shape = { type: 'number' };
const boolean: Shape = { type: 'boolean' };
const mapping = (keys: Record<string, Shape>, example?: string, required?: string[]): Shape => ({ type: 'mapping', keys, example, required });

const SECTIONS: Record<string, Shape> = {
  gates: mapping({
    preset: string,
    queries: {
      type: 'list',
      of: mapping({
        name: string,
        query: string,
        failAbove: { type: 'either', of: [number, string], expected: 'a number or a string such as 500ms or 1%' },
        unit: string,
        description: string,
      }),
    },
    interval: string,
    evaluateEvery: string,
    consecutiveFailures: number,
    autoRollback: boolean,
  }),
  prometheus: { type: 'either', of: [string, mapping({ url: string, timeout: string })], expected: 'a URL or a mapping with url and timeout' },
  canary: mapping({ steps: { type: 'list', of: number } }, 'canary: { steps: [5, 10, 25, 50, 100] }'),
  database: mapping({ url: string }, 'database: { url: postgres://deploy@db.internal:5432/app }'),
  flags: mapping(
    { provider: string, url: string, file: string, featureFlag: string, environment: string, project: string, staleAfterDays: number },
    'flags: { provider: unleash, url: http://127.0.0.1:4242/api, environment: production }',
  ),
  workloads: {
    type: 'list',
    of: mapping(
      {
        kind: { type: 'enum', values: WORKLOAD_MAPPING_KINDS },
        namespace: string,
        name: string,
        source: { type: 'either', of: [string, { type: 'list', of: string }], expected: 'a folder or glob, or a list of them' },
      },
      '{ kind: Deployment, namespace: shop, name: checkout-v2, source: src/checkout }',
      ['kind', 'name', 'source'],
    ),
  },
  migrations: { type: 'any' },
  kubernetes: { type: 'any' },
  manifests: mapping(
    {
      units: { type: 'list', of: string },
      exclude: { type: 'list', of: string },
      charts: {
        type: 'list',
        of: mapping(
          { path: string, values: { type: 'list', of: string }, release: string, namespace: string },
          '{ path: charts/web, values: [charts/web/values-prod.yaml], release: web, namespace: shop }',
          ['path'],
        ),
      },
    },
    'manifests: { units: [apps/web, apps/api], exclude: [test/fixtures] }',
  ),
};

/** Top-level keys that are lint settings (validateSettings). */
const LINT_KEYS = ['pgVersion', 'assumeInTransaction', 'rules', 'schemaValidation', 'dialect', 'dialects', 'mysqlVersion', 'kubernetesVersion'];
const KNOWN_KEYS = [...LINT_KEYS, ...Object.keys(SECTIONS)];
const SEVERITIES = new Set(['error', 'warning', 'info', 'hint', 'off']);
const DIALECTS: Record<string, SqlDialect> = { postgres: 'postgres', postgresql: 'postgres', mysql: 'mysql', mariadb: 'mariadb' };

/** Parses and checks .rollout-guard.yaml text. Throws ConfigError with the line of the first problem. */
export function parseConfig(text: string, source = CONFIG_FILE_NAME): ConfigFile {
  const doc = parseDocument(text);
  const lines = new LineIndex(text);
  const place = (start: number, end: number): { source: string; line: number; start: number; end: number } => ({
    source,
    line: lines.position(start).line + 1,
    start,
    end: Math.max(end, start + 1),
  });
  const syntax = doc.errors[0];
  // The parser's message says "at line 2, column 1:" before an excerpt: the place is ours to add.
  if (syntax)
    throw new ConfigError(`not valid YAML: ${syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, place(syntax.pos[0], syntax.pos[1]));
  const errorAt: Fail = (path, detail) => {
    const [start, end] = rangeAt(doc, path);
    return new ConfigError(detail, place(start, end));
  };
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) return { source, settings: {}, sections: {}, errorAt };
  if (!isRecord(raw)) throw errorAt([], 'expected a mapping of settings at the top level.');
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.includes(key)) throw errorAt([key], `unknown setting "${key}". Known: ${KNOWN_KEYS.join(', ')}.`);
  }
  const sections: Record<string, unknown> = {};
  for (const [key, shape] of Object.entries(SECTIONS)) {
    const value = checkShape(raw[key], shape, [key], errorAt);
    if (value !== undefined && shape.type !== 'any') sections[key] = value;
  }
  if (typeof sections.prometheus === 'string') sections.prometheus = { url: sections.prometheus };
  if (sections.workloads) sections.workloads = checkWorkloads(sections.workloads as RawWorkload[], errorAt);
  const manifests = sections.manifests as ConfigSections['manifests'];
  for (const key of ['units', 'exclude'] as const) manifests?.[key]?.forEach((glob, i) => checkRelativeGlob(glob, ['manifests', key, i], errorAt));
  manifests?.charts?.forEach((chart, i) => checkRelativeGlob(chart.path, ['manifests', 'charts', i, 'path'], errorAt));
  return { source, settings: checkLintSettings(raw, errorAt), sections: sections as ConfigSections, errorAt };
}

/** `value` checked against `shape`, with empty values (null) left out of mappings; undefined when empty. */
function checkShape(value: unknown, shape: Shape, path: ConfigPath, fail: Fail): unknown {
  if (value === null || value === undefined) return undefined;
  const name = nameOf(path);
  const got = `, got ${JSON.stringify(value)?.slice(0, 80)}`;
  switch (shape.type) {
    case 'any':
      return value;
    case 'string':
    case 'boolean':
      if (typeof value !== shape.type) throw fail(path, `${name} must be ${shape.type === 'string' ? 'a string' : 'true or false'}${got}.`);
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw fail(path, `${name} must be a number${got}.`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !shape.values.includes(value)) throw fail(path, `${name} must be one of ${shape.values.join(', ')}${got}.`);
      return value;
    case 'list':
      if (!Array.isArray(value)) throw fail(path, `${name} must be a list${got}.`);
      return value.map((item, i) => {
        if (item === null) throw fail([...path, i], `${nameOf([...path, i])} is empty.`);
        return checkShape(item, shape.of, [...path, i], fail);
      });
    case 'mapping': {
      const known = Object.keys(shape.keys);
      if (!isRecord(value)) throw fail(path, `${name} must be a mapping, e.g. ${shape.example ?? `${name}: { ${known.join(', ')} }`}${got}.`);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const itemShape = shape.keys[key];
        if (!itemShape) throw fail([...path, key], `unknown setting ${nameOf([...path, key])}. Known: ${known.join(', ')}.`);
        const checked = checkShape(item, itemShape, [...path, key], fail);
        if (checked !== undefined) out[key] = checked;
      }
      const missing = shape.required?.find((key) => out[key] === undefined);
      if (missing) throw fail(path, `${name} needs ${missing}, e.g. ${shape.example ?? `{ ${known.join(', ')} }`}.`);
      return out;
    }
    case 'either': {
      const fits = shape.of.find((s) => (s.type === 'mapping' ? isRecord(value) : s.type === 'list' ? Array.isArray(value) : typeof value === s.type));
      if (!fits) throw fail(path, `${name} must be ${shape.expected}${got}.`);
      return checkShape(value, fits, path, fail);
    }
  }
}

type RawWorkload = Omit<WorkloadMapping, 'source'> & { source: string | string[] };

/** Sources as a list of globs Rollout Guard can read, each once per workload. */
function checkWorkloads(workloads: RawWorkload[], fail: Fail): WorkloadMapping[] {
  return workloads.map((workload, i) => {
    const source = typeof workload.source === 'string' ? [workload.source] : workload.source;
    if (!source.length) throw fail(['workloads', i, 'source'], `workloads[${i}].source must name at least one folder or glob.`);
    for (const glob of source) checkRelativeGlob(glob, ['workloads', i, 'source'], fail);
    return { ...workload, source };
  });
}

/** A glob Rollout Guard can read, relative to the configuration file's folder and inside it. */
function checkRelativeGlob(glob: string, path: ConfigPath, fail: Fail): void {
  try {
    globMatcher(glob);
  } catch (error) {
    if (error instanceof GlobError) throw fail(path, `${nameOf(path)} "${glob.slice(0, 80)}" is not a glob Rollout Guard can read: ${error.message}.`);
    throw error;
  }
  if (glob.startsWith('/') || /^[A-Za-z]:/.test(glob) || glob.split('/').includes('..'))
    throw fail(path, `${nameOf(path)} "${glob.slice(0, 80)}" must be relative to the configuration file's folder and stay inside it.`);
}

/** gates.queries[0].query */
const nameOf = (path: ConfigPath): string => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');

const isRecord = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/** Offsets of the key (in a mapping) or item (in a list) at `path`, as deep as the document goes. */
function rangeAt(doc: Document, path: ConfigPath): [number, number] {
  let node: unknown = doc.contents;
  let range: [number, number] = [0, 1];
  for (const segment of path) {
    let next: { range?: [number, number, number] | null } | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) break;
      next = pair.key as typeof next;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = next = node.items[segment] as typeof next;
    } else break;
    if (!next?.range) break;
    range = [next.range[0], next.range[1]];
  }
  return range;
}

/** Checks settings from editor settings or the command line (`source` names them in messages). */
export function validateSettings(record: Record<string, unknown>, source: string): PartialSettings {
  return checkLintSettings(record, (_path, detail) => new ConfigError(detail, { source }));
}

function checkLintSettings(record: Record<string, unknown>, fail: Fail): PartialSettings {
  const out: PartialSettings = {};
  if (record.pgVersion !== undefined) {
    const v = Number(record.pgVersion);
    if (!Number.isInteger(v) || v < 9 || v > 18)
      throw fail(['pgVersion'], `pgVersion must be a PostgreSQL major version from 9 to 18, got ${JSON.stringify(record.pgVersion)}.`);
    out.pgVersion = v;
  }
  if (record.assumeInTransaction !== undefined) {
    if (typeof record.assumeInTransaction !== 'boolean' && record.assumeInTransaction !== 'implicit' && record.assumeInTransaction !== 'auto')
      throw fail(['assumeInTransaction'], `assumeInTransaction must be auto, true, false or implicit.`);
    out.assumeInTransaction = record.assumeInTransaction;
  }
  if (record.schemaValidation !== undefined) {
    if (!['auto', 'on', 'off'].includes(String(record.schemaValidation))) throw fail(['schemaValidation'], `schemaValidation must be auto, on or off.`);
    out.schemaValidation = record.schemaValidation as EngineSettings['schemaValidation'];
  }
  if (record.dialect !== undefined) {
    const dialect = DIALECTS[String(record.dialect).toLowerCase()];
    if (!dialect) throw fail(['dialect'], `dialect must be postgres, mysql or mariadb, got ${JSON.stringify(record.dialect)}.`);
    out.dialect = dialect;
  }
  if (record.dialects !== undefined) {
    if (!record.dialects || typeof record.dialects !== 'object' || Array.isArray(record.dialects))
      throw fail(['dialects'], `dialects must map file globs to postgres, mysql or mariadb, e.g. "db/mysql/**": mysql.`);
    out.dialects = Object.entries(record.dialects as Record<string, unknown>).map(([glob, value]) => {
      const dialect = DIALECTS[String(value).toLowerCase()];
      if (!dialect) throw fail(['dialects', glob], `dialects."${glob}" must be postgres, mysql or mariadb, got ${JSON.stringify(value)}.`);
      try {
        globMatcher(glob);
      } catch (error) {
        if (error instanceof GlobError)
          throw fail(['dialects', glob], `dialects."${glob.slice(0, 80)}" is not a glob Rollout Guard can read: ${error.message}.`);
        throw error;
      }
      return { glob, dialect };
    });
  }
  if (record.mysqlVersion !== undefined) {
    // YAML reads `8.0` as the number 8.
    const version = typeof record.mysqlVersion === 'number' && Number.isInteger(record.mysqlVersion) ? `${record.mysqlVersion}.0` : String(record.mysqlVersion);
    if (!/^\d+\.\d+(\.\d+)?$/.test(version))
      throw fail(['mysqlVersion'], `mysqlVersion must be a server version such as 8.0 or 8.0.35, got ${JSON.stringify(record.mysqlVersion)}.`);
    out.mysqlVersion = version;
  }
  if (record.kubernetesVersion !== undefined) {
    const version = kubernetesMinor(record.kubernetesVersion);
    if (!version)
      throw fail(
        ['kubernetesVersion'],
        typeof record.kubernetesVersion === 'number'
          ? `kubernetesVersion must be quoted, e.g. '1.30': YAML reads ${record.kubernetesVersion} as a number, and 1.30 and 1.3 are the same number.`
          : `kubernetesVersion must be a Kubernetes version such as 1.30 or v1.29.4, got ${JSON.stringify(record.kubernetesVersion)}.`,
      );
    out.kubernetesVersion = version;
  }
  if (record.rules !== undefined) {
    if (!record.rules || typeof record.rules !== 'object' || Array.isArray(record.rules))
      throw fail(['rules'], `rules must map rule ids to error, warning, info, hint or off.`);
    out.rules = {};
    for (const [id, value] of Object.entries(record.rules as Record<string, unknown>)) {
      const severity = value === false ? 'off' : String(value);
      if (!allRuleIds.has(canonicalRuleId(id))) throw fail(['rules', id], `unknown rule "${id}" under rules.`);
      if (!SEVERITIES.has(severity)) throw fail(['rules', id], `rules.${id} must be error, warning, info, hint or off, got ${JSON.stringify(value)}.`);
      out.rules[canonicalRuleId(id)] = severity as SeveritySetting;
    }
  }
  return out;
}

/**
 * `1.30`, `v1.29.4` → `1.30`, `1.29`. A YAML number is accepted only where it cannot have lost a
 * trailing zero (`1.29`, not `1.3`, which might be 1.30): every minor version that still matters has two digits.
 */
function kubernetesMinor(value: unknown): string | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const match = /^v?1\.(\d+)(\.\d+)?$/.exec(text.trim());
  if (!match || (typeof value === 'number' && match[1]!.length < 2)) return undefined;
  return `1.${Number(match[1])}`;
}

/** Later layers win: defaults ← config file ← editor settings ← command line. */
export function mergeSettings(...layers: (PartialSettings | undefined)[]): EngineSettings {
  const merged: EngineSettings = { ...defaultSettings, rules: {} };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.pgVersion !== undefined) merged.pgVersion = layer.pgVersion;
    if (layer.assumeInTransaction !== undefined) merged.assumeInTransaction = layer.assumeInTransaction;
    if (layer.rules) Object.assign(merged.rules, layer.rules);
    if (layer.schemaValidation !== undefined) merged.schemaValidation = layer.schemaValidation;
    if (layer.dialect !== undefined) merged.dialect = layer.dialect;
    if (layer.dialects !== undefined) merged.dialects = layer.dialects;
    if (layer.mysqlVersion !== undefined) merged.mysqlVersion = layer.mysqlVersion;
    if (layer.kubernetesVersion !== undefined) merged.kubernetesVersion = layer.kubernetesVersion;
  }
  return merged;
}
