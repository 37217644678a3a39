/**
 * The flag service's definitions as the lint engine takes them (a FlagSnapshot: pure data), read
 * in one go: `check` reads them once per run, the VS Code client once per FLAG_SNAPSHOT_TTL_MS, and
 * every file is checked against that one read, never a request per file. A failure is an answer
 * too: one message, and no findings from an older snapshot.
 */
import { DEFAULT_STALE_AFTER_DAYS, type FlagDefinition, type FlagSnapshot } from '../../server/src/engine/flags/snapshot';
import type { FlagSettings } from './config';
import { FlagServiceError, type FlagProvider } from './provider';

/** How long one read of the flag definitions is used in the editor before it is read again. */
export const FLAG_SNAPSHOT_TTL_MS = 60_000;

export type SnapshotAnswer = { snapshot: FlagSnapshot } | { problem: string };

/** Reads every flag of the service once: the snapshot, or what went wrong (a message without the token). */
export async function readFlagSnapshot(provider: FlagProvider, settings: Pick<FlagSettings, 'environment' | 'staleAfterDays'>): Promise<SnapshotAnswer> {
  try {
    const [flags, details] = await Promise.all([provider.listServing?.() ?? provider.list(), provider.definitionDetails?.(settings.environment)]);
    const definitions: FlagDefinition[] = flags.map((f) => ({ key: f.key, stale: f.stale, environments: f.environments, ...details?.get(f.key) }));
    return {
      snapshot: {
        service: provider.displayUrl,
        environment: settings.environment,
        fetchedAt: Date.now(),
        staleAfterDays: settings.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS,
        flags: definitions,
      },
    };
  } catch (error) {
    if (error instanceof FlagServiceError) return { problem: error.message };
    return { problem: `reading the flag service at ${provider.displayUrl} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
