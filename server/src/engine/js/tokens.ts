/**
 * A small JS/TS tokenizer rather than the TypeScript compiler (9 MB in every bundle): it knows
 * comments, strings, nested templates and regular-expression literals, which is all it takes
 * to tell code from text. Shared by the scanners that read application code.
 */

export interface Literal {
  kind: 'string' | 'template';
  start: number;
  end: number;
  substitutions: { start: number; end: number }[];
}

export type ScriptToken =
  | { type: 'ident'; text: string; start: number; end: number }
  | { type: 'punct'; text: string; start: number; end: number }
  | ({ type: 'literal'; text: '' } & Literal);

/** Keywords after which `/` starts a regular expression, not a division. */
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'instanceof']);

const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 128;
const isIdentChar = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57);

/** A script's tokens: what tokenizeScript returns (read-only: callers share it). */
export interface ScriptTokens {
  readonly tokens: readonly ScriptToken[];
  readonly comments: readonly { start: number; end: number }[];
}

/** The last script tokenized: one file's SQL, environment and flag reads are looked for in turn, each from its tokens. */
let last: { text: string; tokens: ScriptTokens } | undefined;

/** Tokens of a JS/TS file (comments reported separately). */
export function tokenizeScript(text: string): ScriptTokens {
  if (last?.text !== text) last = { text, tokens: tokenize(text) };
  return last.tokens;
}

function tokenize(text: string): { tokens: ScriptToken[]; comments: { start: number; end: number }[] } {
  const tokens: ScriptToken[] = [];
  const comments: { start: number; end: number }[] = [];
  const n = text.length;
  // Brace depth of each open template substitution: `}` at that depth resumes the template.
  const templateStack: { depth: number; literal: Literal }[] = [];
  let braceDepth = 0;
  let i = 0;

  const regexAllowed = (): boolean => {
    const last = tokens[tokens.length - 1];
    if (!last) return true;
    if (last.type === 'literal') return false;
    if (last.type === 'ident') return REGEX_AFTER_WORD.has(last.text);
    return !(last.text === ')' || last.text === ']' || last.text === '}');
  };

  /** Scans template text from i (after ` or }) to the closing ` or the next ${. */
  const scanTemplate = (literal: Literal, from: number): number => {
    let j = from;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 92) j += 2;
      else if (c === 96) {
        literal.end = j + 1;
        tokens.push({ type: 'literal', text: '', ...literal });
        return j + 1;
      } else if (c === 36 && text.charCodeAt(j + 1) === 123) {
        literal.substitutions.push({ start: j, end: -1 });
        templateStack.push({ depth: braceDepth, literal });
        braceDepth++;
        return j + 2;
      } else j++;
    }
    literal.end = n;
    tokens.push({ type: 'literal', text: '', ...literal });
    return n;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const eol = text.indexOf('\n', i);
      const end = eol < 0 ? n : eol;
      comments.push({ start: i, end });
      i = end;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? n : close + 2;
      comments.push({ start: i, end });
      i = end;
    } else if (c === 39 || c === 34) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== c && text.charCodeAt(j) !== 10) j += text.charCodeAt(j) === 92 ? 2 : 1;
      const end = Math.min(j + 1, n);
      tokens.push({ type: 'literal', text: '', kind: 'string', start: i, end, substitutions: [] });
      i = end;
    } else if (c === 96) {
      i = scanTemplate({ kind: 'template', start: i, end: -1, substitutions: [] }, i + 1);
    } else if (c === 47 && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 92) j += 2;
        else if (d === 10) break;
        else if (d === 91 || d === 93) {
          inClass = d === 91;
          j++;
        } else if (d === 47 && !inClass) break;
        else j++;
      }
      j++;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      tokens.push({ type: 'punct', text: 'regex', start: i, end: j });
      i = j;
    } else if (isIdentStart(c) || c === 35) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      tokens.push({ type: 'ident', text: text.slice(i, j), start: i, end: j });
      i = j;
    } else if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && /[\w.]/.test(text[j]!)) j++;
      tokens.push({ type: 'punct', text: 'number', start: i, end: j });
      i = j;
    } else {
      if (c === 123) braceDepth++;
      else if (c === 125) {
        braceDepth--;
        const open = templateStack[templateStack.length - 1];
        if (open && open.depth === braceDepth) {
          templateStack.pop();
          open.literal.substitutions[open.literal.substitutions.length - 1]!.end = i + 1;
          i = scanTemplate(open.literal, i + 1);
          continue;
        }
      }
      tokens.push({ type: 'punct', text: text[i]!, start: i, end: i + 1 });
      i++;
    }
  }
  // Literals are pushed when they close: a template holding templates closes after them.
  tokens.sort((a, b) => a.start - b.start);
  return { tokens, comments };
}

/** The value of a string literal, or of a template literal without substitutions; undefined otherwise. */
export function constantString(text: string, token: ScriptToken | undefined): string | undefined {
  if (token?.type !== 'literal' || token.substitutions.length > 0 || token.end - token.start < 2) return undefined;
  const body = text.slice(token.start + 1, token.end - 1);
  return body.includes('\\') ? body.replace(/\\(.)/g, '$1') : body;
}
