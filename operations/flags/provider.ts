/**
 * What Rollout Guard asks of a feature-flag service (Unleash now; LaunchDarkly and flagd later):
 * read flags with their state per environment, turn one on or off, set its rollout percentage.
 * Every failure is a FlagServiceError whose message names the service (its URL without
 * credentials) and never the token.
 */
import type { FlagDefinition } from '../../server/src/engine/flags/snapshot';

/** A flag's state in one environment. */
export interface FlagEnvironmentState {
  environment: string;
  enabled: boolean;
  /**
   * The share of users it is on for when enabled, 0–100: the rollout of its percentage strategy;
   * 100 when a strategy serves everyone (or there is none). "Fully on" is enabled with percent 100.
   */
  percent: number;
}

export interface Flag {
  key: string;
  /** Marked stale in the service: the code that reads it is due for removal. */
  stale: boolean;
  environments: FlagEnvironmentState[];
}

/** One flag in one environment: what `flag status --format json` prints. */
export interface FlagStatus {
  key: string;
  environment: string;
  enabled: boolean;
  percent: number;
  stale: boolean;
}

export interface FlagProvider {
  /** The service as messages name it: its URL without credentials. */
  readonly displayUrl: string;
  list(): Promise<Flag[]>;
  /**
   * The flags as they serve, for flag reads in code: like list(), but an environment that is off
   * may say 0 % (what it would serve if turned on is not read). Where the service tells that in
   * fewer requests than list() (Unleash: no request per flag that is off everywhere).
   */
  listServing?(): Promise<Flag[]>;
  status(key: string, environment: string): Promise<FlagStatus>;
  /** Turns the flag on or off in the environment; its rollout percentage stays. */
  setEnabled(key: string, environment: string, enabled: boolean): Promise<FlagStatus>;
  /** Sets the rollout percentage (0–100) in the environment; on or off stays as it is. */
  setPercent(key: string, environment: string, percent: number): Promise<FlagStatus>;
  /**
   * For flag reads in code, where the service tells: per key, when what the flag serves last
   * changed (ms since the epoch), what it serves when off (in `environment`, where that differs per
   * environment), what it evaluates to. Without it only the stale mark counts.
   */
  definitionDetails?(environment?: string): Promise<Map<string, Pick<FlagDefinition, 'changedAt' | 'offValue' | 'evaluation'>>>;
}

/** A flag service and the environment a command acts in. */
export interface FlagAccess {
  provider: FlagProvider;
  environment: string;
}

/** The flag service, or why it cannot be used (no token, no environment), for the message. */
export type FlagService = FlagAccess | { unavailable: string };

export type FlagServiceFailure =
  /** No answer (connection refused, DNS, TLS) or none in time. */
  | 'unreachable'
  /** The token is missing, wrong or lacks the permission. */
  | 'unauthorized'
  /** No such flag, project or environment. */
  | 'not-found'
  /** The change cannot be made as asked; nothing was written. */
  | 'refused'
  /** The service failed (5xx, 429) or did not answer like its API. */
  | 'server';

export class FlagServiceError extends Error {
  override readonly name = 'FlagServiceError';
  constructor(
    readonly kind: FlagServiceFailure,
    message: string,
  ) {
    super(message);
  }

  /** Refusals are exit 1 in the CLI; everything else (connection, token, unknown names) exit 2. */
  get isRefusal(): boolean {
    return this.kind === 'refused';
  }
}
