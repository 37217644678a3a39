/** Feature flags: the flag service interface, its providers (Unleash's Admin API, LaunchDarkly's REST API, flagd files), the `flags:` settings. */
export * from './provider';
export { UnleashProvider, type UnleashOptions } from './unleash';
export { DEFAULT_FLAG_REQUEST_TIMEOUT_MS } from './http';
export {
  configuredFlagService,
  flagProvider,
  flagUrlProblem,
  flagSettingsFrom,
  FLAGS_TOKEN_VARIABLE,
  loadFlagSettings,
  needsToken,
  type FlagSettings,
} from './config';
export { LaunchDarklyProvider, type LaunchDarklyOptions } from './launchdarkly';
export { FlagdProvider, type FlagdOptions } from './flagd';
export { readFlagSnapshot, FLAG_SNAPSHOT_TTL_MS, type SnapshotAnswer } from './snapshot';
