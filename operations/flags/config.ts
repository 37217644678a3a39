/**
 * The flag service from the `flags:` section of .rollout-guard.yaml (its shape is checked by the
 * one configuration loader; its values here, with their line). The token never comes from the
 * file: the CLI reads ROLLOUT_GUARD_FLAGS_TOKEN. Providers: unleash (the default), launchdarkly, flagd.
 */
import { ConfigError } from '../../server/src/engine/config';
import { loadConfig, type LoadedConfig } from '../../server/src/workspace/config-file';
import type { FlagProvider, FlagService } from './provider';
import path from 'node:path';
import { FeatureFlagSource, FEATURE_FLAG_REFERENCE, type ClusterConnector } from './feature-flag';
import { FlagdFile, FlagdProvider } from './flagd';
import { LaunchDarklyProvider } from './launchdarkly';
import { UnleashProvider } from './unleash';

export type FlagSettings =
  | {
      provider: 'unleash' | 'launchdarkly';
      /** The API base: Unleash's (http://127.0.0.1:4242/api), LaunchDarkly's host (https://app.launchdarkly.com). */
      url: string;
      /** The environment commands act on unless told another. */
      environment?: string;
      project: string;
      /** A flag serving the same to everyone everywhere for longer is stale (stale-flag). */
      staleAfterDays?: number;
    }
  | {
      provider: 'flagd';
      /** The flag-definition file, absolute (written relative to the configuration file); or: */
      file?: string;
      /** The OpenFeature Operator's FeatureFlag resource holding the definition, `namespace/name`, in the kubeconfig's cluster. */
      featureFlag?: string;
      /** The environment the file is. */
      environment?: string;
      staleAfterDays?: number;
    };

const PROVIDERS = ['unleash', 'launchdarkly', 'flagd'] as const;

/** The flag service of the configuration found from `cwd` (or `configFile`). Throws ConfigError. */
export function loadFlagSettings(options: { cwd: string; configFile?: string }): FlagSettings {
  return flagSettingsFrom(loadConfig(options.cwd, options.configFile));
}

/** The flag service of a configuration file already read. Throws ConfigError. */
export function flagSettingsFrom(file: LoadedConfig | undefined): FlagSettings {
  const flags = file?.sections.flags;
  if (!file || !flags)
    throw new ConfigError(
      `no flag service configured: add a flags: section to ${file?.source ?? '.rollout-guard.yaml'}, e.g. flags: { provider: unleash, url: http://127.0.0.1:4242/api, environment: production }`,
    );
  const provider = (flags.provider ?? 'unleash') as FlagSettings['provider'];
  if (!PROVIDERS.includes(provider))
    throw file.errorAt(['flags', 'provider'], `flags.provider must be ${PROVIDERS.join(', ')}, got ${JSON.stringify(provider)}.`);
  if (flags.environment === '') throw file.errorAt(['flags', 'environment'], 'flags.environment is empty.');
  if (flags.staleAfterDays !== undefined && !(Number.isInteger(flags.staleAfterDays) && flags.staleAfterDays >= 1))
    throw file.errorAt(['flags', 'staleAfterDays'], `flags.staleAfterDays must be a whole number of days, at least 1, got ${flags.staleAfterDays}.`);
  if (provider === 'flagd') {
    if (!flags.file && !flags.featureFlag)
      throw file.errorAt(
        ['flags'],
        'flags.file or flags.featureFlag is missing: the flagd flag-definition file (e.g. flags/flags.flagd.json) or the FeatureFlag resource holding it (namespace/name).',
      );
    if (flags.file && flags.featureFlag)
      throw file.errorAt(['flags', 'featureFlag'], 'flags.file and flags.featureFlag are two places for one definition: keep one.');
    if (flags.featureFlag && !FEATURE_FLAG_REFERENCE.test(flags.featureFlag))
      throw file.errorAt(['flags', 'featureFlag'], `flags.featureFlag must be namespace/name of a FeatureFlag, got ${JSON.stringify(flags.featureFlag)}.`);
    if (flags.url) throw file.errorAt(['flags', 'url'], 'flags.url is for unleash and launchdarkly; flagd reads flags.file or flags.featureFlag.');
    const where = flags.file ? { file: path.resolve(path.dirname(file.path), flags.file) } : { featureFlag: flags.featureFlag };
    return { provider, ...where, environment: flags.environment, staleAfterDays: flags.staleAfterDays };
  }
  const example = provider === 'unleash' ? 'http://127.0.0.1:4242/api' : 'https://app.launchdarkly.com';
  if (!flags.url) throw file.errorAt(['flags'], `flags.url is missing: the flag service API base, e.g. ${example}.`);
  const urlProblem = flagUrlProblem(flags.url);
  if (urlProblem === 'scheme') throw file.errorAt(['flags', 'url'], 'flags.url must start with http:// or https://.');
  if (urlProblem === 'credentials')
    throw file.errorAt(['flags', 'url'], 'flags.url must not hold a user name or password: the token comes from ROLLOUT_GUARD_FLAGS_TOKEN.');
  if (flags.file) throw file.errorAt(['flags', 'file'], `flags.file is for flagd; ${provider} reads flags.url.`);
  if (flags.featureFlag) throw file.errorAt(['flags', 'featureFlag'], `flags.featureFlag is for flagd; ${provider} reads flags.url.`);
  return { provider, url: flags.url, environment: flags.environment, project: flags.project || 'default', staleAfterDays: flags.staleAfterDays };
}

/** What is wrong with a flag service URL (the file's flags.url, the editor's rolloutGuard.flags.url): not http(s), or credentials in it. */
export function flagUrlProblem(url: string): 'scheme' | 'credentials' | undefined {
  if (!/^https?:\/\/\S+$/.test(url)) return 'scheme';
  if (/^https?:\/\/[^/?#]*@/.test(url)) return 'credentials';
  return undefined;
}

/** The configured service's provider, with the token from where the caller keeps it (never the file; flagd needs none). */
export function flagProvider(
  settings: FlagSettings,
  token: string | undefined,
  options: {
    timeoutMs?: number;
    /** How to reach the cluster of a FeatureFlag (flags.featureFlag); without it a FeatureFlag cannot be read. */
    cluster?: ClusterConnector;
  } = {},
): FlagProvider {
  switch (settings.provider) {
    case 'flagd':
      return new FlagdProvider({
        source: settings.file ? new FlagdFile(settings.file) : new FeatureFlagSource(settings.featureFlag!, options.cluster ?? noCluster),
        environment: settings.environment ?? 'default',
      });
    case 'launchdarkly':
      return new LaunchDarklyProvider({ url: settings.url, token: token ?? '', project: settings.project, timeoutMs: options.timeoutMs });
    case 'unleash':
      return new UnleashProvider({ url: settings.url, token: token ?? '', project: settings.project, timeoutMs: options.timeoutMs });
  }
}

const noCluster: ClusterConnector = () => Promise.reject(new Error('no cluster to read a FeatureFlag from was given'));

/** Whether the provider needs a token (a flagd file is read from disk, a FeatureFlag with the kubeconfig's credentials). */
export function needsToken(settings: FlagSettings): boolean {
  return settings.provider !== 'flagd';
}

/** The variable the CLI reads the token from. */
export const FLAGS_TOKEN_VARIABLE = 'ROLLOUT_GUARD_FLAGS_TOKEN';

/**
 * The flag service of a configuration file already read, for commands that need it only for some
 * plans (the switch phase, contract): undefined without a flags: section, unavailable (with why)
 * without a token or an environment. Throws ConfigError for a flags: section that is wrong.
 */
export function configuredFlagService(
  file: LoadedConfig | undefined,
  options: {
    token: string | undefined;
    /** Where the token should come from, for the message. */
    tokenHint: string;
    timeoutMs?: number;
    cluster?: ClusterConnector;
  },
): FlagService | undefined {
  return file?.sections.flags ? flagServiceOf(flagSettingsFrom(file), file.source, options) : undefined;
}

/** The flag service of settings read from `source` (a configuration file, with the editor's settings over it). */
export function flagServiceOf(
  settings: FlagSettings,
  source: string,
  options: { token: string | undefined; tokenHint: string; timeoutMs?: number; cluster?: ClusterConnector },
): FlagService {
  if (!settings.environment) return { unavailable: `flags.environment is not set in ${source}: the environment the switch phase ramps the flag in` };
  if (needsToken(settings) && !options.token)
    return { unavailable: `no token for the flag service at ${'url' in settings ? settings.url : ''}: ${options.tokenHint}` };
  return {
    provider: flagProvider(settings, options.token, { timeoutMs: options.timeoutMs, cluster: options.cluster }),
    environment: settings.environment,
  };
}
