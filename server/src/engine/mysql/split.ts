/**
 * Splits a MySQL script into statements as the mysql client does: quotes (`…`, '…', "…"
 * with backslash escapes), comments (#, `-- `, /* *\/), `DELIMITER` lines, and, as Flyway
 * and Liquibase do, BEGIN … END bodies of routines and triggers kept whole without a
 * DELIMITER change.
 */
import { isDashComment, skipQuoted } from './lex';

export interface MysqlPiece {
  start: number;
  end: number;
  /** Offset of the delimiter that ends the statement, or -1 at the end of the file. */
  delimiter: number;
  /** Where the comments and blank lines before the statement start. */
  leadingStart: number;
}

export interface MysqlComment {
  start: number;
  end: number;
  text: string;
}

const ROUTINE = new Set(['procedure', 'function', 'trigger', 'event']);
/** `END IF`, `END LOOP`, … close blocks that did not open with BEGIN or CASE. */
const END_OF_OTHER = new Set(['if', 'loop', 'while', 'repeat']);

export function splitMysql(text: string): { pieces: MysqlPiece[]; comments: MysqlComment[] } {
  const pieces: MysqlPiece[] = [];
  const comments: MysqlComment[] = [];
  const n = text.length;
  let delimiter = ';';
  let i = 0;
  let stmtStart = -1;
  let leadingStart = 0;
  let atLineStart = true;
  let words: string[] = [];
  let blockDepth = 0;
  let lastWord = '';

  const finish = (end: number, delimiterAt: number): void => {
    if (stmtStart >= 0) pieces.push({ start: stmtStart, end: trimEnd(text, end), delimiter: delimiterAt, leadingStart });
    stmtStart = -1;
    words = [];
    blockDepth = 0;
    lastWord = '';
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      atLineStart = true;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12) {
      i++;
      continue;
    }
    const lineStart = atLineStart;
    atLineStart = false;
    // DELIMITER is a client command: a whole line, outside any statement.
    if (lineStart && stmtStart < 0 && /^delimiter[ \t]/i.test(text.slice(i, i + 10))) {
      const eol = text.indexOf('\n', i);
      const end = eol < 0 ? n : eol;
      const value = text.slice(i + 10, end).trim();
      if (value) delimiter = value;
      comments.push({ start: i, end, text: text.slice(i, end) });
      i = end;
      leadingStart = i;
      continue;
    }
    if (c === 35 || isDashComment(text, i)) {
      const eol = text.indexOf('\n', i);
      const end = eol < 0 ? n : eol;
      comments.push({ start: i, end, text: text.slice(i, end) });
      i = end;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 && text.charCodeAt(i + 2) !== 33) {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? n : close + 2;
      comments.push({ start: i, end, text: text.slice(i, end) });
      i = end;
      continue;
    }
    if (text.startsWith(delimiter, i) && blockDepth === 0) {
      if (stmtStart >= 0) finish(i, i);
      i += delimiter.length;
      leadingStart = i;
      continue;
    }
    if (stmtStart < 0) stmtStart = i;
    if (c === 96 || c === 39 || c === 34) {
      i = skipQuoted(text, i, n, c).end;
      continue;
    }
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(text[j]!)) j++;
      const word = text.slice(i, j).toLowerCase();
      if (words.length < 8) words.push(word);
      // Routine bodies: BEGIN … END may hold `;` when the delimiter was not changed.
      if (delimiter === ';' && words[0] === 'create' && words.some((w) => ROUTINE.has(w))) {
        if (word === 'begin' || (word === 'case' && lastWord !== 'end')) blockDepth++;
        else if (lastWord === 'end' && END_OF_OTHER.has(word))
          blockDepth++; // undo the END counted below
        else if (word === 'end' && blockDepth > 0) blockDepth--;
      }
      lastWord = word;
      i = j;
      continue;
    }
    i++;
  }
  if (stmtStart >= 0) finish(n, -1);
  return { pieces, comments };
}

function trimEnd(text: string, end: number): number {
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  return end;
}
