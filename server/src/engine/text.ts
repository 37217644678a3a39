/** Offset ↔ line/column conversion, done once at the boundary (LSP, CLI). */
export class LineIndex {
  private readonly lineStarts: number[];

  constructor(private readonly text: string) {
    const starts = [0];
    let i = text.indexOf('\n');
    while (i >= 0) {
      starts.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
    this.lineStarts = starts;
  }

  /** 0-based line and UTF-16 character of an offset. */
  position(offset: number): { line: number; character: number } {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - this.lineStarts[lo]! };
  }

  offset(line: number, character: number): number {
    if (line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[Math.max(0, line)]!;
    const lineEnd = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1]! - 1 : this.text.length;
    return Math.min(start + Math.max(0, character), lineEnd);
  }
}

/**
 * Maps UTF-8 byte offsets (what the PostgreSQL parser reports) to UTF-16 offsets
 * (what editors use) within one string. ASCII-only strings map to themselves.
 */
export function byteToCharMapper(text: string): (byteOffset: number) => number {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return (b) => b;
  const charAtByte: number[] = [];
  let byte = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let k = 0; k < size; k++) charAtByte[byte + k] = i;
    byte += size;
    if (code >= 0x10000) i++;
  }
  charAtByte[byte] = text.length;
  return (b) => charAtByte[Math.max(0, Math.min(b, byte))]!;
}
