/**
 * Environment reads of a TS/JS file, on the shared tokenizer: `process.env.NAME`,
 * `process.env['NAME']`, `const { NAME } = process.env` (renames and defaults too), through an
 * alias (`const env = process.env`, `import { env } from 'node:process'`), and calls of helpers
 * that read `process.env[param]` (`requireEnv('NAME')`), the helper defined in the file or
 * imported from another one (see envReads). Each read says how it is guarded: a fallback
 * (`??`, `||`, a default), a check for undefined before use, or nothing. A name that is not a
 * constant (`process.env[key]`, a template with substitutions) is no read: nothing is known.
 */
import { constantString, tokenizeScript, type ScriptToken } from './tokens';

/** `fallback`: the read has a value when the variable is unset. `checked`: the code tests for undefined before use. */
export type EnvGuard = 'none' | 'checked' | 'fallback';

export interface EnvRead {
  name: string;
  /** The name's token: the property, the string literal, the destructured key, the helper's argument. */
  start: number;
  end: number;
  guard: EnvGuard;
  /** Names read before this one in an `A || B` (or `??`) chain: this one matters only when they are unset too. */
  alternatives: string[];
  /** The helper the read goes through (`requireEnv`), if any. */
  helper?: string;
  /** Names read in the conditions of the `if` blocks around it: it runs only when they are set (`if (process.env.ENABLE_TRACING) { … }`). */
  when: string[];
}

/** A function that reads `process.env[param]`. */
export interface EnvHelper {
  name: string;
  /** Index of the parameter that names the variable. */
  param: number;
  /** How the helper guards its read; `fallbackParam`: by the argument at that index, when a call gives one. */
  guard: EnvGuard;
  fallbackParam?: number;
}

interface Call {
  /** `ns` of `ns.fn(…)`. */
  object?: string;
  callee: string;
  args: { start: number; end: number; value?: string; isUndefined: boolean }[];
  guard: EnvGuard;
}

/** What a file says about its environment reads, before helpers of other files are known. */
export interface EnvScan {
  reads: EnvRead[];
  /** Helpers by the name the file defines them under (`default` for an anonymous default export). */
  helpers: Map<string, EnvHelper>;
  calls: Call[];
  /** Local name → the module and name it is imported as (`*` for a namespace, `default`). */
  imports: Map<string, { from: string; name: string }>;
  /** `if (condition) body`: offsets of each condition and of the body it guards. */
  conditions: { start: number; end: number; bodyStart: number; bodyEnd: number }[];
}

const GUARD_ORDER: Record<EnvGuard, number> = { none: 0, checked: 1, fallback: 2 };
const stronger = (a: EnvGuard, b: EnvGuard): EnvGuard => (GUARD_ORDER[a] >= GUARD_ORDER[b] ? a : b);

/** Keywords before `(` that open a condition, not a call. */
const CONDITION_KEYWORDS = new Set(['if', 'while']);
/** Tokens after which a newline does not end an expression (an operator waits for its operand). */
/** How far back a read's enclosing call is looked for, and how many uses of a variable are looked at. */
const MAX_ARGUMENT_TOKENS = 64;
const MAX_VARIABLE_USES = 50;
const CONTINUES = new Set(['=', '+', '-', '*', '/', '%', '?', ':', '|', '&', ',', '(', '[', '{', '.', '!', '<', '>', '^', '~']);

export function scanEnvFile(text: string): EnvScan {
  const { tokens } = tokenizeScript(text);
  const scan: EnvScan = { reads: [], helpers: new Map(), calls: [], imports: new Map(), conditions: [] };
  const t = (i: number): ScriptToken | undefined => tokens[i];
  const is = (i: number, value: string): boolean => {
    const token = tokens[i];
    return !!token && token.type !== 'literal' && token.text === value;
  };
  const ident = (i: number): string | undefined => (tokens[i]?.type === 'ident' ? tokens[i].text : undefined);
  const newlineBefore = (i: number): boolean => i > 0 && i < tokens.length && text.slice(tokens[i - 1]!.end, tokens[i]!.start).includes('\n');

  // Matching brackets, found once (every lookup is then O(1): the file may be large and hostile).
  const matches = new Int32Array(tokens.length).fill(-1);
  const open: number[] = [];
  const CLOSER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  tokens.forEach((token, i) => {
    if (token.type !== 'punct') return;
    if (token.text === '(' || token.text === '[' || token.text === '{') open.push(i);
    else if (CLOSER[token.text] && open.length && tokens[open[open.length - 1]!]!.text === CLOSER[token.text]) {
      const from = open.pop()!;
      matches[from] = i;
      matches[i] = from;
    }
  });
  /** Index of the bracket matching the one at `i`; -1 if none. */
  const matching = (i: number): number => (i >= 0 && i < tokens.length ? matches[i]! : -1);
  const isOpener = (i: number): boolean => is(i, '(') || is(i, '[') || is(i, '{');
  // Where each identifier is used, for the uses of a variable.
  const usesOf = new Map<string, number[]>();
  tokens.forEach((token, i) => {
    if (token.type !== 'ident') return;
    const list = usesOf.get(token.text);
    if (list) list.push(i);
    else usesOf.set(token.text, [i]);
  });

  // Aliases of process.env: `const env = process.env`, `const { env } = process`, `import { env } from 'node:process'`.
  const aliases = new Set<string>();
  /** Last index of the env object starting at i (`process.env` or an alias), or -1. */
  const envObjectAt = (i: number): number => {
    if (ident(i) === 'process' && is(i + 1, '.') && ident(i + 2) === 'env' && !is(i - 1, '.')) return i + 2;
    if (is(i, 'process') && is(i + 1, '?') && is(i + 2, '.') && ident(i + 3) === 'env') return i + 3;
    const name = ident(i);
    if (name && aliases.has(name) && !is(i - 1, '.') && !(is(i + 1, ':') && (is(i - 1, '{') || is(i - 1, ',')))) return i;
    return -1;
  };
  for (let i = 0; i < tokens.length; i++) {
    const declared = /^(const|let|var)$/.test(ident(i) ?? '');
    if (declared && ident(i + 1) && is(i + 2, '=') && envObjectAt(i + 3) === i + 5 && !is(i + 6, '.') && !is(i + 6, '[')) aliases.add(ident(i + 1)!);
    if ((declared && is(i + 1, '{')) || (ident(i) === 'import' && is(i + 1, '{'))) {
      const close = matching(i + 1);
      const from = declared ? (is(close + 1, '=') && ident(close + 2) === 'process' && !is(close + 3, '.') ? 'process' : undefined) : importSource(close);
      if (from === 'process' || from === 'node:process') for (const { key, local } of bindings(i + 1, close)) if (key.name === 'env') aliases.add(local);
    }
  }

  /** The module of `import { … } from 'm'` whose `}` is at `close`. */
  function importSource(close: number): string | undefined {
    return ident(close + 1) === 'from' ? constantString(text, t(close + 2)) : undefined;
  }

  /** The entries of a `{ … }` binding pattern between `open` and `close`: key (token), local name, whether it has a default. */
  function bindings(open: number, close: number): { key: { name: string; start: number; end: number; index: number }; local: string; hasDefault: boolean }[] {
    const out: { key: { name: string; start: number; end: number; index: number }; local: string; hasDefault: boolean }[] = [];
    let i = open + 1;
    while (i < close) {
      if (is(i, '...')) break;
      const token = t(i)!;
      const name = token.type === 'ident' ? token.text : constantString(text, token);
      if (name === undefined) break;
      const key = { name, start: token.start, end: token.end, index: i };
      let local = token.type === 'ident' ? name : '';
      i++;
      if (is(i, ':') || ident(i) === 'as') {
        local = ident(i + 1) ?? '';
        i += 2;
      }
      let hasDefault = false;
      if (is(i, '=')) {
        hasDefault = true;
        while (i < close && !is(i, ',')) i = isOpener(i) && matching(i) > i ? matching(i) + 1 : i + 1;
      }
      out.push({ key, local, hasDefault });
      if (!is(i, ',')) break;
      i++;
    }
    return out;
  }

  /** Index of the last token of the expression starting at `from` (an arrow body), heuristically: up to `;`, a closing bracket or a line break. */
  const expressionEnd = (from: number): number => {
    for (let j = from; j < tokens.length; j++) {
      if (isOpener(j) && matching(j) > j) j = matching(j);
      else if (is(j, ')') || is(j, ']') || is(j, '}')) return j - 1;
      else if (is(j, ';') || is(j, ',')) return j - 1;
      const token = tokens[j]!;
      if (j > from && newlineBefore(j + 1) && !CONTINUES.has(token.text) && !(tokens[j + 1] && CONTINUES.has(tokens[j + 1]!.text))) return j;
    }
    return tokens.length - 1;
  };

  /**
   * How the expression of tokens first..last is guarded where it is used: a fallback after it, a
   * test of it, or (through a call that wraps it, `Number(x) || 3`) the same of the call.
   */
  const guardOf = (first: number, last: number, depth = 0): EnvGuard | 'write' => {
    let after = last + 1;
    // TS: `x!`, `x as string`.
    if (is(after, '!') && !is(after + 1, '=')) after++;
    if (ident(after) === 'as' && ident(after + 1)) after += 2;
    const a = t(after);
    const a2 = t(after + 1);
    const before = t(first - 1);
    const before2 = t(first - 2);
    if (a?.text === '=' && a2?.text !== '=' && a2?.text !== '>') return 'write';
    if (before?.type === 'ident' && before.text === 'delete') return 'write';
    if ((a?.text === '?' && a2?.text === '?') || (a?.text === '|' && a2?.text === '|')) return 'fallback';
    if (a?.text === '?' || (a?.text === '&' && a2?.text === '&')) return 'checked'; // `x?.y`, `x ? … : …`, `x && …`
    if ((a?.text === '=' || a?.text === '!') && a2?.text === '=') return 'checked';
    if (before?.text === '!' || (before?.type === 'ident' && before.text === 'typeof')) return 'checked';
    if (before?.text === '=' && (before2?.text === '=' || before2?.text === '!')) return 'checked';
    if (before?.text === '(' && a?.text === ')' && before2?.type === 'ident' && CONDITION_KEYWORDS.has(before2.text)) return 'checked';
    if ((a?.text === ')' || a?.text === ',') && depth < 3) {
      // Inside a call's parentheses: the call's own guard (`parseInt(x, 10) || 8080`).
      // The argument list is short; a long list or literal around the read is not a call's (and not searched).
      let open = first - 1;
      for (let steps = 0; open >= 0 && steps < MAX_ARGUMENT_TOKENS && !isOpener(open); open--, steps++)
        if ((is(open, ')') || is(open, ']') || is(open, '}')) && matching(open) >= 0) open = matching(open);
      if (open >= 0 && is(open, '(')) {
        const close = matching(open);
        if (close > 0 && !CONDITION_KEYWORDS.has(ident(open - 1) ?? '')) {
          const outer = guardOf(ident(open - 1) ? open - 1 : open, close, depth + 1);
          if (outer !== 'write' && outer !== 'none') return outer;
        }
      }
    }
    return 'none';
  };

  /** `const v = <expression>`: how `v` is guarded wherever the file uses it; the expression's own guard otherwise. */
  const guardWithVariable = (first: number, last: number): EnvGuard | 'write' => {
    const own = guardOf(first, last);
    if (own !== 'none') return own;
    const variable = is(first - 1, '=') && /^(const|let|var)$/.test(ident(first - 3) ?? '') ? ident(first - 2) : undefined;
    return variable ? usesGuard(variable, last + 1) : own;
  };

  /** The strongest guard of the uses of variable `name` after token `from`. */
  const usesGuard = (name: string, from: number): EnvGuard => {
    let guard: EnvGuard = 'none';
    const all = usesOf.get(name) ?? [];
    let first = 0;
    for (let high = all.length; first < high;) {
      const middle = (first + high) >> 1;
      if (all[middle]! < from) first = middle + 1;
      else high = middle;
    }
    const uses = all.slice(first, first + MAX_VARIABLE_USES);
    for (const j of uses) {
      if (guard === 'fallback') break;
      if (is(j - 1, '.') || (is(j + 1, ':') && !is(j - 1, '?'))) continue;
      const use = guardOf(j, j);
      if (use !== 'write') guard = stronger(guard, use);
    }
    return guard;
  };

  // Functions: their names, parameters and bodies (token indexes), for helpers.
  interface Fn {
    name?: string;
    params: { name: string; hasDefault: boolean }[];
    bodyStart: number;
    bodyEnd: number;
  }
  const functions: Fn[] = [];
  const paramsOf = (open: number, close: number): Fn['params'] => {
    const params: Fn['params'] = [];
    let depth = 0;
    let expectName = true;
    for (let j = open + 1; j < close; j++) {
      const token = tokens[j]!;
      if (token.type === 'punct' && (token.text === '(' || token.text === '[' || token.text === '{' || token.text === '<')) depth++;
      else if (token.type === 'punct' && (token.text === ')' || token.text === ']' || token.text === '}' || (token.text === '>' && !is(j - 1, '=')))) depth--;
      else if (depth === 0 && token.text === ',') expectName = true;
      else if (depth === 0 && token.text === '=' && params.length) params[params.length - 1]!.hasDefault = true;
      else if (depth === 0 && expectName && token.type === 'ident') {
        params.push({ name: token.text, hasDefault: false });
        expectName = false;
      } else if (depth === 0 && expectName && token.text === '{') expectName = false;
      if (depth === 1 && expectName && (token.text === '{' || token.text === '[')) {
        params.push({ name: '', hasDefault: false }); // a destructured parameter: no name to read
        expectName = false;
      }
    }
    return params;
  };
  /** The body after a parameter list closing at `close` (skipping a return type): `{ … }` or an arrow's expression. */
  const bodyAfter = (close: number): { start: number; end: number } | undefined => {
    let j = close + 1;
    if (is(j, ':')) {
      let depth = 0;
      for (j++; j < tokens.length; j++) {
        if (is(j, '<') || is(j, '(') || is(j, '[')) depth++;
        else if (is(j, '>') && !is(j - 1, '=')) depth--;
        else if (is(j, ')') || is(j, ']')) depth--;
        else if (depth === 0 && (is(j, '{') || (is(j, '=') && is(j + 1, '>')))) break;
      }
    }
    if (is(j, '=') && is(j + 1, '>')) j += 2;
    else if (!is(j, '{')) return undefined;
    if (is(j, '{')) return { start: j, end: matching(j) };
    return { start: j, end: expressionEnd(j) };
  };
  for (let i = 0; i < tokens.length; i++) {
    let name: string | undefined;
    let open = -1;
    if (ident(i) === 'function') {
      name = ident(i + 1);
      open = name ? i + 2 : i + 1;
      if (is(open, '<')) while (open < tokens.length && !is(open, '(')) open++;
      if (!name && is(i - 1, '=')) name = ident(i - 2);
      if (!name && ident(i - 1) === 'default' && ident(i - 2) === 'export') name = 'default';
      if (ident(i - 1) === 'async' && !name && is(i - 2, '=')) name = ident(i - 3);
    } else if (is(i, '=') && !is(i - 1, '=') && !is(i - 1, '!') && !is(i + 1, '=') && !is(i + 1, '>') && ident(i - 1)) {
      // `const f = (…) =>`, `const f = async (…) =>`, `const f = x =>`
      let j = i + 1;
      if (ident(j) === 'async') j++;
      if (is(j, '(')) {
        const close = matching(j);
        if (close > 0 && (is(close + 1, ':') || (is(close + 1, '=') && is(close + 2, '>')))) {
          name = ident(i - 1);
          open = j;
        }
      } else if (ident(j) && is(j + 1, '=') && is(j + 2, '>')) {
        const body = bodyAfter(j);
        if (body) functions.push({ name: ident(i - 1), params: [{ name: ident(j)!, hasDefault: false }], bodyStart: body.start, bodyEnd: body.end });
        continue;
      }
    }
    if (open < 0 || !is(open, '(')) continue;
    const close = matching(open);
    const body = close > 0 ? bodyAfter(close) : undefined;
    if (body && body.end > 0) functions.push({ name, params: paramsOf(open, close), bodyStart: body.start, bodyEnd: body.end });
  }

  const checkedNames = new Set<string>();
  const readsAt = new Map<number, EnvRead>(); // last token index of a read → the read, for `A || B` chains
  const addRead = (name: string, token: { start: number; end: number }, first: number, last: number, guard: EnvGuard): void => {
    const read: EnvRead = { name, start: token.start, end: token.end, guard, alternatives: [], when: [] };
    // `A || B`: B is A's fallback; B matters only when A is unset too.
    if ((is(first - 1, '|') && is(first - 2, '|')) || (is(first - 1, '?') && is(first - 2, '?'))) {
      const left = readsAt.get(first - 3);
      if (left) read.alternatives = [...left.alternatives, left.name];
    }
    readsAt.set(last, read);
    scan.reads.push(read);
  };

  for (let i = 0; i < tokens.length; i++) {
    // `'X' in process.env`: X is checked.
    if (tokens[i]!.type === 'literal' && ident(i + 1) === 'in' && envObjectAt(i + 2) > 0) {
      const name = constantString(text, tokens[i]);
      if (name) checkedNames.add(name);
      continue;
    }
    const objectEnd = envObjectAt(i);
    if (objectEnd < 0) continue;
    // `const { A, B: b, C = 'c' } = process.env`
    if (is(i - 1, '=') && is(i - 2, '}') && !is(objectEnd + 1, '.') && !is(objectEnd + 1, '[')) {
      const open = matching(i - 2);
      if (open > 0 && /^(const|let|var)$/.test(ident(open - 1) ?? ''))
        for (const { key, local, hasDefault } of bindings(open, i - 2)) {
          if (!local) continue;
          addRead(key.name, key, key.index, key.index, hasDefault ? 'fallback' : usesGuard(local, objectEnd + 1));
        }
      continue;
    }
    let nameToken: ScriptToken | undefined;
    let name: string | undefined;
    let last = -1;
    let j = objectEnd + 1;
    if (is(j, '?') && is(j + 1, '.')) j++;
    if (is(j, '.') && ident(j + 1)) {
      nameToken = t(j + 1);
      name = ident(j + 1);
      last = j + 1;
      if (is(last + 1, '(')) continue; // process.env.hasOwnProperty(…)
    } else if (is(j, '[') && is(j + 2, ']')) {
      nameToken = t(j + 1);
      last = j + 2;
      name = constantString(text, nameToken);
      if (name === undefined && nameToken?.type === 'ident') {
        noteHelper(nameToken.text, j + 1, i, last);
        continue;
      }
    }
    if (name === undefined || !nameToken) continue;
    const guard = guardWithVariable(i, last);
    if (guard !== 'write') addRead(name, nameToken, i, last, guard);
  }
  for (const read of scan.reads) if (checkedNames.has(read.name)) read.guard = stronger(read.guard, 'checked');

  /** `process.env[param]` (tokens first..last) inside a function with that parameter: the function is a helper. */
  function noteHelper(param: string, at: number, first: number, last: number): void {
    const fn = functions
      .filter((f) => f.bodyStart <= at && at <= f.bodyEnd && f.params.some((p) => p.name === param))
      .sort((a, b) => b.bodyStart - a.bodyStart)[0];
    if (!fn?.name) return;
    const index = fn.params.findIndex((p) => p.name === param);
    let guard = guardWithVariable(first, last);
    if (guard === 'write') return;
    let fallbackParam: number | undefined;
    // `process.env[name] ?? fallback` with `fallback` a parameter: guarded when the call gives it (or it has a default).
    const operand = last + 3;
    const fallback = fn.params.findIndex((p) => p.name && p.name === ident(operand));
    if (
      guard === 'fallback' &&
      fallback >= 0 &&
      (is(operand + 1, ';') || is(operand + 1, ')') || is(operand + 1, '}') || is(operand + 1, ',') || operand === fn.bodyEnd)
    ) {
      if (!fn.params[fallback]!.hasDefault) {
        guard = 'none';
        fallbackParam = fallback;
      }
    }
    // A helper that checks and then throws (or exits) is the "required" kind: its calls are unguarded.
    if (
      guard === 'checked' &&
      tokens
        .slice(fn.bodyStart, fn.bodyEnd)
        .some((token, k) => token.type === 'ident' && (token.text === 'throw' || (token.text === 'exit' && is(fn.bodyStart + k - 1, '.'))))
    )
      guard = 'none';
    const previous = scan.helpers.get(fn.name);
    if (!previous || GUARD_ORDER[guard] < GUARD_ORDER[previous.guard])
      scan.helpers.set(fn.name, { name: fn.name, param: index, guard, ...(fallbackParam !== undefined ? { fallbackParam } : {}) });
  }

  // Imports: `import { a, b as c } from './m'`, `import d from './m'`, `import * as ns from './m'`, `const { a } = require('./m')`, `const ns = require('./m')`.
  for (let i = 0; i < tokens.length; i++) {
    if (ident(i) === 'import' && !is(i - 1, '.')) {
      let j = i + 1;
      if (ident(j) === 'type') continue;
      const local = ident(j) && ident(j) !== 'from' ? ident(j) : undefined;
      if (local) j++;
      if (is(j, ',')) j++;
      let close = j;
      const named: { name: string; local: string }[] = [];
      let namespace: string | undefined;
      if (is(j, '{')) {
        close = matching(j);
        for (const b of bindings(j, close)) named.push({ name: b.key.name, local: b.local });
        close++;
      } else if (is(j, '*') && ident(j + 1) === 'as') {
        namespace = ident(j + 2);
        close = j + 3;
      }
      const from = ident(close) === 'from' ? constantString(text, t(close + 1)) : undefined;
      if (!from?.startsWith('.')) continue;
      if (local) scan.imports.set(local, { from, name: 'default' });
      if (namespace) scan.imports.set(namespace, { from, name: '*' });
      for (const n of named) scan.imports.set(n.local, { from, name: n.name });
    } else if (ident(i) === 'require' && is(i + 1, '(') && is(i + 3, ')')) {
      const from = constantString(text, t(i + 2));
      if (!from?.startsWith('.') || !is(i - 1, '=')) continue;
      if (ident(i - 2) && /^(const|let|var)$/.test(ident(i - 3) ?? '')) scan.imports.set(ident(i - 2)!, { from, name: '*' });
      else if (is(i - 2, '}')) {
        const open = matching(i - 2);
        if (open > 0) for (const b of bindings(open, i - 2)) scan.imports.set(b.local, { from, name: b.key.name });
      }
    }
  }

  for (let i = 0; i < tokens.length; i++) {
    if (ident(i) !== 'if' || !is(i + 1, '(')) continue;
    const close = matching(i + 1);
    if (close < 0 || close + 1 >= tokens.length) continue;
    // Only a condition that holds when the variables are set: not `!x`, `x !== …`, `x === undefined`, `x || y`.
    const negated = tokens
      .slice(i + 2, close)
      .some((token) => token.text === '!' || token.text === '|' || (token.type === 'ident' && (token.text === 'undefined' || token.text === 'null')));
    if (negated) continue;
    const bodyEnd = is(close + 1, '{') ? matching(close + 1) : expressionEnd(close + 1);
    if (bodyEnd > close)
      scan.conditions.push({ start: tokens[i + 1]!.start, end: tokens[close]!.end, bodyStart: tokens[close + 1]!.start, bodyEnd: tokens[bodyEnd]!.end });
  }

  // Calls with a constant argument somewhere: `fn('X')`, `ns.fn('X', 'd')`; which are helpers is known later.
  for (let i = 0; i < tokens.length; i++) {
    const callee = ident(i);
    if (!callee || !is(i + 1, '(') || ident(i - 1) === 'function' || CONDITION_KEYWORDS.has(callee)) continue;
    const object = is(i - 1, '.') ? ident(i - 2) : undefined;
    if (is(i - 1, '.') && (!object || is(i - 3, '.'))) continue;
    const close = matching(i + 1);
    if (close < 0) continue;
    const args: Call['args'] = [];
    let start = i + 2;
    for (let j = i + 2; j <= close; j++) {
      if (j < close && isOpener(j) && matching(j) > j) j = matching(j);
      else if (is(j, ',') || j === close) {
        if (j > start) {
          const only = j === start + 1 ? tokens[start] : undefined;
          args.push({
            start: tokens[start]!.start,
            end: tokens[j - 1]!.end,
            value: constantString(text, only),
            isUndefined: only?.type === 'ident' && only.text === 'undefined',
          });
        }
        start = j + 1;
      }
    }
    if (!args.some((a) => a.value !== undefined)) continue;
    const guard = guardWithVariable(object ? i - 2 : i, close);
    if (guard !== 'write') scan.calls.push({ ...(object ? { object } : {}), callee, args, guard });
  }
  return scan;
}

/**
 * Every environment read of a file: its own, and its calls of helpers (its own, or imported from a
 * file `imported` resolves; one level: a helper's helpers are not followed).
 */
export function envReads(scan: EnvScan, imported: (specifier: string) => EnvScan | undefined): EnvRead[] {
  const reads = scan.reads.map((read) => ({ ...read, when: [] as string[] }));
  for (const call of scan.calls) {
    let helper: EnvHelper | undefined;
    if (call.object) {
      const binding = scan.imports.get(call.object);
      if (binding?.name === '*') helper = imported(binding.from)?.helpers.get(call.callee);
    } else {
      helper = scan.helpers.get(call.callee);
      const binding = scan.imports.get(call.callee);
      if (!helper && binding && binding.name !== '*') helper = imported(binding.from)?.helpers.get(binding.name);
    }
    const arg = helper && call.args[helper.param];
    if (!helper || arg?.value === undefined) continue;
    const given = helper.fallbackParam !== undefined ? call.args[helper.fallbackParam] : undefined;
    const guard = given && !given.isUndefined ? 'fallback' : stronger(helper.guard, call.guard);
    reads.push({
      name: arg.value,
      start: arg.start,
      end: arg.end,
      guard,
      alternatives: [],
      helper: call.object ? `${call.object}.${call.callee}` : call.callee,
      when: [],
    });
  }
  reads.sort((a, b) => a.start - b.start);
  const within = (start: number, end: number): EnvRead[] => {
    const out: EnvRead[] = [];
    for (let k = firstAtOrAfter(reads, start); k < reads.length && reads[k]!.start < end; k++) if (reads[k]!.end <= end) out.push(reads[k]!);
    return out;
  };
  for (const condition of scan.conditions) {
    const names = within(condition.start, condition.end).map((r) => r.name);
    if (names.length) for (const read of within(condition.bodyStart, condition.bodyEnd)) read.when.push(...names);
  }
  return reads;
}

/** Index of the first read that starts at or after `offset` (reads sorted by start). */
function firstAtOrAfter(reads: EnvRead[], offset: number): number {
  let low = 0;
  let high = reads.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (reads[middle]!.start < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}
