/**
 * The flag service from the `flags:` section of .rollout-guard.yaml (its shape is checked by the
 * one configuration loader; its values here, with their line). The token never comes from the
 * file: the CLI reads ROLLOUT_GUARD_FLAGS_TOKEN.
 */
import { ConfigError } from '../../server/src/engine/config';
import { loadConfig, type LoadedConfig } from '../../server/src/workspace/config-file';
import type { FlagProvider, FlagService } from './provider';
import { UnleashProvider } from './unleash';

export interface FlagSettings {
  provider: 'unleash';
  /** The API base URL, e.g. http://127.0.0.1:4242/api */
  url: string;
  /** The environment commands act on unless told another. */
  environment?: string;
  project: string;
}

const PLANNED_PROVIDERS = ['launchdarkly', 'flagd'];

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
  const provider = flags.provider ?? 'unleash';
  if (provider !== 'unleash')
    throw file.errorAt(
      ['flags', 'provider'],
      PLANNED_PROVIDERS.includes(provider)
        ? `flags.provider ${provider} is not supported yet: only unleash is.`
        : `flags.provider must be unleash, ${PLANNED_PROVIDERS.join(' or ')}, got ${JSON.stringify(provider)}.`,
    );
  if (!flags.url) throw file.errorAt(['flags'], 'flags.url is missing: the flag service API base, e.g. http://127.0.0.1:4242/api.');
  if (!/^https?:\/\/\S+$/.test(flags.url)) throw file.errorAt(['flags', 'url'], 'flags.url must start with http:// or https://.');
  if (/^https?:\/\/[^/?#]*@/.test(flags.url))
    throw file.errorAt(['flags', 'url'], 'flags.url must not hold a user name or password: the token comes from ROLLOUT_GUARD_FLAGS_TOKEN.');
  if (flags.environment === '') throw file.errorAt(['flags', 'environment'], 'flags.environment is empty.');
  return { provider, url: flags.url, environment: flags.environment, project: flags.project || 'default' };
}

/** The configured service's provider, with the token from where the caller keeps it (never the file). */
export function flagProvider(settings: FlagSettings, token: string, options: { timeoutMs?: number } = {}): FlagProvider {
  return new UnleashProvider({ url: settings.url, token, project: settings.project, timeoutMs: options.timeoutMs });
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
  },
): FlagService | undefined {
  if (!file?.sections.flags) return undefined;
  const settings = flagSettingsFrom(file);
  if (!settings.environment) return { unavailable: `flags.environment is not set in ${file.source}: the environment the switch phase ramps the flag in` };
  if (!options.token) return { unavailable: `no token for the flag service at ${settings.url}: ${options.tokenHint}` };
  return { provider: flagProvider(settings, options.token, { timeoutMs: options.timeoutMs }), environment: settings.environment };
}
