/**
 * Per-document lint scheduling. A change to a quiet document is linted on the next tick
 * (no fixed delay, so feedback is immediate); changes arriving while a lint runs are
 * coalesced into one more run afterwards. That is the debounce: bursts of keystrokes cost
 * at most one lint in flight plus one queued per document.
 *
 * Documents open in the editor go first. Files nobody has open (the workspace files an edit
 * affects) are linted one at a time in the background, yielding between files, so the next
 * keystroke in an open document waits for at most one of them, not for all.
 */
export class LintScheduler {
  private readonly running = new Set<string>();
  private readonly pending = new Set<string>();
  private readonly queued = new Map<string, NodeJS.Immediate>();
  private readonly background = new Set<string>();
  private draining = false;

  constructor(
    private readonly lint: (uri: string) => Promise<void>,
    private readonly onError: (uri: string, error: unknown) => void,
    private readonly isOpen: (uri: string) => boolean = () => true,
  ) {}

  schedule(uri: string): void {
    if (this.running.has(uri)) {
      this.pending.add(uri);
      return;
    }
    if (this.queued.has(uri) || this.background.has(uri)) return;
    if (!this.isOpen(uri)) {
      this.background.add(uri);
      this.drain();
      return;
    }
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
    this.background.delete(uri);
    this.pending.delete(uri);
  }

  /** Background files, one per turn of the event loop: open documents' lints and new messages come between. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      const next = this.background.values().next();
      if (next.done) {
        this.draining = false;
        return;
      }
      this.background.delete(next.value);
      void this.run(next.value).finally(() => {
        this.draining = false;
        if (this.background.size) this.drain();
      });
    });
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
