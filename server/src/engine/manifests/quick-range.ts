/**
 * Where a finding lands, read from the lines of a block-style document without the
 * position-keeping parser (which costs five times the data parse: placing one finding used to
 * parse its whole file). Only the common shape is read here: block mappings down the path (plain
 * keys, each once), and at its end a key, or a one-line plain scalar. Anything else on the way
 * (sequences, flow collections, quotes, anchors, tags, block scalars, multi-line scalars, tabs,
 * CR line ends, directives) gives undefined, and the parser decides. Equal to rangeAt's answer
 * wherever it answers (test/quick-range.test.ts compares them on every path of real manifests).
 */
export type LineRange = { start: number; end: number };

/** A path in a document's data (keys and list indices), as yaml.ts's Path. */
type Path = readonly (string | number)[];

/** Where each document of a file lies (between its `---` lines); undefined when the file is not this simple. */
export function documentSpans(text: string): LineRange[] | undefined {
  if (text.includes('\r') || text.includes('\t') || /^(%|\.\.\.)/m.test(text)) return undefined;
  const spans: LineRange[] = [];
  let start = 0;
  let leading = true;
  for (const match of text.matchAll(/^---([^\n]*)(\n|$)/gm)) {
    // Content after the marker on its line (`--- |`, `--- !tag`): not read here.
    if (!/^ *(#.*)?$/.test(match[1]!)) return undefined;
    // Text before the first marker is a document only if it holds more than comments.
    if (!leading || hasContent(text.slice(0, match.index))) spans.push({ start, end: match.index });
    leading = false;
    start = match.index + match[0].length;
  }
  spans.push({ start, end: text.length });
  return spans;
}

const hasContent = (text: string): boolean => text.split('\n').some((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));

interface Line {
  start: number;
  indent: number;
  text: string;
}

/** The range of `path` in the document starting at `start` (ending at `end`), or undefined when the lines alone cannot tell. */
export function quickRange(text: string, start: number, end: number, path: Path, on: 'key' | 'value'): LineRange | undefined {
  let lines = linesOf(text, start, end);
  let parentIndent = -1;
  for (let depth = 0; depth < path.length; depth++) {
    const segment = path[depth];
    if (typeof segment !== 'string' || lines.length === 0) return undefined;
    const indent = lines[0]!.indent;
    if (indent <= parentIndent) return undefined;
    let found: { line: Line; index: number; keyEnd: number } | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.indent > indent) continue;
      if (line.indent < indent) return undefined;
      const key = KEY.exec(line.text);
      if (!key) return undefined;
      if (key[1] !== segment) continue;
      // A key written twice: the parser keeps the last; not read here.
      if (found) return undefined;
      found = { line, index: i, keyEnd: line.start + indent + key[1].length };
    }
    if (!found) return undefined;
    const { line, index, keyEnd } = found;
    const rest = line.text.slice(indent + segment.length + 1);
    // A quoted value that goes on past its line could hold text that looks like the keys below it.
    if (lines.some((l) => l.indent === indent && opensQuote(l.text))) return undefined;
    const children = childLines(lines, index, indent);
    if (depth === path.length - 1) {
      if (on === 'key') return { start: line.start + indent, end: keyEnd };
      // A plain scalar on the key's line, not continued on the next lines.
      if (children.length > 0) return undefined;
      const value = PLAIN_VALUE.exec(rest);
      if (!value) return undefined;
      const valueStart = keyEnd + 1 + value[1]!.length;
      return { start: valueStart, end: valueStart + value[2]!.length };
    }
    // Going deeper: the value must be a block mapping on the lines below.
    if (!/^ *(#.*)?$/.test(rest)) return undefined;
    lines = children;
    parentIndent = indent;
  }
  return undefined;
}

/** A plain key and its colon, at the start of an indented line. */
const KEY = /^ *([A-Za-z0-9_][A-Za-z0-9_./-]*):(?= |$)/;
/** A one-line plain scalar after `key:`: spaces, the value (no indicator first, no `: ` or ` #` inside), then the end of the line. */
const PLAIN_VALUE = /^( +)([^\s\-?:,[\]{}#&*!|>'"%@`](?:(?!: | #)[^\n])*?)(?: +#.*)? *$/;

/** A key whose value starts a quoted scalar that does not end on the same line. */
function opensQuote(line: string): boolean {
  const value = line.slice(line.indexOf(':') + 1).trim();
  const quote = value[0];
  if (quote !== '"' && quote !== "'") return false;
  const body = value.replace(/ +#.*$/, '');
  return body.length < 2 || body[body.length - 1] !== quote;
}

/** Non-blank, non-comment lines of the document. */
function linesOf(text: string, start: number, end: number): Line[] {
  const lines: Line[] = [];
  let at = start;
  while (at < end) {
    let next = text.indexOf('\n', at);
    if (next < 0 || next > end) next = end;
    const lineText = text.slice(at, next);
    const trimmed = lineText.trimStart();
    if (trimmed !== '' && !trimmed.startsWith('#')) lines.push({ start: at, indent: lineText.length - trimmed.length, text: lineText });
    at = next + 1;
  }
  return lines;
}

/** The lines of the value of the key on lines[index]: those after it, more indented than it. */
function childLines(lines: Line[], index: number, indent: number): Line[] {
  let last = index + 1;
  while (last < lines.length && lines[last]!.indent > indent) last++;
  return lines.slice(index + 1, last);
}
