/** Feature flags: the flag service interface, its providers (Unleash's Admin API, LaunchDarkly's REST API, flagd files and FeatureFlag resources), the `flags:` settings. */
export * from './provider';
export { UnleashProvider, type UnleashOptions } from './unleash';
export { DEFAULT_FLAG_REQUEST_TIMEOUT_MS } from './http';
export {
  configuredFlagService,
  flagServiceOf,
  flagProvider,
  flagUrlProblem,
  flagSettingsFrom,
  FLAGS_TOKEN_VARIABLE,
  loadFlagSettings,
  needsToken,
  type FlagSettings,
} from './config';
export { LaunchDarklyProvider, type LaunchDarklyOptions } from './launchdarkly';
export { FlagdProvider, FlagdFile, type FlagdOptions, type FlagdSource } from './flagd';
export { FeatureFlagSource, type ClusterConnector } from './feature-flag';
export { evaluateFlagd } from './flagd-evaluation';
export { readFlagSnapshot, FLAG_SNAPSHOT_TTL_MS, type SnapshotAnswer } from './snapshot';
