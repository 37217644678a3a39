/**
 * The flag service's definitions as the lint engine takes them (a FlagSnapshot: pure data), read
 * once and kept for a short time: the language server and `check` ask for it per file, the service
 * is asked at most once per TTL. A failure is an answer too (kept as briefly), so an unreachable
 * service is one message, not one per file, and never findings from an older snapshot.
 */
import { DEFAULT_STALE_AFTER_DAYS, type FlagDefinition, type FlagSnapshot } from '../../server/src/engine/flags/snapshot';
import type { FlagSettings } from './config';
import { FlagServiceError, type FlagProvider } from './provider';

/** How long one read of the flag definitions is used. */
export const FLAG_SNAPSHOT_TTL_MS = 60_000;

export type SnapshotAnswer = { snapshot: FlagSnapshot } | { problem: string };

/** Reads every flag of the service once: the snapshot, or what went wrong (a message without the token). */
export async function readFlagSnapshot(
  provider: FlagProvider,
  settings: Pick<FlagSettings, 'environment' | 'staleAfterDays'>,
  now = Date.now,
): Promise<SnapshotAnswer> {
  try {
    const [flags, details] = await Promise.all([provider.list(), provider.definitionDetails?.()]);
    const definitions: FlagDefinition[] = flags.map((f) => ({ key: f.key, stale: f.stale, environments: f.environments, ...details?.get(f.key) }));
    return {
      snapshot: {
        service: provider.displayUrl,
        environment: settings.environment,
        fetchedAt: now(),
        staleAfterDays: settings.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS,
        flags: definitions,
      },
    };
  } catch (error) {
    if (error instanceof FlagServiceError) return { problem: error.message };
    return { problem: `reading the flag service at ${provider.displayUrl} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** One snapshot at a time, read again after the TTL; concurrent askers share one read. */
export class FlagSnapshotCache {
  private current?: { at: number; answer: Promise<SnapshotAnswer> };

  constructor(
    private readonly read: () => Promise<SnapshotAnswer>,
    private readonly ttlMs = FLAG_SNAPSHOT_TTL_MS,
    private readonly now = Date.now,
  ) {}

  get(): Promise<SnapshotAnswer> {
    if (!this.current || this.now() - this.current.at >= this.ttlMs) this.current = { at: this.now(), answer: this.read() };
    return this.current.answer;
  }

  /** The last answer, whatever its age (for "last known" displays); undefined before the first read ends. */
  async lastAnswer(): Promise<SnapshotAnswer | undefined> {
    return this.current?.answer;
  }

  /** Forget the answer: the next get() reads again (the settings changed, or the user asked). */
  clear(): void {
    this.current = undefined;
  }
}
