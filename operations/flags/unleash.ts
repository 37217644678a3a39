/**
 * The Unleash Admin API (Unleash OSS 6.x) as a FlagProvider: flags of one project with their
 * environments and strategies, environments turned on and off, the `flexibleRollout` strategy's
 * rollout set. The token travels in the Authorization header and never appears in messages.
 */
import { mapLimited } from '../../server/src/engine/map-limited';
import { FlagApi } from './http';
import { FlagServiceError, type Flag, type FlagEnvironmentState, type FlagProvider, type FlagStatus } from './provider';

/**
 * Flag details fetched at once by `list` (one request per flag: the project list has no strategies).
 * Unleash answers each in tens of milliseconds: 50 flags took 0.45 s eight at a time, 0.23 s sixteen at a time.
 */
const LIST_CONCURRENCY = 16;

export interface UnleashOptions {
  /** The API base URL, e.g. http://127.0.0.1:4242/api */
  url: string;
  /** An admin API token (or a personal access token). */
  token: string;
  project: string;
  timeoutMs?: number;
}

/** Events that change what a flag serves in an environment. */
const STATE_EVENTS = new Set([
  'feature-environment-enabled',
  'feature-environment-disabled',
  'feature-strategy-add',
  'feature-strategy-update',
  'feature-strategy-remove',
]);

/** A strategy as the Admin API returns it. */
interface UnleashStrategy {
  id: string;
  name: string;
  title?: string | null;
  disabled?: boolean | null;
  sortOrder?: number;
  constraints?: unknown[];
  variants?: unknown[];
  segments?: unknown[];
  parameters?: Record<string, string>;
}

interface UnleashFeature {
  name: string;
  stale?: boolean;
  environments?: { name: string; enabled: boolean; strategies?: UnleashStrategy[] }[];
}

/** A flag as the project's list gives it: its environments without strategies, but whether they have active ones. */
interface UnleashListedFeature {
  name?: unknown;
  stale?: unknown;
  createdAt?: unknown;
  environments?: { name?: unknown; enabled?: unknown; hasEnabledStrategies?: unknown }[];
}

export class UnleashProvider implements FlagProvider {
  readonly displayUrl: string;
  private readonly api: FlagApi;
  private readonly project: string;
  /** The project's flag list being read: list/listServing and definitionDetails of one snapshot share one request. */
  private projectList: Promise<UnleashListedFeature[]> | undefined;

  constructor(options: UnleashOptions) {
    this.api = new FlagApi({ ...options, apiName: 'the Unleash Admin API', urlHint: 'the Unleash API base, e.g. http://127.0.0.1:4242/api' });
    this.displayUrl = this.api.displayUrl;
    this.project = options.project;
  }

  async list(): Promise<Flag[]> {
    return this.readFlags(await this.listedFeatures());
  }

  /**
   * The project's list says which environments are on and whether they have active strategies:
   * only a flag on somewhere with a strategy needs its own request (for its percentage). An
   * environment that is on with no active strategy serves everyone; one that is off, nobody.
   */
  async listServing(): Promise<Flag[]> {
    const listed = await this.listedFeatures();
    const needsStrategies = (f: UnleashListedFeature): boolean => (f.environments ?? []).some((e) => e.enabled === true && e.hasEnabledStrategies !== false);
    const read = new Map((await this.readFlags(listed.filter(needsStrategies))).map((flag) => [flag.key, flag]));
    return listed.map(
      (f) =>
        read.get(String(f.name)) ?? {
          key: String(f.name),
          stale: f.stale === true,
          environments: (f.environments ?? []).map((e) => ({
            environment: String(e.name),
            enabled: e.enabled === true,
            percent: e.enabled === true ? 100 : 0,
          })),
        },
    );
  }

  /** The listed flags, each read on its own (several at a time), in list order. */
  private readFlags(listed: UnleashListedFeature[]): Promise<Flag[]> {
    return mapLimited(listed, LIST_CONCURRENCY, async (f) => flagOf(await this.feature(String(f.name))));
  }

  /** The project's flag list; callers at the same time share one request. */
  private listedFeatures(): Promise<UnleashListedFeature[]> {
    this.projectList ??= (async () => {
      const body = (await this.api.request('GET', this.projectPath('features'))) as { features?: UnleashListedFeature[] } | undefined;
      if (!Array.isArray(body?.features)) throw this.api.malformed('the project has no "features" list');
      return body.features;
    })().finally(() => (this.projectList = undefined));
    return this.projectList;
  }

  async status(key: string, environment: string): Promise<FlagStatus> {
    const flag = flagOf(await this.feature(key));
    const state = flag.environments.find((e) => e.environment === environment);
    if (!state)
      throw new FlagServiceError(
        'not-found',
        `the flag service at ${this.displayUrl} has no environment "${environment}" for flag "${key}" in project "${this.project}" (its environments: ${flag.environments.map((e) => e.environment).join(', ') || 'none'})`,
      );
    return { key, environment, enabled: state.enabled, percent: state.percent, stale: flag.stale };
  }

  async setEnabled(key: string, environment: string, enabled: boolean): Promise<FlagStatus> {
    await this.status(key, environment);
    await this.api.request('POST', this.environmentPath(key, environment, enabled ? 'on' : 'off'));
    return this.status(key, environment);
  }

  async setPercent(key: string, environment: string, percent: number): Promise<FlagStatus> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100)
      throw new FlagServiceError('refused', `a rollout percentage is a whole number from 0 to 100, got ${percent}`);
    await this.status(key, environment);
    const detail = (await this.api.request('GET', this.environmentPath(key, environment))) as { strategies?: UnleashStrategy[] } | undefined;
    if (!Array.isArray(detail?.strategies)) throw this.api.malformed(`flag "${key}" in ${environment} has no "strategies" list`);
    const active = detail.strategies.filter((s) => !s.disabled);
    const rollouts = active.filter((s) => s.name === 'flexibleRollout');
    const rollout = String(percent);
    if (rollouts.length === 1) {
      const s = rollouts[0]!;
      await this.api.request('PUT', this.environmentPath(key, environment, `strategies/${encodeURIComponent(s.id)}`), {
        name: s.name,
        title: s.title,
        disabled: s.disabled,
        sortOrder: s.sortOrder,
        constraints: s.constraints,
        variants: s.variants,
        segments: s.segments,
        parameters: { ...s.parameters, rollout },
      });
    } else if (active.length === 0) {
      await this.api.request('POST', this.environmentPath(key, environment, 'strategies'), {
        name: 'flexibleRollout',
        constraints: [],
        parameters: { rollout, stickiness: 'default', groupId: key },
      });
    } else {
      // Strategies add up (a user is served when any one serves them): one percentage among others would not be the flag's.
      const names = active.map((s) => s.name).join(', ');
      throw new FlagServiceError(
        'refused',
        rollouts.length > 1
          ? `flag "${key}" has ${rollouts.length} flexibleRollout strategies in ${environment}: which one is its percentage is for you to decide in Unleash`
          : `flag "${key}" has no flexibleRollout strategy in ${environment} but other strategies (${names}): add a flexibleRollout strategy in Unleash to set a percentage`,
      );
    }
    return this.status(key, environment);
  }

  /**
   * When what each flag serves last changed: the latest of its creation and its events that turn an
   * environment on or off or change a strategy, from the project's event log. That log answers
   * with its latest 100 events: when it holds more, a flag with no event among them is taken to
   * have changed when the oldest of them happened (the latest it can have), never earlier. An
   * Unleash flag serves false when off.
   */
  async definitionDetails(): Promise<Map<string, { changedAt?: number; offValue: boolean }>> {
    const [features, log] = await Promise.all([
      this.listedFeatures(),
      this.api.request('GET', `admin/events?project=${encodeURIComponent(this.project)}`) as Promise<
        { events?: { type?: unknown; featureName?: unknown; createdAt?: unknown }[]; totalEvents?: unknown } | undefined
      >,
    ]);
    if (!Array.isArray(log?.events)) throw this.api.malformed('the event log has no "events" list');
    const timeOf = (value: unknown): number | undefined => {
      const t = typeof value === 'string' ? Date.parse(value) : NaN;
      return Number.isFinite(t) ? t : undefined;
    };
    const changed = new Map<string, number>();
    for (const event of log.events) {
      const at = timeOf(event.createdAt);
      if (typeof event.featureName !== 'string' || at === undefined || !STATE_EVENTS.has(String(event.type))) continue;
      changed.set(event.featureName, Math.max(changed.get(event.featureName) ?? 0, at));
    }
    const times = log.events.map((e) => timeOf(e.createdAt)).filter((t): t is number => t !== undefined);
    const truncated = typeof log.totalEvents === 'number' && log.totalEvents > log.events.length;
    const floor = truncated && times.length ? Math.min(...times) : undefined;
    const details = new Map<string, { changedAt?: number; offValue: boolean }>();
    for (const f of features) {
      const name = String(f.name);
      const known = [timeOf(f.createdAt), changed.get(name), floor].filter((t): t is number => t !== undefined);
      details.set(name, { changedAt: known.length ? Math.max(...known) : undefined, offValue: false });
    }
    return details;
  }

  private async feature(key: string): Promise<UnleashFeature> {
    const body = (await this.api.request('GET', this.projectPath(`features/${encodeURIComponent(key)}`))) as UnleashFeature | undefined;
    if (!body || typeof body.name !== 'string' || !Array.isArray(body.environments)) throw this.api.malformed(`flag "${key}" has no name or environments`);
    return body;
  }

  private projectPath(rest: string): string {
    return `admin/projects/${encodeURIComponent(this.project)}/${rest}`;
  }

  private environmentPath(key: string, environment: string, rest?: string): string {
    return this.projectPath(`features/${encodeURIComponent(key)}/environments/${encodeURIComponent(environment)}${rest ? `/${rest}` : ''}`);
  }
}

function flagOf(feature: UnleashFeature): Flag {
  return {
    key: feature.name,
    stale: feature.stale === true,
    environments: (feature.environments ?? []).map((e): FlagEnvironmentState => ({
      environment: e.name,
      enabled: e.enabled === true,
      percent: percentOf(e.strategies ?? []),
    })),
  };
}

/**
 * The share of users the strategies serve, constraints and segments aside: strategies add up, so
 * the largest share; a percentage strategy's rollout, 100 for `default` or no strategy at all, 0 for
 * strategies that pick users by name or address.
 */
export function percentOf(strategies: UnleashStrategy[]): number {
  const active = strategies.filter((s) => !s.disabled);
  if (active.length === 0) return 100;
  const shareOf = (s: UnleashStrategy): number => {
    if (s.name === 'default') return 100;
    const raw = s.name === 'flexibleRollout' ? s.parameters?.rollout : /^gradualRollout/.test(s.name) ? s.parameters?.percentage : undefined;
    const n = Number(raw);
    return raw !== undefined && Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : 0;
  };
  return Math.max(...active.map(shareOf));
}
