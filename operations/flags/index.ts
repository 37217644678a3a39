/** Feature flags: the flag service interface, Unleash's Admin API, the `flags:` settings. */
export * from './provider';
export { UnleashProvider, DEFAULT_FLAG_REQUEST_TIMEOUT_MS, type UnleashOptions } from './unleash';
export { configuredFlagService, flagProvider, flagSettingsFrom, FLAGS_TOKEN_VARIABLE, loadFlagSettings, type FlagSettings } from './config';
