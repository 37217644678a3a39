/**
 * LaunchDarkly's REST API (v2) as a FlagProvider: the flags of one project with their per-environment
 * targeting, turned on and off and their default rule's rollout set through semantic patch
 * (`turnFlagOn`, `turnFlagOff`, `updateFallthroughVariationOrRollout`). The access token travels in
 * the Authorization header and never appears in messages.
 *
 * A flag's percent is the share of its default ("fallthrough") rule that does not serve the off
 * variation, targets and rules aside; setting it needs a flag of two variations (a boolean flag),
 * the one that is not the off variation being the new code path.
 */
import { FlagApi } from './http';
import { FlagServiceError, type Flag, type FlagEnvironmentState, type FlagProvider, type FlagStatus } from './provider';

export interface LaunchDarklyOptions {
  /** The API host, e.g. https://app.launchdarkly.com (the /api/v2 paths are added). */
  url: string;
  /** An access token (API token or service token) with writer rights. */
  token: string;
  /** The project key. */
  project: string;
  timeoutMs?: number;
}

/** A rollout weight is in thousandths of a percent: 100,000 is everyone. */
const WEIGHT_SCALE = 1000;
const PAGE = 100;
const SEMANTIC_PATCH = 'application/json; domain-model=launchdarkly.semanticpatch';

interface LdVariation {
  _id: string;
  value: unknown;
}

interface LdEnvironment {
  on: boolean;
  offVariation?: number;
  fallthrough?: { variation?: number; rollout?: { variations: { variation: number; weight: number }[] } };
}

interface LdFlag {
  key: string;
  archived?: boolean;
  deprecated?: boolean;
  variations: LdVariation[];
  environments: Record<string, LdEnvironment>;
}

export class LaunchDarklyProvider implements FlagProvider {
  readonly displayUrl: string;
  private readonly api: FlagApi;
  private readonly project: string;

  constructor(options: LaunchDarklyOptions) {
    this.api = new FlagApi({
      url: `${options.url.replace(/\/+$/, '')}/api/v2`,
      token: options.token,
      timeoutMs: options.timeoutMs,
      apiName: 'the LaunchDarkly REST API',
      urlHint: 'the LaunchDarkly host, e.g. https://app.launchdarkly.com',
    });
    this.displayUrl = this.api.displayUrl;
    this.project = options.project;
  }

  async list(): Promise<Flag[]> {
    return (await this.flags()).map(flagOf);
  }

  /** What each flag serves when off in `environment`: its off variation's value (flag-default-mismatch). */
  async definitionDetails(environment?: string): Promise<Map<string, { offValue?: boolean | number | string }>> {
    const details = new Map<string, { offValue?: boolean | number | string }>();
    if (environment === undefined) return details;
    for (const flag of await this.flags()) {
      const off = flag.environments[environment]?.offVariation;
      const value = off === undefined ? undefined : flag.variations[off]?.value;
      if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') details.set(flag.key, { offValue: value });
    }
    return details;
  }

  private async flags(): Promise<LdFlag[]> {
    const flags: LdFlag[] = [];
    // Pages of at most 100 (the API's default is 20), until a page comes back short.
    for (let offset = 0; ; offset += PAGE) {
      const body = (await this.api.request('GET', `flags/${encodeURIComponent(this.project)}?summary=0&limit=${PAGE}&offset=${offset}`)) as
        { items?: LdFlag[] } | undefined;
      if (!Array.isArray(body?.items)) throw this.api.malformed('the flag list has no "items"');
      for (const item of body.items) flags.push(this.checked(item));
      if (body.items.length < PAGE) return flags;
    }
  }

  async status(key: string, environment: string): Promise<FlagStatus> {
    const { flag } = await this.environment(key, environment);
    const state = flagOf(flag).environments.find((e) => e.environment === environment)!;
    return { key, environment, enabled: state.enabled, percent: state.percent, stale: isStale(flag) };
  }

  async setEnabled(key: string, environment: string, enabled: boolean): Promise<FlagStatus> {
    await this.environment(key, environment);
    await this.patch(key, environment, [{ kind: enabled ? 'turnFlagOn' : 'turnFlagOff' }]);
    return this.status(key, environment);
  }

  async setPercent(key: string, environment: string, percent: number): Promise<FlagStatus> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100)
      throw new FlagServiceError('refused', `a rollout percentage is a whole number from 0 to 100, got ${percent}`);
    const { flag, config } = await this.environment(key, environment);
    const { on, off } = onAndOff(flag, config, environment);
    const instruction =
      percent === 100 || percent === 0
        ? { kind: 'updateFallthroughVariationOrRollout', variationId: (percent === 100 ? on : off)._id }
        : {
            kind: 'updateFallthroughVariationOrRollout',
            rolloutWeights: { [on._id]: percent * WEIGHT_SCALE, [off._id]: (100 - percent) * WEIGHT_SCALE },
          };
    await this.patch(key, environment, [instruction]);
    return this.status(key, environment);
  }

  /** The flag with the environment's configuration, or not-found naming what is missing. */
  private async environment(key: string, environment: string): Promise<{ flag: LdFlag; config: LdEnvironment }> {
    let flag: LdFlag;
    try {
      flag = this.checked(
        // Every environment, not ?env=: the message for an unknown one lists those there are.
        (await this.api.request('GET', `flags/${encodeURIComponent(this.project)}/${encodeURIComponent(key)}`)) as LdFlag,
      );
    } catch (error) {
      if (error instanceof FlagServiceError && error.kind === 'not-found')
        throw new FlagServiceError('not-found', `the flag service at ${this.displayUrl} has no flag "${key}" in project "${this.project}"`);
      throw error;
    }
    const config = flag.environments[environment];
    if (!config)
      throw new FlagServiceError(
        'not-found',
        `the flag service at ${this.displayUrl} has no environment "${environment}" for flag "${key}" in project "${this.project}" (its environments: ${Object.keys(flag.environments).join(', ') || 'none'})`,
      );
    return { flag, config };
  }

  private async patch(key: string, environment: string, instructions: object[]): Promise<void> {
    await this.api.request(
      'PATCH',
      `flags/${encodeURIComponent(this.project)}/${encodeURIComponent(key)}`,
      { environmentKey: environment, instructions, comment: 'rollout-guard' },
      SEMANTIC_PATCH,
    );
  }

  private checked(flag: LdFlag | undefined): LdFlag {
    if (!flag || typeof flag.key !== 'string' || !Array.isArray(flag.variations) || typeof flag.environments !== 'object' || !flag.environments)
      throw this.api.malformed(`a flag has no key, variations or environments`);
    return flag;
  }
}

function isStale(flag: LdFlag): boolean {
  return flag.archived === true || flag.deprecated === true;
}

function flagOf(flag: LdFlag): Flag {
  return {
    key: flag.key,
    stale: isStale(flag),
    environments: Object.entries(flag.environments).map(([environment, config]): FlagEnvironmentState => ({
      environment,
      enabled: config.on === true,
      percent: percentOf(config),
    })),
  };
}

/** The share of the default rule that is not the off variation, 0–100 (rounded down). */
export function percentOf(config: LdEnvironment): number {
  const fallthrough = config.fallthrough;
  const off = config.offVariation;
  if (fallthrough?.rollout) {
    const served = fallthrough.rollout.variations.filter((v) => v.variation !== off).reduce((sum, v) => sum + v.weight, 0);
    return Math.floor(served / WEIGHT_SCALE);
  }
  if (fallthrough?.variation === undefined) return 0;
  return fallthrough.variation === off ? 0 : 100;
}

/** The flag's two variations: the off variation and the other one (the new code path); refused otherwise. */
function onAndOff(flag: LdFlag, config: LdEnvironment, environment: string): { on: LdVariation; off: LdVariation } {
  const off = config.offVariation === undefined ? undefined : flag.variations[config.offVariation];
  if (flag.variations.length !== 2 || !off)
    throw new FlagServiceError(
      'refused',
      `flag "${flag.key}" has ${flag.variations.length} variations${off ? '' : ` and no off variation in ${environment}`}: a percentage splits a flag of two variations (a boolean flag) between its off variation and the other`,
    );
  return { on: flag.variations.find((v) => v !== off)!, off };
}
