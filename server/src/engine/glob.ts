/**
 * Glob matching in linear time: globs come from repositories (`dialects:` in .rollout-guard.yaml,
 * files.exclude), and a glob compiled to a backtracking regular expression can take minutes on
 * one file name (`**\/*a*a*a*a*a*a*a*b.sql`). Here a glob becomes a small automaton that is run
 * over the path keeping the set of states it may be in: time is at most path length × glob
 * length, whatever the glob.
 *
 * Syntax, as in VS Code and picomatch: `*` (any characters but `/`), `?` (one character but `/`),
 * `**` as a whole segment (any number of segments, none included), `[abc]`, `[a-z]`, `[!a]`/`[^a]`,
 * `{a,b}` (nested too), `\` escapes the next character. Dots are not special.
 */

/** The longest glob accepted (a longer one is reported as invalid by the callers). */
export const MAX_GLOB_LENGTH = 1000;

export class GlobError extends Error {
  override name = 'GlobError';
}

type Edge =
  | { kind: 'char'; char: string; to: number }
  | { kind: 'not-slash'; to: number }
  | { kind: 'any'; to: number }
  | { kind: 'class'; ranges: [string, string][]; negated: boolean; to: number };

interface Automaton {
  edges: Edge[][];
  epsilon: number[][];
  accept: number;
}

class Builder {
  readonly edges: Edge[][] = [];
  readonly epsilon: number[][] = [];
  state(): number {
    this.edges.push([]);
    this.epsilon.push([]);
    return this.edges.length - 1;
  }
}

/** Parses `glob` from `i` until `stop` (a `,` or `}` of an enclosing brace), adding states from `start`; returns the end state and position. */
function parseSequence(glob: string, i: number, b: Builder, start: number, inBraces: boolean): { end: number; at: number } {
  let current = start;
  const segmentStart = (at: number): boolean => at === 0 || glob[at - 1] === '/';
  while (i < glob.length) {
    const c = glob[i]!;
    if (inBraces && (c === ',' || c === '}')) break;
    if (c === '*') {
      if (glob[i + 1] === '*' && segmentStart(i) && (i + 2 === glob.length || glob[i + 2] === '/')) {
        // `**` as a segment: any path, none included. `**/` also matches nothing at all.
        const loop = b.state();
        b.epsilon[current]!.push(loop);
        b.edges[loop]!.push({ kind: 'any', to: loop });
        if (glob[i + 2] === '/') {
          const after = b.state();
          b.edges[loop]!.push({ kind: 'char', char: '/', to: after });
          b.epsilon[current]!.push(after);
          current = after;
          i += 3;
        } else {
          current = loop;
          i += 2;
        }
        continue;
      }
      while (glob[i] === '*') i++;
      const loop = b.state();
      b.epsilon[current]!.push(loop);
      b.edges[loop]!.push({ kind: 'not-slash', to: loop });
      current = loop;
      continue;
    }
    if (c === '/' && glob.startsWith('**', i + 1) && (i + 3 === glob.length || (inBraces && (glob[i + 3] === ',' || glob[i + 3] === '}')))) {
      // A trailing `/**`: the folder itself, or anything below it.
      const below = b.state();
      const end = b.state();
      b.edges[current]!.push({ kind: 'char', char: '/', to: below });
      b.edges[below]!.push({ kind: 'any', to: below });
      b.epsilon[below]!.push(end);
      b.epsilon[current]!.push(end);
      current = end;
      i += 3;
      continue;
    }
    const next = b.state();
    if (c === '?') {
      b.edges[current]!.push({ kind: 'not-slash', to: next });
      i++;
    } else if (c === '[') {
      const parsed = parseClass(glob, i);
      if (parsed) {
        b.edges[current]!.push({ kind: 'class', ranges: parsed.ranges, negated: parsed.negated, to: next });
        i = parsed.at;
      } else {
        b.edges[current]!.push({ kind: 'char', char: '[', to: next });
        i++;
      }
    } else if (c === '{') {
      // Alternatives, each from the same state to the same end.
      i++;
      for (;;) {
        const branch = b.state();
        b.epsilon[current]!.push(branch);
        const { end, at } = parseSequence(glob, i, b, branch, true);
        b.epsilon[end]!.push(next);
        i = at;
        if (glob[i] === ',') i++;
        else if (glob[i] === '}') {
          i++;
          break;
        } else throw new GlobError(`unclosed "{" in glob "${glob}"`);
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      b.edges[current]!.push({ kind: 'char', char: glob[i + 1]!, to: next });
      i += 2;
    } else {
      b.edges[current]!.push({ kind: 'char', char: c, to: next });
      i++;
    }
    current = next;
  }
  return { end: current, at: i };
}

/** A `[…]` class at `i`, or undefined when there is no closing `]` (then `[` is a literal). */
function parseClass(glob: string, i: number): { ranges: [string, string][]; negated: boolean; at: number } | undefined {
  let j = i + 1;
  const negated = glob[j] === '!' || glob[j] === '^';
  if (negated) j++;
  const ranges: [string, string][] = [];
  let first = true;
  while (j < glob.length && (glob[j] !== ']' || first)) {
    first = false;
    let from = glob[j]!;
    if (from === '\\' && j + 1 < glob.length) from = glob[++j]!;
    if (glob[j + 1] === '-' && j + 2 < glob.length && glob[j + 2] !== ']') {
      let to = glob[j + 2]!;
      j += 2;
      if (to === '\\' && j + 1 < glob.length) to = glob[++j]!;
      ranges.push([from, to]);
    } else ranges.push([from, from]);
    j++;
  }
  return j < glob.length ? { ranges, negated, at: j + 1 } : undefined;
}

function compile(glob: string): Automaton {
  if (glob.length > MAX_GLOB_LENGTH) throw new GlobError(`glob longer than ${MAX_GLOB_LENGTH} characters`);
  const b = new Builder();
  const start = b.state();
  const { end, at } = parseSequence(glob, 0, b, start, false);
  if (at < glob.length) throw new GlobError(`unexpected "${glob[at]}" at ${at + 1} in glob "${glob}"`);
  return { edges: b.edges, epsilon: b.epsilon, accept: end };
}

function takes(edge: Edge, c: string): boolean {
  switch (edge.kind) {
    case 'char':
      return edge.char === c;
    case 'any':
      return true;
    case 'not-slash':
      return c !== '/';
    case 'class':
      return c !== '/' && edge.ranges.some(([from, to]) => c >= from && c <= to) !== edge.negated;
  }
}

function run(automaton: Automaton, path: string): boolean {
  const { edges, epsilon, accept } = automaton;
  const mark = new Int32Array(edges.length).fill(-1);
  let current: number[] = [];
  const add = (list: number[], state: number, step: number): void => {
    // Follow epsilon edges, each state once per step.
    const stack = [state];
    while (stack.length) {
      const s = stack.pop()!;
      if (mark[s] === step) continue;
      mark[s] = step;
      list.push(s);
      for (const t of epsilon[s]!) stack.push(t);
    }
  };
  add(current, 0, 0);
  for (let k = 0; k < path.length && current.length; k++) {
    const c = path[k]!;
    const next: number[] = [];
    for (const s of current) for (const edge of edges[s]!) if (takes(edge, c)) add(next, edge.to, k + 1);
    current = next;
  }
  return current.includes(accept);
}

export interface GlobOptions {
  /** A glob without `/` is matched against the last segment of the path (VS Code's `yaml.schemas`). */
  matchBase?: boolean;
  /** Leave out globs that cannot be read instead of throwing (editor settings: they match nothing). */
  skipInvalid?: boolean;
}

/**
 * A matcher for one or more globs (any of them matching). Throws GlobError for a glob that cannot
 * be read (an unclosed `{`, or one longer than MAX_GLOB_LENGTH).
 */
export function globMatcher(globs: string | readonly string[], options: GlobOptions = {}): (path: string) => boolean {
  const compiled: { automaton: Automaton; baseOnly: boolean }[] = [];
  for (const glob of typeof globs === 'string' ? [globs] : globs) {
    try {
      compiled.push({ automaton: compile(glob), baseOnly: !!options.matchBase && !glob.includes('/') });
    } catch (error) {
      if (!(options.skipInvalid && error instanceof GlobError)) throw error;
    }
  }
  if (compiled.length === 0) return () => false;
  return (path) => compiled.some(({ automaton, baseOnly }) => run(automaton, baseOnly ? path.slice(path.lastIndexOf('/') + 1) : path));
}
