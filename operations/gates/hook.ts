/**
 * The gate check that step and promote ask before moving a canary forward: the configured
 * gates evaluated for the route's stable and canary subsets. Without a Prometheus URL (or with
 * every gate switched off) it answers not-configured, which the cluster layer lets through.
 */
import { canaryTarget, ClusterError, readCanary, selectRoute, type ClusterClient, type GateCheck, type GateCheckResult } from '../cluster';
import { checkGates } from './check';
import type { GateSettings } from './config';

export function prometheusGateCheck(settings: GateSettings, prometheusUrl = settings.prometheusUrl): GateCheck {
  return async (canary, route) => {
    if (!prometheusUrl)
      return { verdict: 'not-configured', reason: 'no Prometheus URL is configured (--prometheus-url or prometheus.url in .rollout-guard.yaml)' };
    if (!settings.gates.length) return { verdict: 'not-configured', reason: 'every gate is switched off (gates.preset: none and no queries)' };
    const report = await checkGates(canaryTarget(canary, route), settings.gates, prometheusUrl, { interval: settings.interval, timeoutMs: settings.timeoutMs });
    return { verdict: report.verdict, reason: report.reason };
  };
}

/**
 * The gates of one canary, read afresh at each check: what the switch phase asks between the steps
 * of its flag (the canary version runs the code that reads the flag). A canary that cannot be read
 * is no data, which stops the ramp.
 */
export function canaryGateCheck(client: ClusterClient, ref: string, settings: GateSettings): () => Promise<GateCheckResult> {
  const check = prometheusGateCheck(settings);
  return async () => {
    try {
      const canary = await readCanary(client, ref);
      return await check(canary, selectRoute(canary));
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      return { verdict: 'no-data', reason: `canary ${ref} could not be read: ${error.message}` };
    }
  };
}
