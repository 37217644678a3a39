/**
 * Gate definitions: a PromQL template per gate and the value above which the canary fails.
 * Values are normalised when a gate is defined: latency in seconds whatever the metric's unit
 * (Istio's histogram is in milliseconds), so reports, charts and thresholds always compare
 * like with like.
 */
import { ConfigError } from '../../server/src/engine/config';
import { compileTemplate, type QueryTemplate } from './template';

/** What a gate's value measures, after normalisation. */
export type GateUnit = 'ratio' | 'seconds' | 'number';
/** The unit a query returns; milliseconds are converted to seconds. */
export type QueryUnit = GateUnit | 'milliseconds';

export interface GateDefinition {
  /** kebab-case name, shown in reports (e.g. error-rate). */
  name: string;
  /** Human description, e.g. "5xx responses / all responses". */
  description?: string;
  template: QueryTemplate;
  unit: GateUnit;
  /** Multiplies the query's result into `unit` (0.001 for a milliseconds histogram). */
  scale: number;
  /** The canary fails when its value is above this, in `unit`. */
  failAbove: number;
}

/** A gate as written in configuration or options, before it is checked. */
export interface GateSpec {
  name: string;
  query: string;
  /** Number in the query's unit, or a string with a unit: "500ms", "0.5s", "1%". */
  failAbove: number | string;
  /** Unit of the query's result (default: the preset gate's of the same name, else number). */
  unit?: QueryUnit;
  description?: string;
}

export const DEFAULT_PRESET: GateSpec[] = [
  {
    name: 'error-rate',
    description: '5xx responses / all responses',
    query:
      '(sum(rate(http_requests_total{version="{{subset}}",status=~"5.."}[{{interval}}])) or vector(0)) / sum(rate(http_requests_total{version="{{subset}}"}[{{interval}}]))',
    unit: 'ratio',
    failAbove: 0.01,
  },
  {
    name: 'p99-latency',
    description: '99th percentile response time',
    query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{version="{{subset}}"}[{{interval}}])))',
    unit: 'seconds',
    failAbove: 0.5,
  },
];

/** Istio's standard metrics, as the sidecars report them on the server side. */
const ISTIO_SELECTOR =
  'reporter="destination", destination_workload_namespace="{{namespace}}", destination_service_name="{{service}}", destination_version="{{subset}}"';

export const ISTIO_PRESET: GateSpec[] = [
  {
    name: 'error-rate',
    description: '5xx responses / all responses (Istio)',
    query: `(sum(rate(istio_requests_total{${ISTIO_SELECTOR}, response_code=~"5.."}[{{interval}}])) or vector(0)) / sum(rate(istio_requests_total{${ISTIO_SELECTOR}}[{{interval}}]))`,
    unit: 'ratio',
    failAbove: 0.01,
  },
  {
    name: 'p99-latency',
    description: '99th percentile response time (Istio)',
    query: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${ISTIO_SELECTOR}}[{{interval}}])))`,
    unit: 'milliseconds',
    failAbove: 500,
  },
];

export const PRESETS = { default: DEFAULT_PRESET, istio: ISTIO_PRESET, none: [] as GateSpec[] };
export type PresetName = keyof typeof PRESETS;

const QUERY_UNITS: QueryUnit[] = ['ratio', 'seconds', 'milliseconds', 'number'];

/** Checks a gate spec and compiles its template. Throws ConfigError naming the gate (its caller adds where the gate was written). */
export function defineGate(spec: GateSpec): GateDefinition {
  if (typeof spec.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/i.test(spec.name))
    throw new ConfigError(`a gate needs a name of letters, digits and dashes, got ${JSON.stringify(spec.name)}.`);
  const label = `gate "${spec.name}"`;
  if (typeof spec.query !== 'string' || !spec.query.trim()) throw new ConfigError(`${label} needs a query.`);
  const queryUnit = spec.unit ?? 'number';
  if (!QUERY_UNITS.includes(queryUnit)) throw new ConfigError(`${label}: unit must be one of ${QUERY_UNITS.join(', ')}, got ${JSON.stringify(spec.unit)}.`);
  const unit: GateUnit = queryUnit === 'milliseconds' ? 'seconds' : queryUnit;
  const scale = queryUnit === 'milliseconds' ? 0.001 : 1;
  return {
    name: spec.name,
    description: spec.description,
    template: compileTemplate(spec.query, label),
    unit,
    scale,
    failAbove: parseThreshold(spec.failAbove, queryUnit, label),
  };
}

/**
 * A threshold in the gate's normalised unit. A bare number is in the query's unit (so 500 for
 * a milliseconds histogram is 0.5 s); a string may carry its unit: 500ms, 0.5s, 1%.
 */
export function parseThreshold(value: unknown, queryUnit: QueryUnit, label: string): number {
  const scale = queryUnit === 'milliseconds' ? 0.001 : 1;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError(`${label}: failAbove must be a finite number, got ${value}.`);
    return value * scale;
  }
  if (typeof value !== 'string') throw new ConfigError(`${label} needs failAbove: the value above which the canary fails (e.g. 0.01, 500ms, 1%).`);
  const match = /^\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*(ms|s|%)?\s*$/i.exec(value);
  if (!match) throw new ConfigError(`${label}: failAbove must be a number, optionally with ms, s or %, got "${value}".`);
  const n = Number(match[1]);
  const suffix = match[2]?.toLowerCase();
  if (!suffix) return n * scale;
  if (suffix === '%') {
    if (queryUnit !== 'ratio') throw new ConfigError(`${label}: failAbove "${value}" is a percentage but the gate's unit is ${queryUnit}, not ratio.`);
    return n / 100;
  }
  if (queryUnit !== 'seconds' && queryUnit !== 'milliseconds')
    throw new ConfigError(`${label}: failAbove "${value}" is a duration but the gate's unit is ${queryUnit}; set unit: seconds or milliseconds.`);
  return suffix === 'ms' ? n / 1000 : n;
}

/** A gate value for people: 1.25 %, 480 ms, 1.2 s, 3.5. */
export function formatGateValue(value: number | null, unit: GateUnit): string {
  if (value === null) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : Number.isNaN(value) ? 'NaN' : '-Inf';
  if (unit === 'ratio') return `${round(value * 100)} %`;
  if (unit === 'seconds') return Math.abs(value) < 1 ? `${round(value * 1000)} ms` : `${round(value)} s`;
  return String(round(value));
}

function round(n: number): number {
  if (n === 0) return 0;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(n))) - 1);
  return Number(n.toFixed(Math.min(digits, 6)));
}
