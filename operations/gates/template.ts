/**
 * Gate query templates: PromQL with {{namespace}}, {{service}}, {{subset}} and {{interval}}.
 * A template is checked once when it is read (known placeholders, PromQL syntax with the
 * Prometheus project's own Lezer grammar, label values only inside quoted strings) so a typo
 * is an error with its position when the configuration loads, not a failed query later.
 * Rendering escapes every value for the string it lands in, so a label value can never
 * change the shape of the query.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { ConfigError } from '../../server/src/engine/config';

export const PLACEHOLDERS = ['namespace', 'service', 'subset', 'interval'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

/** Where a placeholder lands in the query decides how its value is escaped. */
type Slot = { kind: 'string'; quote: '"' | "'" | '`'; regex: boolean } | { kind: 'duration' };

interface Segment {
  /** Literal text, or the placeholder name. */
  text: string;
  placeholder?: Placeholder;
  /** Offset of the segment in the template. */
  offset: number;
  slot?: Slot;
}

export interface QueryTemplate {
  readonly text: string;
  render(values: TemplateValues): string;
}

/** Values that parse in every slot; used to check a template before real values exist. */
const SAMPLE: TemplateValues = { namespace: 'namespace', service: 'service', subset: 'subset', interval: '1m' };
const PLACEHOLDER_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;
/** A Prometheus duration such as 30s, 1m, 1h30m. */
export const DURATION_PATTERN = /^(\d+(ms|y|w|d|h|m|s))+$/;

/** 1-based line and column of an offset, for messages. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function where(text: string, offset: number): string {
  const { line, column } = positionOf(text, offset);
  return `line ${line}, column ${column}`;
}

/**
 * Parses and checks a template. `label` names it in errors (e.g. `gate "error-rate"`).
 * Throws ConfigError for an unknown or unclosed placeholder, a PromQL syntax error, a label
 * value outside a quoted string, or a query that never uses {{subset}}.
 */
export function compileTemplate(text: string, label: string): QueryTemplate {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER_PATTERN)) {
    const name = match[1]!;
    if (!(PLACEHOLDERS as readonly string[]).includes(name))
      throw new ConfigError(
        `${label}: unknown placeholder {{${name}}} at ${where(text, match.index)}; known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`,
      );
    if (match.index > last) segments.push({ text: text.slice(last, match.index), offset: last });
    segments.push({ text: match[0], placeholder: name as Placeholder, offset: match.index });
    last = match.index + match[0].length;
  }
  if (last < text.length) segments.push({ text: text.slice(last), offset: last });
  for (const segment of segments) {
    if (segment.placeholder) continue;
    const stray = /\{\{|\}\}/.exec(segment.text);
    if (stray) throw new ConfigError(`${label}: unclosed placeholder "${stray[0]}" at ${where(text, segment.offset + stray.index)}.`);
  }
  if (!segments.some((s) => s.placeholder === 'subset'))
    throw new ConfigError(`${label}: the query never uses {{subset}}, so the stable and the canary subset would get the same value.`);

  // Parse with sample values, then map syntax errors back to template positions.
  const sample = renderSegments(segments, SAMPLE, false);
  const tree = parser.parse(sample.query);
  let error: SyntaxNode | undefined;
  tree.iterate({
    enter(node) {
      if (error) return false;
      if (node.type.isError) error = node.node;
      return undefined;
    },
  });
  if (error) {
    const at = sample.templateOffset(error.from);
    const inside = sample.placeholderAt(error.from) ?? sample.placeholderAt(error.from - 1);
    if (inside && inside.placeholder !== 'interval')
      throw new ConfigError(
        `${label}: {{${inside.placeholder}}} at ${where(text, inside.offset)} must be inside a quoted label value, e.g. version="{{${inside.placeholder}}}".`,
      );
    const rest = text.slice(at);
    const detail = rest.trim()
      ? ` near "${rest.split('\n')[0]!.slice(0, 20)}": unexpected "${/^\S+?(?=[\s(){}[\],]|$)|^\S/.exec(rest)![0]}"`
      : ' at the end: the expression is incomplete';
    throw new ConfigError(`${label}: not valid PromQL at ${where(text, at)}${detail}.`);
  }
  for (const [index, segment] of segments.entries()) {
    if (!segment.placeholder) continue;
    const node = tree.resolveInner(sample.renderedStart[index]!, 1);
    segment.slot = slotOf(node, sample.query);
    if (segment.placeholder !== 'interval' && segment.slot.kind !== 'string')
      throw new ConfigError(
        `${label}: {{${segment.placeholder}}} at ${where(text, segment.offset)} must be inside a quoted label value, e.g. version="{{${segment.placeholder}}}".`,
      );
    if (segment.placeholder === 'interval' && segment.slot.kind === 'string')
      throw new ConfigError(`${label}: {{interval}} at ${where(text, segment.offset)} is a duration, e.g. [{{interval}}]; it cannot go inside a string.`);
  }
  return { text, render: (values) => renderSegments(segments, values, true).query };
}

function slotOf(node: SyntaxNode, query: string): Slot {
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    if (n.name === 'StringLiteral') {
      const matchOp = n.parent?.getChild('MatchOp')?.firstChild?.name;
      const quote = query[n.from] as '"' | "'" | '`';
      return { kind: 'string', quote, regex: matchOp === 'EqlRegex' || matchOp === 'NeqRegex' };
    }
  }
  return { kind: 'duration' };
}

interface Rendered {
  query: string;
  renderedStart: number[];
  templateOffset(renderedOffset: number): number;
  /** The placeholder whose value covers a rendered offset. */
  placeholderAt(renderedOffset: number): Segment | undefined;
}

function renderSegments(segments: Segment[], values: TemplateValues, escape: boolean): Rendered {
  let query = '';
  const renderedStart: number[] = [];
  for (const segment of segments) {
    renderedStart.push(query.length);
    if (!segment.placeholder) query += segment.text;
    else query += escape ? escapeValue(segment.placeholder, values[segment.placeholder], segment.slot!) : values[segment.placeholder];
  }
  return {
    query,
    renderedStart,
    templateOffset(offset) {
      let i = renderedStart.length - 1;
      while (i > 0 && renderedStart[i]! > offset) i--;
      const segment = segments[i];
      if (!segment) return 0;
      return segment.placeholder ? segment.offset : segment.offset + (offset - renderedStart[i]!);
    },
    placeholderAt(offset) {
      const i = segments.findIndex((s, k) => s.placeholder && offset >= renderedStart[k]! && offset < (renderedStart[k + 1] ?? query.length));
      return i < 0 ? undefined : segments[i];
    },
  };
}

const REGEX_META = /[\\.+*?()|[\]{}^$]/g;

function escapeValue(placeholder: Placeholder, value: string, slot: Slot): string {
  if (slot.kind === 'duration') {
    if (!DURATION_PATTERN.test(value)) throw new ConfigError(`{{interval}} must be a Prometheus duration such as 30s, 1m or 5m, got "${value}".`);
    return value;
  }
  // Regex matchers are fully anchored in PromQL: escape so a value matches only itself.
  const literal = slot.regex ? value.replace(REGEX_META, '\\$&') : value;
  if (slot.quote === '`') {
    if (literal.includes('`')) throw new ConfigError(`{{${placeholder}}} value "${value}" contains a backtick, which a raw PromQL string cannot hold.`);
    return literal;
  }
  return literal.replace(/[\\"'\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
}
