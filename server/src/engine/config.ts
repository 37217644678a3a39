import { parse as parseYaml } from 'yaml';
import { globMatcher, GlobError } from './glob';
import { allRuleIds } from './registry';
import { defaultSettings, type EngineSettings, type SeveritySetting, type SqlDialect } from './types';

export const CONFIG_FILE_NAME = '.rollout-guard.yaml';

/** Top-level keys of .rollout-guard.yaml; sections other features read are accepted here. */
const KNOWN_KEYS = new Set([
  'pgVersion',
  'assumeInTransaction',
  'rules',
  'schemaValidation',
  'dialect',
  'dialects',
  'mysqlVersion',
  'migrations',
  'canary',
  'gates',
  'prometheus',
  'kubernetes',
  'database',
  'manifests',
]);
const SEVERITIES = new Set(['error', 'warning', 'info', 'hint', 'off']);

export class ConfigError extends Error {}

/** Settings a config file or the editor provides; every field optional. */
export interface PartialSettings {
  pgVersion?: number;
  assumeInTransaction?: boolean;
  rules?: Record<string, SeveritySetting>;
  schemaValidation?: EngineSettings['schemaValidation'];
  dialect?: SqlDialect;
  dialects?: EngineSettings['dialects'];
  mysqlVersion?: string;
}

const DIALECTS: Record<string, SqlDialect> = { postgres: 'postgres', postgresql: 'postgres', mysql: 'mysql', mariadb: 'mariadb' };

/** Parses .rollout-guard.yaml text. Throws ConfigError with a message naming the bad key. */
export function parseConfig(text: string, fileName = CONFIG_FILE_NAME): PartialSettings {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${fileName}: not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${fileName}: expected a mapping of settings at the top level.`);
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(`${fileName}: unknown setting "${key}". Known: ${[...KNOWN_KEYS].join(', ')}.`);
  }
  return validateSettings(record, fileName);
}

/** Checks settings from any source (config file, editor settings, CLI flags). */
export function validateSettings(record: Record<string, unknown>, source: string): PartialSettings {
  const out: PartialSettings = {};
  if (record.pgVersion !== undefined) {
    const v = Number(record.pgVersion);
    if (!Number.isInteger(v) || v < 9 || v > 18)
      throw new ConfigError(`${source}: pgVersion must be a PostgreSQL major version from 9 to 18, got ${JSON.stringify(record.pgVersion)}.`);
    out.pgVersion = v;
  }
  if (record.assumeInTransaction !== undefined) {
    if (typeof record.assumeInTransaction !== 'boolean') throw new ConfigError(`${source}: assumeInTransaction must be true or false.`);
    out.assumeInTransaction = record.assumeInTransaction;
  }
  if (record.schemaValidation !== undefined) {
    if (!['auto', 'on', 'off'].includes(String(record.schemaValidation))) throw new ConfigError(`${source}: schemaValidation must be auto, on or off.`);
    out.schemaValidation = record.schemaValidation as EngineSettings['schemaValidation'];
  }
  if (record.dialect !== undefined) {
    const dialect = DIALECTS[String(record.dialect).toLowerCase()];
    if (!dialect) throw new ConfigError(`${source}: dialect must be postgres, mysql or mariadb, got ${JSON.stringify(record.dialect)}.`);
    out.dialect = dialect;
  }
  if (record.dialects !== undefined) {
    if (!record.dialects || typeof record.dialects !== 'object' || Array.isArray(record.dialects))
      throw new ConfigError(`${source}: dialects must map file globs to postgres, mysql or mariadb, e.g. "db/mysql/**": mysql.`);
    out.dialects = Object.entries(record.dialects as Record<string, unknown>).map(([glob, value]) => {
      const dialect = DIALECTS[String(value).toLowerCase()];
      if (!dialect) throw new ConfigError(`${source}: dialects."${glob}" must be postgres, mysql or mariadb, got ${JSON.stringify(value)}.`);
      try {
        globMatcher(glob);
      } catch (error) {
        if (error instanceof GlobError)
          throw new ConfigError(`${source}: dialects."${glob.slice(0, 80)}" is not a glob Rollout Guard can read: ${error.message}.`);
        throw error;
      }
      return { glob, dialect };
    });
  }
  if (record.mysqlVersion !== undefined) {
    // YAML reads `8.0` as the number 8.
    const version = typeof record.mysqlVersion === 'number' && Number.isInteger(record.mysqlVersion) ? `${record.mysqlVersion}.0` : String(record.mysqlVersion);
    if (!/^\d+\.\d+(\.\d+)?$/.test(version))
      throw new ConfigError(`${source}: mysqlVersion must be a server version such as 8.0 or 8.0.35, got ${JSON.stringify(record.mysqlVersion)}.`);
    out.mysqlVersion = version;
  }
  if (record.rules !== undefined) {
    if (!record.rules || typeof record.rules !== 'object' || Array.isArray(record.rules))
      throw new ConfigError(`${source}: rules must map rule ids to error, warning, info, hint or off.`);
    out.rules = {};
    for (const [id, value] of Object.entries(record.rules as Record<string, unknown>)) {
      const severity = value === false ? 'off' : String(value);
      if (!allRuleIds.has(id)) throw new ConfigError(`${source}: unknown rule "${id}" under rules.`);
      if (!SEVERITIES.has(severity)) throw new ConfigError(`${source}: rules.${id} must be error, warning, info, hint or off, got ${JSON.stringify(value)}.`);
      out.rules[id] = severity as SeveritySetting;
    }
  }
  return out;
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
  }
  return merged;
}
