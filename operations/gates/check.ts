/**
 * Gate evaluation: each gate's query for the stable and the canary subset, compared with the
 * gate's threshold. A gate is pass, fail or no-data, and no-data is never a pass: an
 * unreachable Prometheus, a rejected query, no series or NaN (0/0 when nothing was served)
 * each give no-data with the specific reason.
 */
import { formatGateValue, type GateDefinition, type GateUnit } from './definitions';
import { describeValue, displayPrometheusUrl, PrometheusClient, PrometheusError } from './prometheus';
import { ConfigError } from '../../server/src/engine/config';

export type GateVerdict = 'pass' | 'fail' | 'no-data';

/** What a gate is evaluated for: the canary's place and its two subsets. */
export interface GateTarget {
  namespace: string;
  service: string;
  subsets: { stable: string; canary: string };
}

/** A subset's measured value, or why there is none. */
export interface Measurement {
  value: number | null;
  /** Set when value is null (or when there was more than one series). */
  reason?: string;
  /** The query as sent. */
  query: string;
}

export interface GateResult {
  gate: string;
  description?: string;
  unit: GateUnit;
  threshold: number;
  stable: Measurement;
  canary: Measurement;
  verdict: GateVerdict;
  /** One line: the numbers for pass and fail, the cause for no-data. */
  reason: string;
}

export interface GateReport {
  verdict: GateVerdict;
  reason: string;
  target: GateTarget;
  interval: string;
  prometheus: string;
  gates: GateResult[];
  evaluatedAt: string;
}

export interface CheckOptions {
  /** The rate window, {{interval}} in the templates (default 1m). */
  interval?: string;
  /** Evaluation time (default now). */
  time?: Date;
  timeoutMs?: number;
}

export const DEFAULT_INTERVAL = '1m';

/** Evaluates every gate for the target's stable and canary subsets; never throws for Prometheus failures. */
export async function checkGates(
  target: GateTarget,
  gates: readonly GateDefinition[],
  prometheus: string | PrometheusClient,
  options: CheckOptions = {},
): Promise<GateReport> {
  const interval = options.interval ?? DEFAULT_INTERVAL;
  // One evaluation time for every query, so stable and canary are compared over the same window.
  const time = options.time ?? new Date();
  let client: PrometheusClient | undefined;
  let clientError: string | undefined;
  try {
    client = typeof prometheus === 'string' ? new PrometheusClient(prometheus, { timeoutMs: options.timeoutMs }) : prometheus;
  } catch (error) {
    clientError = (error as Error).message;
  }
  const results = await Promise.all(
    gates.map(async (gate): Promise<GateResult> => {
      const [stable, canary] = await Promise.all(
        (['stable', 'canary'] as const).map((role) => measure(gate, target, target.subsets[role], interval, client, clientError, time)),
      );
      return judge(gate, stable!, canary!);
    }),
  );
  const failed = results.filter((r) => r.verdict === 'fail');
  const missing = results.filter((r) => r.verdict === 'no-data');
  const verdict: GateVerdict = failed.length ? 'fail' : missing.length || !results.length ? 'no-data' : 'pass';
  const reason = !results.length
    ? 'no gates are configured'
    : failed.length
      ? failed.map((r) => `${r.gate}: ${r.reason}`).join('; ')
      : missing.length
        ? missing.map((r) => `${r.gate}: ${r.reason}`).join('; ')
        : `${results.length} gate${results.length === 1 ? '' : 's'} passed`;
  return {
    verdict,
    reason,
    target,
    interval,
    prometheus: client?.displayUrl ?? (typeof prometheus === 'string' ? displayPrometheusUrl(prometheus) : prometheus.displayUrl),
    gates: results,
    evaluatedAt: time.toISOString(),
  };
}

async function measure(
  gate: GateDefinition,
  target: GateTarget,
  subset: string,
  interval: string,
  client: PrometheusClient | undefined,
  clientError: string | undefined,
  time: Date | undefined,
): Promise<Measurement> {
  let query: string;
  try {
    query = gate.template.render({ namespace: target.namespace, service: target.service, subset, interval });
  } catch (error) {
    if (error instanceof ConfigError) return { value: null, reason: error.message, query: gate.template.text };
    throw error;
  }
  if (!client) return { value: null, reason: clientError ?? 'no Prometheus', query };
  let samples;
  try {
    samples = await client.query(query, time);
  } catch (error) {
    if (error instanceof PrometheusError) return { value: null, reason: error.message, query };
    throw error;
  }
  if (!samples.length)
    return { value: null, reason: `no series for subset "${subset}" in the last ${interval} (no traffic, or the metric is not scraped)`, query };
  // Several series (a query without an aggregation): the worst one decides, never the best, so a
  // series whose value is not a number leaves the gate without data. A series of 0/0 ("NaN":
  // nothing served there) is left out.
  let worst: number | undefined;
  for (const sample of samples) {
    if (sample.value === null) {
      if (sample.raw === 'NaN') continue;
      return { value: null, reason: `Prometheus sent ${describeValue(sample.raw)} for subset "${subset}", not a finite number: no data`, query };
    }
    if (worst === undefined || sample.value > worst) worst = sample.value;
  }
  if (worst === undefined) return { value: null, reason: `NaN for subset "${subset}": no requests in the last ${interval} (0/0)`, query };
  const value = worst * gate.scale;
  return samples.length > 1 ? { value, reason: `${samples.length} series; the highest counts`, query } : { value, query };
}

function judge(gate: GateDefinition, stable: Measurement, canary: Measurement): GateResult {
  const base = { gate: gate.name, description: gate.description, unit: gate.unit, threshold: gate.failAbove, stable, canary };
  const show = (v: number | null): string => formatGateValue(v, gate.unit);
  const threshold = show(gate.failAbove);
  if (canary.value === null) return { ...base, verdict: 'no-data', reason: canary.reason ?? 'no value' };
  const compared = stable.value === null ? '' : ` (stable ${show(stable.value)})`;
  if (canary.value > gate.failAbove) return { ...base, verdict: 'fail', reason: `canary ${show(canary.value)} > ${threshold}${compared}` };
  return { ...base, verdict: 'pass', reason: `canary ${show(canary.value)} ≤ ${threshold}${compared}` };
}

/** Stable and canary values of one gate over time, aligned on the same timestamps (uPlot's data layout). */
export interface GateSeries {
  gate: string;
  unit: GateUnit;
  threshold: number;
  stepSeconds: number;
  /** Unix seconds. */
  timestamps: number[];
  stable: (number | null)[];
  canary: (number | null)[];
  /** Set when a subset's range query failed: the chart shows the reason instead of a line. */
  errors: { stable?: string; canary?: string };
}

export interface SeriesOptions {
  /** Window length (default 30 minutes). */
  rangeSeconds?: number;
  /** Resolution (default: the range in 120 points, at least 1 s). */
  stepSeconds?: number;
  end?: Date;
  interval?: string;
}

/** The metrics panel's data: one gate, stable vs canary, over the last 30 minutes by default. */
export async function gateSeries(target: GateTarget, gate: GateDefinition, prometheus: PrometheusClient, options: SeriesOptions = {}): Promise<GateSeries> {
  const rangeSeconds = options.rangeSeconds ?? 30 * 60;
  const stepSeconds = options.stepSeconds ?? Math.max(1, Math.round(rangeSeconds / 120));
  const endSeconds = Math.floor((options.end ?? new Date()).getTime() / 1000 / stepSeconds) * stepSeconds;
  const startSeconds = endSeconds - rangeSeconds;
  const timestamps: number[] = [];
  for (let t = startSeconds; t <= endSeconds; t += stepSeconds) timestamps.push(t);
  const interval = options.interval ?? DEFAULT_INTERVAL;
  const errors: GateSeries['errors'] = {};
  const line = async (role: 'stable' | 'canary'): Promise<(number | null)[]> => {
    const byTime = new Map<number, number>();
    try {
      const query = gate.template.render({ namespace: target.namespace, service: target.service, subset: target.subsets[role], interval });
      const series = await prometheus.queryRange(query, new Date(startSeconds * 1000), new Date(endSeconds * 1000), stepSeconds);
      for (const s of series) for (const [t, v] of s.points) if (v !== null) byTime.set(t, Math.max(byTime.get(t) ?? -Infinity, v * gate.scale));
    } catch (error) {
      if (!(error instanceof PrometheusError || error instanceof ConfigError)) throw error;
      errors[role] = error.message;
    }
    return timestamps.map((t) => byTime.get(t) ?? null);
  };
  const [stable, canary] = await Promise.all([line('stable'), line('canary')]);
  return { gate: gate.name, unit: gate.unit, threshold: gate.failAbove, stepSeconds, timestamps, stable, canary, errors };
}
