/**
 * Splits a SQL file into statements without parsing it, the way psql does:
 * a `;` ends a statement unless it sits inside a string, a quoted identifier,
 * a comment, parentheses, a dollar-quoted body or a `BEGIN ATOMIC … END` body.
 * psql meta-commands (`\set …`) and `COPY … FROM stdin` data are skipped so that
 * psql scripts lint cleanly. Offsets are UTF-16 indexes into the text.
 */
export interface SqlPiece {
  /** Offset of the first token (comments before it belong to `leadingStart`). */
  start: number;
  /** Offset just past the statement, excluding the terminating `;`. */
  end: number;
  /** Offset of the terminating `;`, or -1 at end of file. */
  semicolon: number;
  /** Start of the comments and blank space before the statement. */
  leadingStart: number;
}

export interface SqlComment {
  start: number;
  end: number;
  /** `--` line comment or `/* … *\/` block comment. */
  text: string;
}

export interface SplitResult {
  pieces: SqlPiece[];
  comments: SqlComment[];
}

const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
const isIdentChar = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;

export function splitSql(text: string): SplitResult {
  const pieces: SqlPiece[] = [];
  const comments: SqlComment[] = [];
  scan(text, 0, pieces, comments);
  return { pieces, comments };
}

/**
 * Scans `text` from `from`, which is 0 or a resume point of an earlier scan (where the previous
 * statement ended: the scanner holds nothing there), appending to `pieces` and `comments`.
 * Stops early at the first resume point for which `stopAt` says yes, returning it; or returns -1
 * at the end of the text.
 */
/** drizzle-kit's separator between the statements of a migration. */
export const DRIZZLE_BREAKPOINT = '--> statement-breakpoint';
/** The marker that ends a goose or sql-migrate statement block. */
const STATEMENT_END = /^--\s*\+(?:goose|migrate)\s+StatementEnd\b/i;

function scan(text: string, from: number, pieces: SqlPiece[], comments: SqlComment[], stopAt?: (resume: number) => boolean): number {
  const n = text.length;
  let i = from;
  let depth = 0;
  let stmtStart = -1;
  let leadingStart = from;
  // Words of the current statement, lowercased, to recognise BEGIN ATOMIC and COPY … FROM stdin.
  let words: string[] = [];
  let atomicDepth = 0;
  // Every resume point but the start of the text follows a non-blank character.
  let atLineStart = from === 0;

  const finish = (end: number, semicolon: number, resume = semicolon >= 0 ? semicolon + 1 : n): void => {
    if (stmtStart >= 0) {
      pieces.push({ start: stmtStart, end, semicolon, leadingStart });
    }
    const copyFromStdin = words[0] === 'copy' && words.includes('from') && words.includes('stdin') && semicolon >= 0;
    stmtStart = -1;
    depth = 0;
    atomicDepth = 0;
    words = [];
    i = resume;
    if (copyFromStdin) i = skipCopyData(text, i);
    leadingStart = i;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    // Whitespace
    if (c === 32 || c === 9 || c === 13 || c === 12) {
      i++;
      continue;
    }
    if (c === 10) {
      atLineStart = true;
      i++;
      continue;
    }
    const lineStart = atLineStart;
    atLineStart = false;
    // psql meta-command (`\set x`, `SELECT … \gset`): runs to the end of the line and
    // sends a pending statement, as psql does.
    if (c === 92 && (lineStart || stmtStart >= 0)) {
      const eol = text.indexOf('\n', i);
      const end = eol < 0 ? n : eol;
      if (stmtStart >= 0) finish(trimEnd(text, i), -1, end);
      i = end;
      leadingStart = i;
      if (stopAt?.(i)) return i;
      continue;
    }
    // -- comment
    if (c === 45 && text.charCodeAt(i + 1) === 45) {
      const eol = text.indexOf('\n', i);
      const end = eol < 0 ? n : eol;
      comments.push({ start: i, end, text: text.slice(i, end) });
      // goose and sql-migrate send what a StatementBegin … StatementEnd block holds as one statement, `;` or not;
      // drizzle splits its migrations at `--> statement-breakpoint`.
      if (stmtStart >= 0 && ((lineStart && STATEMENT_END.test(text.slice(i, end))) || text.startsWith(DRIZZLE_BREAKPOINT, i))) {
        finish(trimEnd(text, i), -1, end);
        if (stopAt?.(i)) return i;
        continue;
      }
      i = end;
      continue;
    }
    // /* comment */ (nested)
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = skipBlockComment(text, i);
      comments.push({ start: i, end, text: text.slice(i, end) });
      i = end;
      continue;
    }
    // A `;` with no statement before it (`;;`, a lone `;`) is an empty statement: psql sends nothing.
    if (c === 59 /* ; */ && stmtStart < 0) {
      finish(i, i);
      if (stopAt?.(i)) return i;
      continue;
    }
    if (stmtStart < 0) stmtStart = i;
    if (c === 59 /* ; */) {
      if (depth === 0 && atomicDepth === 0) {
        finish(i, i);
        if (stopAt?.(i)) return i;
        continue;
      }
      i++;
      continue;
    }
    if (c === 40 /* ( */ || c === 91 /* [ */) {
      depth++;
      i++;
      continue;
    }
    if (c === 41 || c === 93) {
      if (depth > 0) depth--;
      i++;
      continue;
    }
    if (c === 39 /* ' */) {
      const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
      const escapes = prev === 69 || prev === 101; // E'...'
      i = skipQuoted(text, i, 39, escapes);
      continue;
    }
    if (c === 34 /* " */) {
      i = skipQuoted(text, i, 34, false);
      words.push('"');
      continue;
    }
    if (c === 36 /* $ */) {
      const tagEnd = dollarTagEnd(text, i);
      if (tagEnd > 0) {
        const tag = text.slice(i, tagEnd);
        const close = text.indexOf(tag, tagEnd);
        i = close < 0 ? n : close + tag.length;
        continue;
      }
      i++;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      // Only the first words matter; avoid lowercasing every identifier of huge statements.
      if (words.length < 64 || atomicDepth > 0) {
        const word = text.slice(i, j).toLowerCase();
        if (words.length < 64) words.push(word);
        if (word === 'atomic' && words[words.length - 2] === 'begin') atomicDepth = 1;
        else if (atomicDepth > 0) {
          if (word === 'case' || word === 'begin') atomicDepth++;
          else if (word === 'end') atomicDepth--;
        }
      }
      i = j;
      continue;
    }
    i++;
  }
  if (stmtStart >= 0) finish(n, -1);
  return -1;
}

/** Where an edit changed a text: old[prefix, oldLength - suffix) became new[prefix, newLength - suffix). */
export interface TextChange {
  prefix: number;
  suffix: number;
}

/** The longest common prefix and suffix of two texts, compared in blocks (fast on large files). */
export function diffTexts(before: string, after: string): TextChange {
  const shorter = Math.min(before.length, after.length);
  // Slices share the texts' memory, and comparing two of them is a memory compare.
  let prefix = 0;
  for (let block = 4096; block >= 1; block >>= 3) {
    while (prefix + block <= shorter && after.slice(prefix, prefix + block) === before.slice(prefix, prefix + block)) prefix += block;
  }
  let suffix = 0;
  const room = shorter - prefix;
  const b = before.length;
  const a = after.length;
  for (let block = 4096; block >= 1; block >>= 3) {
    while (suffix + block <= room && after.slice(a - suffix - block, a - suffix) === before.slice(b - suffix - block, b - suffix)) suffix += block;
  }
  return { prefix, suffix };
}

/**
 * The split of `text`, given the split of `before` and where they differ: rescans only from the
 * last statement boundary before the change up to the first boundary after it that the old split
 * also had, and takes the rest from the old split, shifted. Pieces before the change are the old
 * objects. Gives exactly what splitSql(text) gives.
 */
export function resplitSql(before: SplitResult, text: string, change: TextChange, beforeLength: number): IncrementalSplit {
  const old = before.pieces;
  const delta = text.length - beforeLength;
  // The last old piece whose leading comments start in unchanged text: everything before it stays.
  // Strictly before the change: a boundary after a psql meta-command is the newline ending it.
  let kept = upperBound(old, change.prefix - 1, (p) => p.leadingStart);
  while (kept > 0 && old[kept - 1]!.leadingStart === 0) kept--; // the start of the text is no resume point
  const from = kept > 0 ? old[kept - 1]!.leadingStart : 0;
  const rescanFrom = kept > 0 ? kept - 1 : 0;
  const pieces = old.slice(0, rescanFrom);
  const comments = before.comments.slice(
    0,
    upperBound(before.comments, from - 1, (c) => c.start),
  );
  const unchangedFrom = text.length - change.suffix;
  let resumeOld = -1;
  const stop = scan(text, from, pieces, comments, (resume) => {
    if (resume < unchangedFrom || resume - delta <= 0) return false;
    // A boundary after the change that the old split had too: from here on the texts agree.
    const index = upperBound(old, resume - delta, (p) => p.leadingStart) - 1;
    if (index < 0 || old[index]!.leadingStart !== resume - delta) return false;
    resumeOld = index;
    return true;
  });
  const rescanned = pieces.length;
  if (stop >= 0) {
    for (let k = resumeOld; k < old.length; k++) {
      const p = old[k]!;
      pieces.push(
        delta === 0
          ? p
          : { start: p.start + delta, end: p.end + delta, semicolon: p.semicolon >= 0 ? p.semicolon + delta : -1, leadingStart: p.leadingStart + delta },
      );
    }
    const firstComment = upperBound(before.comments, stop - delta - 1, (c) => c.start);
    for (let k = firstComment; k < before.comments.length; k++) {
      const c = before.comments[k]!;
      comments.push(delta === 0 ? c : { start: c.start + delta, end: c.end + delta, text: c.text });
    }
  }
  return {
    pieces,
    comments,
    keptBefore: rescanFrom,
    rescannedUpTo: rescanned,
    oldIndexAfter: stop >= 0 ? resumeOld : old.length,
    delta,
    change,
    length: text.length,
  };
}

/** A split made from an earlier one: which new pieces are which old ones. */
export interface IncrementalSplit extends SplitResult {
  /** Pieces [0, keptBefore) are the old pieces [0, keptBefore), unchanged. */
  keptBefore: number;
  /** Pieces from rescannedUpTo on are the old pieces from oldIndexAfter on, moved by delta. */
  rescannedUpTo: number;
  oldIndexAfter: number;
  delta: number;
  change: TextChange;
  /** Length of the new text. */
  length: number;
}

/** Index of the first item whose key is greater than `value` (items sorted by key). */
function upperBound<T>(items: readonly T[], value: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]!) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function trimEnd(text: string, end: number): number {
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  return end;
}

function skipBlockComment(text: string, i: number): number {
  let level = 0;
  const n = text.length;
  while (i < n) {
    if (text.charCodeAt(i) === 47 && text.charCodeAt(i + 1) === 42) {
      level++;
      i += 2;
    } else if (text.charCodeAt(i) === 42 && text.charCodeAt(i + 1) === 47) {
      level--;
      i += 2;
      if (level === 0) return i;
    } else i++;
  }
  return n;
}

function skipQuoted(text: string, i: number, quote: number, backslashEscapes: boolean): number {
  const n = text.length;
  i++;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (backslashEscapes && c === 92) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (text.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return n;
}

/** End of a `$tag$` opener starting at i, or -1 if this `$` does not open a dollar quote. */
function dollarTagEnd(text: string, i: number): number {
  // A `$` right after an identifier character is part of the identifier (e.g. a$b), not a quote.
  if (i > 0 && isIdentChar(text.charCodeAt(i - 1))) return -1;
  let j = i + 1;
  if (text.charCodeAt(j) === 36) return j + 1;
  if (!isIdentStart(text.charCodeAt(j))) return -1;
  while (j < text.length && isIdentChar(text.charCodeAt(j)) && text.charCodeAt(j) !== 36) j++;
  return text.charCodeAt(j) === 36 ? j + 1 : -1;
}

/** Skips `COPY … FROM stdin` data up to and including the `\.` line. */
function skipCopyData(text: string, i: number): number {
  const eol = text.indexOf('\n', i);
  if (eol < 0) return text.length;
  let pos = eol + 1;
  while (pos < text.length) {
    const next = text.indexOf('\n', pos);
    const line = text.slice(pos, next < 0 ? text.length : next).replace(/\r$/, '');
    if (line === '\\.') return next < 0 ? text.length : next + 1;
    if (next < 0) return text.length;
    pos = next + 1;
  }
  return text.length;
}
