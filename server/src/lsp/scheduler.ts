/**
 * Per-document lint scheduling. A change to a quiet document is linted on the next tick
 * (no fixed delay, so feedback is immediate); changes arriving while a lint runs are
 * coalesced into one more run afterwards. That is the debounce: bursts of keystrokes cost
 * at most one lint in flight plus one queued per document.
 */
export class LintScheduler {
  private readonly running = new Set<string>();
  private readonly pending = new Set<string>();
  private readonly queued = new Map<string, NodeJS.Immediate>();

  constructor(
    private readonly lint: (uri: string) => Promise<void>,
    private readonly onError: (uri: string, error: unknown) => void,
  ) {}

  schedule(uri: string): void {
    if (this.running.has(uri)) {
      this.pending.add(uri);
      return;
    }
    if (this.queued.has(uri)) return;
    this.queued.set(
      uri,
      setImmediate(() => {
        this.queued.delete(uri);
        void this.run(uri);
      }),
    );
  }

  cancel(uri: string): void {
    const timer = this.queued.get(uri);
    if (timer) clearImmediate(timer);
    this.queued.delete(uri);
    this.pending.delete(uri);
  }

  private async run(uri: string): Promise<void> {
    this.running.add(uri);
    try {
      await this.lint(uri);
    } catch (error) {
      this.onError(uri, error);
    } finally {
      this.running.delete(uri);
      if (this.pending.delete(uri)) this.schedule(uri);
    }
  }
}
