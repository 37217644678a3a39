/**
 * Parse outcomes by statement text, for the editor: every keystroke re-lints a file whose other
 * statements are unchanged. A one-pass run (the CLI) turns caching off with
 * keepParsedStatements(0): it parses each statement once, and kept trees would only cost memory.
 */
let limit = 20_000;

/** How many statements each cache keeps (about; 0: none). */
export function keepParsedStatements(count: number): void {
  limit = count;
}

/**
 * Two generations instead of a strict LRU list: a hit in the older one moves to the newer one, and
 * when the newer one is full the older one is dropped whole. Recently used statements stay; no
 * per-entry bookkeeping or eviction scan.
 */
export class StatementCache<T> {
  private recent = new Map<string, T>();
  private older = new Map<string, T>();

  get(key: string): T | undefined {
    const hit = this.recent.get(key);
    if (hit !== undefined) return hit;
    const old = this.older.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: string, value: T): void {
    if (limit === 0) return;
    if (this.recent.size >= Math.ceil(limit / 2)) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(key, value);
  }
}
