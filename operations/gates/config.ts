/**
 * Gate settings from the `gates:` and `prometheus:` sections of .rollout-guard.yaml (their shape
 * is checked by the one configuration loader; their values here), or from explicit options
 * (VS Code settings, CLI flags) laid on top.
 */
import { ConfigError, type ConfigFile, type ConfigPath } from '../../server/src/engine/config';
import { loadConfig, type LoadedConfig } from '../../server/src/workspace/config-file';
import { defineGate, PRESETS, type GateDefinition, type GateSpec, type PresetName } from './definitions';
import { DEFAULT_INTERVAL } from './check';
import { DURATION_PATTERN } from './template';

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
  if (!DURATION_PATTERN.test(text)) throw new ConfigError(`"${text}" is not a duration such as 30s, 1m or 5m`);
  const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) total += Number(n) * unitMs[unit!]!;
  return total;
}

/** The `gates:` and `prometheus:` sections of a configuration file as settings input. */
export function gateInputFromConfig(config: ConfigFile): GateSettingsInput {
  const { gates, prometheus } = config.sections;
  return { ...gates, prometheusUrl: prometheus?.url, timeout: prometheus?.timeout };
}

/** One layer of settings: a configuration file (its errors carry their line) or named options. */
export type GateSettingsLayer = { input: GateSettingsInput; source: string; file?: ConfigFile };

/**
 * Checks settings layers (later ones win, key by key) and compiles the gates. A query given
 * with the name of a preset gate replaces it; other names are added.
 */
export function resolveGateSettings(layers: GateSettingsLayer[]): GateSettings {
  let preset: PresetName = 'default';
  let presetSource = 'defaults';
  /** Each query with where it was written, for its errors. */
  const custom = new Map<string, { spec: GateSpec; fail: (detail: string) => ConfigError }>();
  const settings: Omit<GateSettings, 'gates' | 'evaluateEveryMs'> & { evaluateEveryMs?: number } = {
    interval: DEFAULT_INTERVAL,
    consecutiveFailures: DEFAULT_CONSECUTIVE_FAILURES,
    autoRollback: true,
    timeoutMs: 10_000,
  };
  for (const { input, source, file } of layers) {
    const fail = (path: ConfigPath, detail: string): ConfigError => (file ? file.errorAt(path, detail) : new ConfigError(detail, { source }));
    if (input.preset !== undefined) {
      if (typeof input.preset !== 'string' || !(input.preset in PRESETS))
        throw fail(['gates', 'preset'], `gates.preset must be ${Object.keys(PRESETS).join(', ')}, got ${JSON.stringify(input.preset)}.`);
      preset = input.preset as PresetName;
      presetSource = source;
    }
    if (input.queries !== undefined) {
      if (!Array.isArray(input.queries)) throw fail(['gates', 'queries'], `gates.queries must be a list of gates, each with name, query and failAbove.`);
      for (const [i, raw] of input.queries.entries()) {
        if (!raw || typeof raw !== 'object' || Array.isArray(raw))
          throw fail(['gates', 'queries', i], `gates.queries[${i}] must be a mapping with name, query and failAbove.`);
        const known = ['name', 'query', 'failAbove', 'unit', 'description'];
        for (const key of Object.keys(raw))
          if (!known.includes(key)) throw fail(['gates', 'queries', i, key], `unknown setting gates.queries[${i}].${key}. Known: ${known.join(', ')}.`);
        const spec = raw as GateSpec;
        custom.set(String(spec.name), { spec, fail: (detail) => fail(['gates', 'queries', i], detail) });
      }
    }
    if (input.interval !== undefined) {
      if (typeof input.interval !== 'string' || !DURATION_PATTERN.test(input.interval))
        throw fail(['gates', 'interval'], `gates.interval must be a Prometheus duration such as 30s, 1m or 5m, got ${JSON.stringify(input.interval)}.`);
      settings.interval = input.interval;
    }
    if (input.evaluateEvery !== undefined)
      settings.evaluateEveryMs = positiveDuration(input.evaluateEvery, 'gates.evaluateEvery', (detail) => fail(['gates', 'evaluateEvery'], detail));
    if (input.timeout !== undefined)
      settings.timeoutMs = positiveDuration(input.timeout, 'prometheus.timeout', (detail) => fail(['prometheus', 'timeout'], detail));
    if (input.consecutiveFailures !== undefined) {
      const n = Number(input.consecutiveFailures);
      if (!Number.isInteger(n) || n < 1)
        throw fail(['gates', 'consecutiveFailures'], `gates.consecutiveFailures must be a whole number ≥ 1, got ${JSON.stringify(input.consecutiveFailures)}.`);
      settings.consecutiveFailures = n;
    }
    if (input.autoRollback !== undefined) {
      if (typeof input.autoRollback !== 'boolean') throw fail(['gates', 'autoRollback'], `gates.autoRollback must be true or false.`);
      settings.autoRollback = input.autoRollback;
    }
    if (input.prometheusUrl !== undefined && input.prometheusUrl !== null && input.prometheusUrl !== '') {
      if (typeof input.prometheusUrl !== 'string' || !/^https?:\/\/\S+$/.test(input.prometheusUrl))
        throw fail(['prometheus', 'url'], `the Prometheus URL must start with http:// or https://.`);
      settings.prometheusUrl = input.prometheusUrl;
    }
  }
  const fromPreset = (detail: string): ConfigError => new ConfigError(detail, { source: `${presetSource} (preset ${preset})` });
  const specs = new Map(PRESETS[preset].map((spec) => [spec.name, { spec, fail: fromPreset }]));
  // A replaced preset gate keeps the preset's unit unless the replacement names one.
  for (const [name, entry] of custom) specs.set(name, { ...entry, spec: { unit: specs.get(name)?.spec.unit, ...entry.spec } });
  const gates = [...specs.values()].map(({ spec, fail }) => {
    try {
      return defineGate(spec);
    } catch (error) {
      throw error instanceof ConfigError ? fail(error.detail) : error;
    }
  });
  return { ...settings, evaluateEveryMs: settings.evaluateEveryMs ?? durationMs(settings.interval), gates };
}

function positiveDuration(value: unknown, name: string, fail: (detail: string) => ConfigError): number {
  const ms = typeof value === 'string' && DURATION_PATTERN.test(value) ? durationMs(value) : NaN;
  if (!(ms > 0)) throw fail(`${name} must be a duration such as 30s or 1m, got ${JSON.stringify(value)}.`);
  return ms;
}

/** Settings from the configuration file (explicit or found from `cwd`), then `overrides`. */
export function loadGateSettings(options: {
  cwd: string;
  configFile?: string;
  overrides?: GateSettingsInput;
  /** Names the overrides in messages (default "settings"). */
  overridesSource?: string;
}): GateSettings & { configFile?: string } {
  return gateSettingsFrom(loadConfig(options.cwd, options.configFile), options.overrides, options.overridesSource);
}

/** Settings from a configuration file already read (or none), then `overrides` (named `overridesSource` in messages). */
export function gateSettingsFrom(
  file: LoadedConfig | undefined,
  overrides?: GateSettingsInput,
  overridesSource = 'settings',
): GateSettings & { configFile?: string } {
  const layers: GateSettingsLayer[] = [];
  if (file) layers.push({ input: gateInputFromConfig(file), source: file.source, file });
  if (overrides) layers.push({ input: overrides, source: overridesSource });
  return { ...resolveGateSettings(layers), configFile: file?.path };
}
