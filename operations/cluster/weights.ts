/**
 * Weight changes of one canary route. The VirtualService is patched with a merge patch that
 * carries the resourceVersion it was computed from, so a write based on stale data is rejected
 * by the API server (409 Conflict); the change is then recomputed on a fresh read and tried
 * again, a bounded number of times. Only the weights of the chosen route change; they always
 * sum to 100.
 */
import type { ClusterClient } from './client';
import { ClusterError } from './errors';
import { routeLabel, selectRoute } from './discovery';
import { DEFAULT_STEPS, type Canary, type CanaryRoute, type GateCheck, type GateCheckResult } from './model';
import { readCanaryObject, type CanaryRef } from './read';

export type WeightAction = 'set-weight' | 'step' | 'promote' | 'rollback';

export interface WeightChangeOptions {
  /** Route name or position in spec.http; needed when the VirtualService has several weighted routes. */
  route?: string;
  /** Attempts before giving up on conflicts (default 10). */
  maxAttempts?: number;
  /** For step and promote: the gate verdict. Without one, gates count as not configured. */
  gateCheck?: GateCheck;
  /** Proceeds despite a failing or no-data gate when equal to the canary's name (or namespace/name, or its Rollout's name). */
  override?: string;
  /** The weights of `step` (default 5, 10, 25, 50, 100). */
  steps?: readonly number[];
  /** Reports each conflict before the retry (for logs). */
  onConflict?: (attempt: number, error: ClusterError) => void;
  /** Backoff between attempts; default jittered 10 ms · 2^attempt, at most 500 ms. */
  backoffMs?: (attempt: number) => number;
}

export interface WeightChangeResult {
  canary: Canary;
  route: CanaryRoute;
  previousWeight: number;
  weight: number;
  /** False when the route already had the asked weight (nothing written). */
  changed: boolean;
  attempts: number;
  /** resourceVersion after the write. */
  resourceVersion: string;
  gate?: GateCheckResult;
  /** True when a failing or no-data gate was overridden by name. */
  overridden: boolean;
}

/**
 * New integer weights for a route's destinations with `canaryPercent` on the canary side: the
 * canary destinations share it in proportion to their current weights (evenly when all are 0),
 * the stable ones share the rest; largest remainders make the sum exactly 100.
 */
export function distributeWeights(route: CanaryRoute, canaryPercent: number): number[] {
  const share = (indexes: number[], total: number): Map<number, number> => {
    const current = indexes.map((i) => route.destinations[i]!.weight);
    const sum = current.reduce((a, b) => a + b, 0);
    const exact = indexes.map((_, k) => (sum > 0 ? (current[k]! / sum) * total : total / indexes.length));
    const floors = exact.map(Math.floor);
    let left = total - floors.reduce((a, b) => a + b, 0);
    const order = exact.map((x, k) => ({ k, r: x - floors[k]! })).sort((a, b) => b.r - a.r || a.k - b.k);
    for (const { k } of order) if (left-- > 0) floors[k]!++;
    return new Map(indexes.map((i, k) => [i, floors[k]!]));
  };
  const canaries = route.destinations.map((d, i) => (d.role === 'canary' ? i : -1)).filter((i) => i >= 0);
  const stables = route.destinations.map((d, i) => (d.role === 'stable' ? i : -1)).filter((i) => i >= 0);
  const weights = new Map([...share(canaries, canaryPercent), ...share(stables, 100 - canaryPercent)]);
  return route.destinations.map((_, i) => weights.get(i) ?? 0);
}

/** The next weight of the steps above the current one; undefined at 100. */
export function nextStep(current: number, steps: readonly number[] = DEFAULT_STEPS): number | undefined {
  const sorted = [...new Set([...steps, 100])].sort((a, b) => a - b);
  return sorted.find((s) => s > current);
}

export function validateSteps(steps: unknown, source: string): number[] {
  if (!Array.isArray(steps) || steps.length === 0 || !steps.every((s) => Number.isInteger(s) && s > 0 && s <= 100))
    throw new ClusterError('refused', `${source}: canary steps must be a list of whole percentages from 1 to 100, got ${JSON.stringify(steps)}`);
  return [...new Set(steps as number[])].sort((a, b) => a - b);
}

export function validatePercent(value: number | string): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new ClusterError('refused', `the weight must be a whole percentage from 0 to 100, got "${value}"`);
  return n;
}

/** True when `typed` names the canary (its name, namespace/name, or the name of its Argo Rollout). */
export function overrideMatches(canary: Canary, typed: string | undefined): boolean {
  if (!typed) return false;
  return (
    typed === canary.name ||
    typed === canary.id ||
    (!!canary.rollout && (typed === canary.rollout.name || typed === `${canary.namespace}/${canary.rollout.name}`))
  );
}

const isConflict = (error: unknown): error is ClusterError =>
  error instanceof ClusterError &&
  (error.kind === 'conflict' || (error.kind === 'invalid' && error.status === 422 && /test|resourceVersion/i.test(error.message)));

const defaultBackoff = (attempt: number): number => Math.min(500, 10 * 2 ** attempt) * (0.5 + Math.random());

/** The route named (or the only weighted one), if it has a stable and a canary destination to move weight between. */
function routeToChange(canary: Canary, name: string | undefined): CanaryRoute {
  let route: CanaryRoute;
  try {
    route = selectRoute(canary, name);
  } catch (error) {
    throw new ClusterError('refused', (error as Error).message);
  }
  if (!route.destinations.some((d) => d.role === 'canary') || !route.destinations.some((d) => d.role === 'stable'))
    throw new ClusterError('refused', `route ${routeLabel(route)} of ${canary.id} needs a stable and a canary destination to change its weights`);
  return route;
}

/**
 * Changes the canary weight of one route. `target` computes the weight from the canary as read
 * (again on each retry, so a step always moves from the weight that is there now).
 */
export async function changeCanaryWeight(
  client: ClusterClient,
  ref: CanaryRef | string,
  action: WeightAction,
  target: (route: CanaryRoute) => number,
  options: WeightChangeOptions = {},
): Promise<WeightChangeResult> {
  const maxAttempts = options.maxAttempts ?? 10;
  const backoff = options.backoffMs ?? defaultBackoff;
  let gate: GateCheckResult | undefined;
  let overridden = false;
  for (let attempt = 1; ; attempt++) {
    const { canary, virtualService } = await readCanaryObject(client, ref);
    const route = routeToChange(canary, options.route);
    const weight = target(route);
    // Also at 0 %: no data never lets a step or a promote through (set-weight starts a canary by hand).
    if ((action === 'step' || action === 'promote') && gate === undefined && weight > route.canaryWeight) {
      gate = options.gateCheck ? await options.gateCheck(canary, route) : { verdict: 'not-configured', reason: 'no gates configured' };
      if (gate.verdict === 'fail' || gate.verdict === 'no-data') {
        if (!overrideMatches(canary, options.override))
          throw new ClusterError(
            'refused',
            `${action} of ${canary.id} refused: gate ${gate.verdict === 'fail' ? 'failed' : 'has no data'}: ${gate.reason}. To go ahead anyway, confirm with --override ${canary.rollout?.name ?? canary.name}`,
          );
        overridden = true;
      }
    }
    if (weight === route.canaryWeight && distributeWeights(route, weight).every((w, i) => w === route.destinations[i]!.weight))
      return {
        canary,
        route,
        previousWeight: route.canaryWeight,
        weight,
        changed: false,
        attempts: attempt,
        resourceVersion: canary.resourceVersion,
        gate,
        overridden,
      };
    const weights = distributeWeights(route, weight);
    // A merge patch of spec.http as read, with only this route's weights changed, carrying the
    // resourceVersion it was computed from: the API server applies it to exactly that version or
    // answers 409 Conflict. (Merge patches replace lists whole, so the other routes go back as they were.)
    const http = structuredClone((virtualService.spec as { http: { route: { weight?: number }[] }[] }).http);
    http[route.index]!.route.forEach((destination, i) => (destination.weight = weights[i]!));
    try {
      const written = await client.mergePatch('VirtualService', canary.namespace, canary.name, {
        metadata: { resourceVersion: canary.resourceVersion },
        spec: { http },
      });
      const after: CanaryRoute = {
        ...route,
        destinations: route.destinations.map((d, i) => ({ ...d, weight: weights[i]! })),
        canaryWeight: weight,
      };
      const resourceVersion = written.metadata.resourceVersion ?? '';
      return {
        canary: { ...canary, resourceVersion, routes: canary.routes.map((r) => (r.index === route.index ? after : r)) },
        route: after,
        previousWeight: route.canaryWeight,
        weight,
        changed: true,
        attempts: attempt,
        resourceVersion,
        gate,
        overridden,
      };
    } catch (error) {
      if (!isConflict(error)) throw error;
      options.onConflict?.(attempt, error);
      if (attempt >= maxAttempts)
        throw new ClusterError(
          'conflict',
          `VirtualService ${canary.id} kept changing under this ${action} (route ${routeLabel(route)}): gave up after ${attempt} attempts; nothing was written`,
          409,
        );
      await new Promise((resolve) => setTimeout(resolve, backoff(attempt)));
    }
  }
}

export function setCanaryWeight(client: ClusterClient, ref: CanaryRef | string, percent: number, options?: WeightChangeOptions): Promise<WeightChangeResult> {
  const weight = validatePercent(percent);
  return changeCanaryWeight(client, ref, 'set-weight', () => weight, options);
}

/** The next weight of the configured steps; gates checked first. Refused at 100. */
export function stepCanary(client: ClusterClient, ref: CanaryRef | string, options: WeightChangeOptions = {}): Promise<WeightChangeResult> {
  const steps = options.steps ?? DEFAULT_STEPS;
  return changeCanaryWeight(
    client,
    ref,
    'step',
    (route) => {
      const next = nextStep(route.canaryWeight, steps);
      if (next === undefined)
        throw new ClusterError('refused', `the canary already takes 100 % on route ${routeLabel(route)}: nothing to step; promote is done`);
      return next;
    },
    options,
  );
}

/** 100 % to the canary; gates checked first. */
export function promoteCanary(client: ClusterClient, ref: CanaryRef | string, options?: WeightChangeOptions): Promise<WeightChangeResult> {
  return changeCanaryWeight(client, ref, 'promote', () => 100, options);
}

/** 0 % to the canary; never gated. */
export function rollbackCanary(client: ClusterClient, ref: CanaryRef | string, options?: WeightChangeOptions): Promise<WeightChangeResult> {
  return changeCanaryWeight(client, ref, 'rollback', () => 0, options);
}
