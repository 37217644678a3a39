/**
 * Finds feature-flag reads in TypeScript/JavaScript: calls of the OpenFeature, LaunchDarkly and
 * Unleash SDKs whose first argument is a constant flag key. A key built at run time is not a
 * read this scanner can name, so it yields nothing for it.
 */
import { constantString, tokenizeScript, type ScriptToken } from './tokens';

export type FlagSdk = 'openfeature' | 'launchdarkly' | 'unleash';

export interface FlagRead {
  key: string;
  /** Offsets of the key literal, quotes included. */
  start: number;
  end: number;
  /** The method called, e.g. getBooleanValue. */
  method: string;
  sdk: FlagSdk;
  /** The value the code falls back to, when it is a constant (true, 3, 'blue'). */
  defaultValue?: boolean | number | string;
}

/** Per method: its SDK and which argument (0-based) holds the code's default, by argument count. */
interface ReadMethod {
  sdk: FlagSdk;
  defaultArgument: (argumentCount: number) => number | undefined;
}

const openFeature: ReadMethod = { sdk: 'openfeature', defaultArgument: () => 1 };
// Server SDKs take (key, context, default); the browser SDK (key, default).
const launchDarkly: ReadMethod = { sdk: 'launchdarkly', defaultArgument: (n) => (n >= 3 ? 2 : 1) };
// unleash-client: isEnabled(name, context, fallback); the browser proxy client has no fallback.
const unleash: ReadMethod = { sdk: 'unleash', defaultArgument: (n) => (n >= 3 ? 2 : undefined) };

export const FLAG_READ_METHODS: ReadonlyMap<string, ReadMethod> = new Map([
  ...['Boolean', 'String', 'Number', 'Object'].flatMap((type) => [[`get${type}Value`, openFeature] as const, [`get${type}Details`, openFeature] as const]),
  ...['variation', 'boolVariation', 'stringVariation', 'numberVariation', 'jsonVariation'].flatMap((name) => [
    [name, launchDarkly] as const,
    [`${name}Detail`, launchDarkly] as const,
  ]),
  ['isEnabled', unleash],
  ['getVariant', { sdk: 'unleash', defaultArgument: () => undefined }],
]);

/** Whether a file may hold a flag read: a cheap test before the tokenizer runs. */
export const mayReadFlags = (text: string): boolean =>
  /\b(?:get(?:Boolean|String|Number|Object)(?:Value|Details)|(?:bool|string|number|json)?[vV]ariation(?:Detail)?|isEnabled|getVariant)\s*(?:<|\()/.test(text);

/** The flag reads of a script, in document order. */
export function findFlagReads(text: string): FlagRead[] {
  if (!mayReadFlags(text)) return [];
  const { tokens } = tokenizeScript(text);
  const reads: FlagRead[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const callee = tokens[k]!;
    if (callee.type !== 'ident') continue;
    const method = FLAG_READ_METHODS.get(callee.text);
    if (!method) continue;
    // A declaration (`function isEnabled(`, `isEnabled(name) {` in a class) takes no literal: the key test below drops it.
    let open = k + 1;
    if (tokens[open]?.text === '<') open = skipTypeArguments(tokens, open);
    if (tokens[open]?.text !== '(') continue;
    const args = argumentsOf(tokens, open);
    const first = args[0];
    if (!first || first.length !== 1) continue;
    const keyToken = first[0]!;
    const key = constantString(text, keyToken);
    if (key === undefined || key === '') continue;
    const read: FlagRead = { key, start: keyToken.start, end: keyToken.end, method: callee.text, sdk: method.sdk };
    const at = method.defaultArgument(args.length);
    const defaultValue = at === undefined ? undefined : constantValue(text, args[at]);
    if (defaultValue !== undefined) read.defaultValue = defaultValue;
    reads.push(read);
  }
  return reads;
}

/** Index after the `>` closing type arguments that open at `from`. */
function skipTypeArguments(tokens: readonly ScriptToken[], from: number): number {
  let depth = 0;
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k]!.text;
    if (t === '<') depth++;
    else if (t === '>' && --depth === 0) return k + 1;
    else if (t === ';' || t === '{') return k;
  }
  return tokens.length;
}

/** The top-level arguments of the call whose `(` is at `open`, each as its tokens (an empty call: none). */
function argumentsOf(tokens: readonly ScriptToken[], open: number): ScriptToken[][] {
  const args: ScriptToken[][] = [];
  let current: ScriptToken[] = [];
  let depth = 0;
  for (let k = open + 1; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
    else if (t.type === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}')) {
      if (depth === 0) {
        if (current.length) args.push(current);
        return args;
      }
      depth--;
    } else if (depth === 0 && t.text === ',') {
      args.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  // An unclosed call (the user is typing): what there is so far.
  if (current.length) args.push(current);
  return args;
}

/** A constant argument's value: true, false, a number (signed), a string without substitutions. */
function constantValue(text: string, arg: ScriptToken[] | undefined): boolean | number | string | undefined {
  if (!arg?.length || arg.length > 2) return undefined;
  const [first, second] = arg;
  if (arg.length === 1 && first!.type === 'ident' && (first!.text === 'true' || first!.text === 'false')) return first!.text === 'true';
  const number = arg.length === 2 ? (first!.text === '-' ? second : undefined) : first;
  if (number?.type === 'punct' && number.text === 'number') {
    const value = Number(text.slice(number.start, number.end).replace(/_/g, ''));
    if (Number.isFinite(value)) return arg.length === 2 ? -value : value;
    return undefined;
  }
  return arg.length === 1 ? constantString(text, first) : undefined;
}
