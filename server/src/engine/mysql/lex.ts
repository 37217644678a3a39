/**
 * MySQL tokens with document offsets: `backquoted` identifiers, '…' and "…" strings with
 * backslash escapes, `#` and `-- ` comments, and `/*! … *\/` version comments, whose content
 * MySQL runs as code (so it is tokenized; only the markers are skipped).
 */
export interface Token {
  /** UTF-16 offsets in the document. */
  start: number;
  end: number;
  /** Lowercased word, identifier text without quotes, or the punctuation / literal text. */
  text: string;
  kind: 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'variable';
}

/** An identifier as written: a word's original case, a quoted name without its backquotes. */
export const nameOf = (text: string, t: Token): string => (t.kind === 'quoted' ? t.text : text.slice(t.start, t.end));

export interface LexProblem {
  start: number;
  end: number;
  message: string;
}

const isWordStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 128;
const isWordChar = (c: number): boolean => isWordStart(c) || (c >= 48 && c <= 57);
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/** `-- ` starts a comment only when followed by whitespace or the end (MySQL's rule: `a--1` is arithmetic). */
export function isDashComment(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== 45 || text.charCodeAt(i + 1) !== 45) return false;
  const next = text.charCodeAt(i + 2);
  if (Number.isNaN(next) || isSpace(next)) return true;
  // Liquibase's `--changeset a:1` and `--rollback …` lines: `--` first on its line is a comment to the tools that run the file.
  for (let k = i - 1; k >= 0; k--) {
    const c = text.charCodeAt(k);
    if (c === 10) return true;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** End of a quoted run starting at `i` (the quote), honouring doubled quotes and backslash escapes. */
export function skipQuoted(text: string, i: number, to: number, quote: number): { end: number; closed: boolean } {
  const backslash = quote !== 96;
  let j = i + 1;
  while (j < to) {
    const c = text.charCodeAt(j);
    if (backslash && c === 92) j += 2;
    else if (c === quote) {
      if (text.charCodeAt(j + 1) === quote) j += 2;
      else return { end: j + 1, closed: true };
    } else j++;
  }
  return { end: to, closed: false };
}

export function tokenize(text: string, from: number, to: number, problems?: LexProblem[]): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === 35 || isDashComment(text, i)) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 || eol > to ? to : eol;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      if (text.charCodeAt(i + 2) === 33) {
        // `/*!50100 …` : skip the marker and version, keep the content; `*/` is skipped below.
        i += 3;
        while (i < to && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
        continue;
      }
      const close = text.indexOf('*/', i + 2);
      if (close < 0 || close + 2 > to) problems?.push({ start: i, end: i + 2, message: 'Unterminated /* comment.' });
      i = close < 0 || close + 2 > to ? to : close + 2;
    } else if (c === 42 && text.charCodeAt(i + 1) === 47) {
      // End of a version comment.
      i += 2;
    } else if (c === 96 || c === 39 || c === 34) {
      const { end, closed } = skipQuoted(text, i, to, c);
      if (!closed)
        problems?.push({
          start: i,
          end: i + 1,
          message: `Unterminated ${c === 96 ? 'quoted identifier' : 'string'}: the ${String.fromCharCode(c)} has no closing quote.`,
        });
      const inner = text.slice(i + 1, closed ? end - 1 : end);
      tokens.push(
        c === 96
          ? { start: i, end, text: inner.replace(/``/g, '`'), kind: 'quoted' }
          : { start: i, end, text: text.slice(i, end), kind: c === 34 ? 'string' : 'string' },
      );
      i = end;
    } else if (c === 64) {
      // @var, @@session.var, @`quoted`
      let j = i + 1;
      if (text.charCodeAt(j) === 64) j++;
      while (j < to && (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === 46)) j++;
      tokens.push({ start: i, end: j, text: text.slice(i, j).toLowerCase(), kind: 'variable' });
      i = j;
    } else if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < to && /[0-9a-zA-Z_.]/.test(text[j]!)) j++;
      // 1e10, 0x1F, 1.5 — and identifiers that start with digits (`1col`) are words in MySQL.
      const raw = text.slice(i, j);
      tokens.push({ start: i, end: j, text: raw.toLowerCase(), kind: /^[0-9]+(\.[0-9]*)?(e[0-9]+)?$|^0x[0-9a-f]+$|^0b[01]+$/i.test(raw) ? 'number' : 'word' });
      i = j;
    } else if (c === 36 && text.charCodeAt(i + 1) === 123) {
      // A migration tool's placeholder (Flyway `${schema}`, Liquibase `${table}`) stands for a name.
      const close = text.indexOf('}', i + 2);
      const end = close < 0 || close >= to ? to : close + 1;
      tokens.push({ start: i, end, text: text.slice(i, end).toLowerCase(), kind: 'word' });
      i = end;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < to && isWordChar(text.charCodeAt(j))) j++;
      // _utf8mb4'…', X'…', B'…', N'…' literals
      if (text.charCodeAt(j) === 39 && (j - i === 1 || text.charCodeAt(i) === 95)) {
        const { end } = skipQuoted(text, j, to, 39);
        tokens.push({ start: i, end, text: text.slice(i, end), kind: 'string' });
        i = end;
        continue;
      }
      tokens.push({ start: i, end: j, text: text.slice(i, j).toLowerCase(), kind: 'word' });
      i = j;
    } else {
      // Two-character operators matter for `:=`, `<=`, `>=`, `<>`, `!=`, `->`, `->>`.
      const two = text.slice(i, i + 2);
      const op = ['<=', '>=', '<>', '!=', ':=', '->', '||', '&&', '<<', '>>'].includes(two) ? (text.slice(i, i + 3) === '->>' ? '->>' : two) : text[i]!;
      tokens.push({ start: i, end: i + op.length, text: op, kind: 'punct' });
      i += op.length;
    }
  }
  return tokens;
}
