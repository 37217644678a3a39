/**
 * What the engine knows of a flag service: a snapshot of its flag definitions, fetched by the
 * language server or the CLI (operations/flags) and handed in as pure data. The flag rules, the
 * hover and the CodeLens read only this; no snapshot (no `flags:`, or the service unreachable)
 * means no finding about flags.
 */

/** A flag's state in one environment. */
export interface FlagEnvironmentDefinition {
  environment: string;
  enabled: boolean;
  /** The share of users it is on for when enabled, 0–100. */
  percent: number;
}

export interface FlagDefinition {
  key: string;
  /** Marked stale in the service. */
  stale: boolean;
  environments: FlagEnvironmentDefinition[];
  /** When what the flag serves last changed in any environment (ms since the epoch), where the service tells. */
  changedAt?: number;
  /** What the flag serves when it is off, where the service tells (false for an Unleash flag). */
  offValue?: boolean | number | string;
  /** What the flag evaluates to, where the definitions can be evaluated where they are read (flagd). */
  evaluation?: FlagEvaluation;
}

/** A flag evaluated by its own service's evaluator, in the configured environment. */
export interface FlagEvaluation {
  /** With an empty evaluation context: the evaluator's reason (STATIC, TARGETING_MATCH, DEFAULT, DISABLED, …). */
  reason: string;
  /** The variant served, and its value as JSON; none when the code's default is served. */
  variant?: string;
  value?: string;
  /** A fractional split of targetingKeys: each variant's share in percent. */
  split?: { variant: string; value: string; percent: number }[];
}

export interface FlagSnapshot {
  /** The service as messages name it: its URL without credentials. */
  service: string;
  /** The environment shown first (flags.environment). */
  environment?: string;
  /** When the definitions were read (ms since the epoch): "now" for the staleness of flags. */
  fetchedAt: number;
  /** flags.staleAfterDays: a flag serving the same to everyone everywhere for longer is stale. */
  staleAfterDays: number;
  flags: readonly FlagDefinition[];
}

export const DEFAULT_STALE_AFTER_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

const byKeyCache = new WeakMap<FlagSnapshot, Map<string, FlagDefinition>>();

/** The snapshot's flag named `key`, looked up in a map built once per snapshot. */
export function flagOf(snapshot: FlagSnapshot, key: string): FlagDefinition | undefined {
  let byKey = byKeyCache.get(snapshot);
  if (!byKey) byKeyCache.set(snapshot, (byKey = new Map(snapshot.flags.map((f) => [f.key, f]))));
  return byKey.get(key);
}

/** "on", "off" or "25 %". */
export function stateText(state: FlagEnvironmentDefinition): string {
  if (!state.enabled || state.percent === 0) return 'off';
  return state.percent >= 100 ? 'on' : `${state.percent} %`;
}

/** The flag's environments, the configured one first. */
export function environmentsOf(flag: FlagDefinition, snapshot: FlagSnapshot): FlagEnvironmentDefinition[] {
  const first = flag.environments.filter((e) => e.environment === snapshot.environment);
  return [...first, ...flag.environments.filter((e) => e.environment !== snapshot.environment)];
}

/** One line: "payment-new-flow: production 25 % · development on". */
export function flagSummary(flag: FlagDefinition, snapshot: FlagSnapshot): string {
  const states = environmentsOf(flag, snapshot).map((e) => `${e.environment} ${stateText(e)}`);
  return `${flag.key}: ${states.join(' · ') || 'no environment'}${staleReason(flag, snapshot) ? ' · stale' : ''}`;
}

/**
 * Why the flag is stale, or undefined: marked stale in the service, or serving the same to
 * everyone (fully on, or off) in every environment since longer than staleAfterDays.
 */
export function staleReason(flag: FlagDefinition, snapshot: FlagSnapshot): string | undefined {
  if (flag.stale) return 'it is marked stale in the flag service';
  if (flag.changedAt === undefined || flag.environments.length === 0) return undefined;
  const states = flag.environments.map(stateText);
  const same = states[0] === 'on' || states[0] === 'off' ? states[0] : undefined;
  if (!same || states.some((s) => s !== same)) return undefined;
  const days = Math.floor((snapshot.fetchedAt - flag.changedAt) / DAY_MS);
  if (days < snapshot.staleAfterDays) return undefined;
  return `it has been fully ${same} in every environment (${flag.environments.map((e) => e.environment).join(', ')}) for ${days} days, longer than flags.staleAfterDays (${snapshot.staleAfterDays})`;
}

/** "Evaluates to `true` (variant on, STATIC) …; fractional: on (true) for 25 % of targetingKeys, off (false) for 75 %". */
export function evaluationText(evaluation: FlagEvaluation): string {
  const served =
    evaluation.variant === undefined
      ? `serves the code's default (${evaluation.reason})`
      : `evaluates to \`${evaluation.value}\` (variant ${evaluation.variant}, ${evaluation.reason})`;
  const split = evaluation.split?.map((s) => `${s.variant} (\`${s.value}\`) for ${s.percent} %`).join(', ');
  return `With an empty context it ${served}.${split ? ` Fractional split: ${split} of targetingKeys.` : ''}`;
}

/** Existing keys closest to `key` by edit distance, nearest first: at most `limit`, and only plausible typos. */
export function closestKeys(key: string, snapshot: FlagSnapshot, limit = 3): string[] {
  // A typo is usually repeated across files: measured once per snapshot.
  let known = closest.get(snapshot);
  if (!known) closest.set(snapshot, (known = new Map()));
  const cacheKey = `${limit}\0${key}`;
  let keys = known.get(cacheKey);
  if (!keys) known.set(cacheKey, (keys = measureClosest(key, snapshot, limit)));
  return keys;
}

const closest = new WeakMap<FlagSnapshot, Map<string, string[]>>();

function measureClosest(key: string, snapshot: FlagSnapshot, limit: number): string[] {
  const most = Math.max(2, Math.floor(key.length / 3));
  return snapshot.flags
    .map((f) => ({ key: f.key, distance: editDistance(key.toLowerCase(), f.key.toLowerCase()) }))
    .filter((c) => c.distance <= most)
    .sort((a, b) => a.distance - b.distance || a.key.localeCompare(b.key))
    .slice(0, limit)
    .map((c) => c.key);
}

/** Levenshtein distance, with a swap of two neighbours counting as one edit. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
