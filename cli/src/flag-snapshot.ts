/**
 * The flag service's definitions for `check` (its flag reads in TS/JS). A bundle of its own
 * (dist/cli-flags.js, scripts/build.mjs): `check` with flags: configured starts without parsing
 * the Kubernetes and PostgreSQL clients of the other commands.
 */
import {
  flagProvider,
  FlagServiceError,
  FLAGS_TOKEN_VARIABLE as TOKEN_VARIABLE,
  loadFlagSettings,
  needsToken,
  readFlagSnapshot,
  type ClusterConnector,
  type SnapshotAnswer,
} from '../../operations/flags';

/**
 * The flag service's definitions for `check` (flag reads in TS/JS), read once for the run, or the
 * one line saying why there are none. Throws ConfigError for a wrong flags: section.
 */
export async function flagSnapshotForCheck(
  cwd: string,
  configFile: string | undefined,
  env: NodeJS.ProcessEnv,
  /** The cluster of a FeatureFlag (flags.featureFlag). */
  cluster?: ClusterConnector,
): Promise<SnapshotAnswer> {
  const settings = loadFlagSettings({ cwd, configFile });
  const token = env[TOKEN_VARIABLE];
  if (needsToken(settings) && !token) return { problem: `no token for the flag service at ${'url' in settings ? settings.url : ''}: set ${TOKEN_VARIABLE}` };
  try {
    return await readFlagSnapshot(flagProvider(settings, token, { cluster }), settings);
  } catch (error) {
    if (error instanceof FlagServiceError) return { problem: error.message };
    throw error;
  }
}
