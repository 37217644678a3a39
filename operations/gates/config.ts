/**
 * Gate settings from the `gates:` and `prometheus:` sections of .rollout-guard.yaml (the
 * language server's config reader accepts both sections and leaves them to this module), or
 * from explicit options (VS Code settings, CLI flags) laid on top.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { defineGate, PRESETS, type GateDefinition, type GateSpec, type PresetName } from './definitions';
import { DEFAULT_INTERVAL } from './check';
import { DURATION_PATTERN, GateConfigError } from './template';

/** Same name and search as the lint configuration (cli/src/check.ts). */
import { CONFIG_FILE_NAME, findConfigFile } from '../config-file';

export { CONFIG_FILE_NAME, findConfigFile };

export interface GateSettings {
  gates: GateDefinition[];
  /** The rate window, {{interval}} in the templates. */
  interval: string;
  /** How often automatic rollback evaluates the gates (default: the interval). */
  evaluateEveryMs: number;
  /** Consecutive failing evaluations that roll a canary back. */
  consecutiveFailures: number;
  autoRollback: boolean;
  prometheusUrl?: string;
  timeoutMs: number;
}

/** Settings from any source, before checking: the shape of the YAML sections and of editor settings. */
export interface GateSettingsInput {
  preset?: unknown;
  queries?: unknown;
  interval?: unknown;
  evaluateEvery?: unknown;
  consecutiveFailures?: unknown;
  autoRollback?: unknown;
  prometheusUrl?: unknown;
  timeout?: unknown;
}

export const DEFAULT_CONSECUTIVE_FAILURES = 3;

/** Milliseconds of a Prometheus-style duration (500ms, 30s, 1m, 1h30m). */
export function durationMs(text: string): number {
  if (!DURATION_PATTERN.test(text)) throw new GateConfigError(`"${text}" is not a duration such as 30s, 1m or 5m`);
  const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) total += Number(n) * unitMs[unit!]!;
  return total;
}

/** The `gates:` and `prometheus:` sections of a parsed .rollout-guard.yaml as settings input. */
export function gateInputFromConfig(config: Record<string, unknown>, source: string): GateSettingsInput {
  const input: GateSettingsInput = {};
  const gates = config.gates;
  if (gates !== undefined && gates !== null) {
    if (typeof gates !== 'object' || Array.isArray(gates)) throw new GateConfigError(`${source}: gates must be a mapping (preset, interval, queries, …).`);
    const known = ['preset', 'queries', 'interval', 'evaluateEvery', 'consecutiveFailures', 'autoRollback'];
    for (const key of Object.keys(gates))
      if (!known.includes(key)) throw new GateConfigError(`${source}: unknown setting gates.${key}. Known: ${known.join(', ')}.`);
    Object.assign(input, gates);
  }
  const prometheus = config.prometheus;
  if (typeof prometheus === 'string') input.prometheusUrl = prometheus;
  else if (prometheus && typeof prometheus === 'object' && !Array.isArray(prometheus)) {
    const p = prometheus as Record<string, unknown>;
    for (const key of Object.keys(p))
      if (key !== 'url' && key !== 'timeout') throw new GateConfigError(`${source}: unknown setting prometheus.${key}. Known: url, timeout.`);
    input.prometheusUrl = p.url;
    input.timeout = p.timeout;
  } else if (prometheus !== undefined && prometheus !== null)
    throw new GateConfigError(`${source}: prometheus must be a URL or a mapping with url and timeout.`);
  return input;
}

/**
 * Checks settings layers (later ones win, key by key) and compiles the gates. A query given
 * with the name of a preset gate replaces it; other names are added.
 */
export function resolveGateSettings(layers: { input: GateSettingsInput; source: string }[]): GateSettings {
  let preset: PresetName = 'default';
  let presetSource = 'defaults';
  const custom = new Map<string, { spec: GateSpec; source: string }>();
  const settings: Omit<GateSettings, 'gates' | 'evaluateEveryMs'> & { evaluateEveryMs?: number } = {
    interval: DEFAULT_INTERVAL,
    consecutiveFailures: DEFAULT_CONSECUTIVE_FAILURES,
    autoRollback: true,
    timeoutMs: 10_000,
  };
  for (const { input, source } of layers) {
    if (input.preset !== undefined) {
      if (typeof input.preset !== 'string' || !(input.preset in PRESETS))
        throw new GateConfigError(`${source}: gates.preset must be ${Object.keys(PRESETS).join(', ')}, got ${JSON.stringify(input.preset)}.`);
      preset = input.preset as PresetName;
      presetSource = source;
    }
    if (input.queries !== undefined) {
      if (!Array.isArray(input.queries)) throw new GateConfigError(`${source}: gates.queries must be a list of gates, each with name, query and failAbove.`);
      for (const [i, raw] of input.queries.entries()) {
        if (!raw || typeof raw !== 'object' || Array.isArray(raw))
          throw new GateConfigError(`${source}: gates.queries[${i}] must be a mapping with name, query and failAbove.`);
        const known = ['name', 'query', 'failAbove', 'unit', 'description'];
        for (const key of Object.keys(raw))
          if (!known.includes(key)) throw new GateConfigError(`${source}: unknown setting gates.queries[${i}].${key}. Known: ${known.join(', ')}.`);
        const spec = raw as GateSpec;
        custom.set(String(spec.name), { spec, source });
      }
    }
    if (input.interval !== undefined) {
      if (typeof input.interval !== 'string' || !DURATION_PATTERN.test(input.interval))
        throw new GateConfigError(`${source}: gates.interval must be a Prometheus duration such as 30s, 1m or 5m, got ${JSON.stringify(input.interval)}.`);
      settings.interval = input.interval;
    }
    if (input.evaluateEvery !== undefined) settings.evaluateEveryMs = positiveDuration(input.evaluateEvery, `${source}: gates.evaluateEvery`);
    if (input.timeout !== undefined) settings.timeoutMs = positiveDuration(input.timeout, `${source}: prometheus.timeout`);
    if (input.consecutiveFailures !== undefined) {
      const n = Number(input.consecutiveFailures);
      if (!Number.isInteger(n) || n < 1)
        throw new GateConfigError(`${source}: gates.consecutiveFailures must be a whole number ≥ 1, got ${JSON.stringify(input.consecutiveFailures)}.`);
      settings.consecutiveFailures = n;
    }
    if (input.autoRollback !== undefined) {
      if (typeof input.autoRollback !== 'boolean') throw new GateConfigError(`${source}: gates.autoRollback must be true or false.`);
      settings.autoRollback = input.autoRollback;
    }
    if (input.prometheusUrl !== undefined && input.prometheusUrl !== null && input.prometheusUrl !== '') {
      if (typeof input.prometheusUrl !== 'string' || !/^https?:\/\/\S+$/.test(input.prometheusUrl))
        throw new GateConfigError(`${source}: the Prometheus URL must start with http:// or https://.`);
      settings.prometheusUrl = input.prometheusUrl;
    }
  }
  const specs = new Map<string, { spec: GateSpec; source: string }>(
    PRESETS[preset].map((spec) => [spec.name, { spec, source: `${presetSource} (preset ${preset})` }]),
  );
  // A replaced preset gate keeps the preset's unit unless the replacement names one.
  for (const [name, entry] of custom) specs.set(name, { ...entry, spec: { unit: specs.get(name)?.spec.unit, ...entry.spec } });
  const gates = [...specs.values()].map(({ spec, source }) => defineGate(spec, source));
  return { ...settings, evaluateEveryMs: settings.evaluateEveryMs ?? durationMs(settings.interval), gates };
}

function positiveDuration(value: unknown, label: string): number {
  const ms = typeof value === 'string' && DURATION_PATTERN.test(value) ? durationMs(value) : NaN;
  if (!(ms > 0)) throw new GateConfigError(`${label} must be a duration such as 30s or 1m, got ${JSON.stringify(value)}.`);
  return ms;
}

/** Reads the gate sections of a configuration file. Throws GateConfigError for unreadable or invalid files. */
export function readGateConfigFile(file: string, displayName = file): GateSettingsInput {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new GateConfigError(`cannot read ${displayName}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new GateConfigError(`${displayName}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new GateConfigError(`${displayName}: expected a mapping of settings at the top level.`);
  return gateInputFromConfig(raw as Record<string, unknown>, displayName);
}

/** Settings from the configuration file (explicit or found from `cwd`), then `overrides`. */
export function loadGateSettings(options: {
  cwd: string;
  configFile?: string;
  overrides?: GateSettingsInput;
  /** Names the overrides in messages (default "settings"). */
  overridesSource?: string;
}): GateSettings & { configFile?: string } {
  const file = options.configFile ? path.resolve(options.cwd, options.configFile) : findConfigFile(options.cwd);
  const layers: { input: GateSettingsInput; source: string }[] = [];
  if (file) layers.push({ input: readGateConfigFile(file, path.relative(options.cwd, file) || file), source: path.relative(options.cwd, file) || file });
  if (options.overrides) layers.push({ input: options.overrides, source: options.overridesSource ?? 'settings' });
  return { ...resolveGateSettings(layers), configFile: file };
}
