/** A small SQL tokenizer for one statement: enough to place findings on keywords and actions. */
export interface Token {
  /** UTF-16 offsets in the document. */
  start: number;
  end: number;
  /** Lowercased word, or the punctuation / literal text. */
  text: string;
  kind: 'word' | 'quoted' | 'string' | 'number' | 'punct';
}

const isWordStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
const isWordChar = (c: number): boolean => isWordStart(c) || (c >= 48 && c <= 57) || c === 36;

export function tokenize(text: string, from: number, to: number): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      i++;
    } else if (c === 45 && text.charCodeAt(i + 1) === 45) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 || eol > to ? to : eol;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 || close > to ? to : close + 2;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < to && isWordChar(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 39 && j - i === 1 && /[eEbBxXuU]/.test(text[i]!)) {
        // E'…', B'…', X'…' literal
        j = skipString(text, j, to, text[i] === 'e' || text[i] === 'E');
        tokens.push({ start: i, end: j, text: text.slice(i, j), kind: 'string' });
      } else tokens.push({ start: i, end: j, text: text.slice(i, j).toLowerCase(), kind: 'word' });
      i = j;
    } else if (c === 34) {
      let j = i + 1;
      while (j < to) {
        if (text.charCodeAt(j) === 34) {
          if (text.charCodeAt(j + 1) === 34) j += 2;
          else break;
        } else j++;
      }
      j = Math.min(j + 1, to);
      tokens.push({ start: i, end: j, text: text.slice(i + 1, j - 1).replace(/""/g, '"'), kind: 'quoted' });
      i = j;
    } else if (c === 39) {
      const j = skipString(text, i, to, false);
      tokens.push({ start: i, end: j, text: text.slice(i, j), kind: 'string' });
      i = j;
    } else if (c === 36 && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(text.slice(i, i + 64))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64))![0];
      const close = text.indexOf(tag, i + tag.length);
      const j = close < 0 || close + tag.length > to ? to : close + tag.length;
      tokens.push({ start: i, end: j, text: text.slice(i, j), kind: 'string' });
      i = j;
    } else if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < to && /[0-9.eE_]/.test(text[j]!)) j++;
      tokens.push({ start: i, end: j, text: text.slice(i, j), kind: 'number' });
      i = j;
    } else {
      tokens.push({ start: i, end: i + 1, text: text[i]!, kind: 'punct' });
      i++;
    }
  }
  return tokens;
}

function skipString(text: string, i: number, to: number, backslashEscapes: boolean): number {
  i++;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (backslashEscapes && c === 92) i += 2;
    else if (c === 39) {
      if (text.charCodeAt(i + 1) === 39) i += 2;
      else return i + 1;
    } else i++;
  }
  return to;
}
