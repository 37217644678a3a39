import type { Scheduler } from '../../operations/gates';

/** A clock that only moves when the test says so. */
export class FakeClock implements Scheduler {
  now = 0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 0;
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.now + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time forward and runs the timers that came due. */
  advance(ms: number): void {
    this.now += ms;
    const due = this.timers.filter((t) => t.at <= this.now);
    this.timers = this.timers.filter((t) => t.at > this.now);
    for (const t of due) t.callback();
  }
}
