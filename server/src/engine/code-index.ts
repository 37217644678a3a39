/**
 * Where identifiers appear in the workspace's application code (TS/JS/Python/Go/Ruby/SQL outside
 * the migrations), for column-still-referenced. Connection-free: the caller gives the files.
 */
import { LineIndex } from './text';
import type { RelatedLocation } from './types';

export const CODE_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py|go|rb|sql)$/i;
/** Folders that hold migrations, dependencies or build output, not the application's code. */
export const NOT_APPLICATION_CODE = /(^|[\\/])(migrations?|node_modules|\.git|dist|build|out|vendor|venv|\.venv|__pycache__|target)([\\/]|$)/i;
/** At most this many places are listed per finding. */
const MAX_REFERENCES = 20;

export class CodeIndex {
  private readonly files = new Map<string, string>();
  private readonly lines = new Map<string, LineIndex>();
  /** Changes on every update: lint results that used the index are stale after it. */
  version = 0;

  set(file: string, text: string): void {
    this.files.set(file, text);
    this.lines.delete(file);
    this.version++;
  }

  delete(file: string): void {
    if (this.files.delete(file)) {
      this.lines.delete(file);
      this.version++;
    }
  }

  get size(): number {
    return this.files.size;
  }

  /** Places where `word` appears as a whole word (not inside a longer identifier). */
  references(word: string): RelatedLocation[] {
    const pattern = new RegExp(`(?<![A-Za-z0-9_$])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_$])`, 'g');
    const out: RelatedLocation[] = [];
    for (const [file, text] of this.files) {
      for (let m = pattern.exec(text); m && out.length < MAX_REFERENCES; m = pattern.exec(text)) {
        let index = this.lines.get(file);
        if (!index) this.lines.set(file, (index = new LineIndex(text)));
        out.push({ file, start: index.position(m.index), end: index.position(m.index + word.length), message: `${word} is still used here` });
      }
      pattern.lastIndex = 0;
      if (out.length >= MAX_REFERENCES) break;
    }
    return out;
  }
}
