/**
 * Finds SQL in TypeScript/JavaScript: string and template literals passed as the first
 * argument of query(…), execute(…), raw(…) (and their ORM spellings), and templates tagged
 * `sql`. A small tokenizer rather than the TypeScript compiler (9 MB in every bundle): it
 * knows comments, strings, nested templates and regular-expression literals, which is all
 * it takes to tell code from text.
 */

export interface SqlLiteral {
  /** Offsets of the quotes (start: the opening quote; end: after the closing quote). */
  start: number;
  end: number;
  /** `${…}` substitutions, offsets including `${` and `}`. */
  substitutions: { start: number; end: number }[];
  /** How it was found: the callee or tag name. */
  via: string;
}

/** Calls whose first argument is SQL (mysql2, pg, knex, Sequelize, TypeORM, Prisma, Drizzle, Kysely, postgres.js). */
export const SQL_CALLS = new Set([
  'query',
  'execute',
  'raw',
  'queryRaw',
  'executeRaw',
  '$queryRaw',
  '$executeRaw',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
  'unsafe',
  'exec',
]);
/** Tags of SQL template literals. */
export const SQL_TAGS = new Set(['sql', 'SQL', '$queryRaw', '$executeRaw']);

interface Literal {
  kind: 'string' | 'template';
  start: number;
  end: number;
  substitutions: { start: number; end: number }[];
}

type Tok =
  | { type: 'ident'; text: string; start: number; end: number }
  | { type: 'punct'; text: string; start: number; end: number }
  | ({ type: 'literal'; text: '' } & Literal);

/** Keywords after which `/` starts a regular expression, not a division. */
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'instanceof']);

const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 128;
const isIdentChar = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57);

/** Tokens of a JS/TS file (comments reported separately). */
export function tokenizeScript(text: string): { tokens: Tok[]; comments: { start: number; end: number }[] } {
  const tokens: Tok[] = [];
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

/** The SQL literals of a script, in document order. */
export function findSqlLiterals(text: string): { literals: SqlLiteral[]; comments: { start: number; end: number }[] } {
  const { tokens, comments } = tokenizeScript(text);
  const literals: SqlLiteral[] = [];
  // `const ddl = `…`; … query(ddl)`: literals bound once to a name, by name.
  const bound = new Map<string, Literal | null>();
  for (let k = 0; k + 3 < tokens.length; k++) {
    const [kw, name, eq, value] = [tokens[k]!, tokens[k + 1]!, tokens[k + 2]!, tokens[k + 3]!];
    if (kw.type !== 'ident' || !['const', 'let', 'var'].includes(kw.text) || name.type !== 'ident' || eq.text !== '=') continue;
    const end = tokens[k + 4]?.text;
    const single = value.type === 'literal' && (end === ';' || end === ',' || end === undefined || tokens[k + 4]!.start > text.indexOf('\n', value.end));
    // A name bound twice (shadowing, reassignment) is ambiguous: left alone.
    bound.set(name.text, bound.has(name.text) || !single ? null : (value as Literal));
  }
  // Reassigned names (`name = …` outside a declaration) may hold other text when the call runs.
  for (let k = 1; k + 1 < tokens.length; k++) {
    const [before, name, eq] = [tokens[k - 1]!, tokens[k]!, tokens[k + 1]!];
    if (name.type === 'ident' && eq.text === '=' && tokens[k + 2]?.text !== '=' && bound.has(name.text) && !['const', 'let', 'var', '.'].includes(before.text))
      bound.set(name.text, null);
  }
  const seen = new Set<number>();
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type !== 'ident') continue;
    const next = tokens[k + 1];
    // sql`…`, Prisma.sql`…`, db.$queryRaw`…`
    if (SQL_TAGS.has(t.text) && next?.type === 'literal' && next.kind === 'template' && next.start === t.end) {
      literals.push({ start: next.start, end: next.end, substitutions: next.substitutions, via: t.text });
      continue;
    }
    if (!SQL_CALLS.has(t.text)) continue;
    // exec only as a method (db.exec), not child_process exec()
    if (t.text === 'exec' && tokens[k - 1]?.text !== '.') continue;
    let a = k + 1;
    // query<Row[]>(…): skip type arguments
    if (tokens[a]?.text === '<') {
      let depth = 0;
      for (; a < tokens.length; a++) {
        if (tokens[a]!.text === '<') depth++;
        else if (tokens[a]!.text === '>' && --depth === 0) break;
      }
      a++;
    }
    if (tokens[a]?.text !== '(') continue;
    let arg = tokens[a + 1];
    // query(sql`…`): the tagged template is found on its own
    const afterArg = arg ? tokens[tokens.indexOf(arg) + 1] : undefined;
    if (arg?.type === 'ident' && SQL_TAGS.has(arg.text) && afterArg?.type === 'literal' && afterArg.start === arg.end) continue;
    // query({ sql: '…' }) / query({ text: '…' })
    if (arg?.text === '{' && tokens[a + 2]?.type === 'ident' && ['sql', 'text'].includes(tokens[a + 2]!.text) && tokens[a + 3]?.text === ':')
      arg = tokens[a + 4];
    if (arg?.type === 'ident' && tokens[tokens.indexOf(arg) + 1]?.text !== '.' && tokens[tokens.indexOf(arg) + 1]?.text !== '(') {
      const literal = bound.get(arg.text);
      if (literal && !seen.has(literal.start)) {
        seen.add(literal.start);
        literals.push({ start: literal.start, end: literal.end, substitutions: literal.substitutions, via: t.text });
      }
      continue;
    }
    if (arg?.type !== 'literal') continue;
    // A literal that is concatenated with something else is not the whole statement.
    const after = tokens.indexOf(arg) + 1;
    if (tokens[after]?.text === '+') continue;
    literals.push({ start: arg.start, end: arg.end, substitutions: arg.substitutions, via: t.text });
  }
  literals.sort((a, b) => a.start - b.start);
  return { literals, comments };
}
