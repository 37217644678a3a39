/** YAML manifests with positions: every object of a multi-document file, and the source range of any path in it. */
import * as jsYaml from 'js-yaml';
import { documentSpans, quickRange, type LineRange } from './quick-range';
import { Document, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node, type Pair } from 'yaml';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** A Kubernetes object as written in one YAML document. */
export interface ManifestObject {
  file: string;
  /** Index of the YAML document in its file. */
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** Namespace as written, or `default`. */
  namespace: string;
  namespaceWritten: boolean;
  /** The document as plain data, aliases resolved. */
  data: Record<string, unknown>;
  /** The syntax tree of the document, for positions (built on first use). */
  readonly doc: Document;
  /** Offsets of the whole document. */
  readonly start: number;
  readonly end: number;
  /** rangeAt's answer read from the lines when that is cheaper than the syntax tree and certain; else undefined. */
  quickRange?(path: Path, on: 'key' | 'value'): LineRange | undefined;
}

export interface YamlProblem {
  start: number;
  end: number;
  message: string;
  /** The finding's rule: syntax-error unless said. */
  rule?: 'duplicate-key' | 'yaml-alias-limit';
}

/** Aliases an object may expand to, as the `yaml` library counts them (Kubernetes' YAML reader also stops alias bombs). */
const MAX_ALIAS_COUNT = 1000;
/** An alias (`*name`) in a value position: such files are read by the full parser, which bounds their expansion. */
const HAS_ALIAS = /(?:^|[\s[{,:-])\*[^\s,\]}]/;

export interface ParsedYamlFile {
  objects: ManifestObject[];
  /** YAML syntax errors, one per error. */
  problems: YamlProblem[];
  /** `{{` templates (Helm): not YAML until rendered. */
  template: boolean;
  readonly comments: readonly YamlComment[];
  /** The text and syntax trees behind the objects' positions. */
  readonly source: YamlSource;
}

export interface YamlComment {
  start: number;
  end: number;
  text: string;
}

/**
 * A file's text and its syntax trees (for positions). An indexed file nobody has open can be
 * released: its text and trees are dropped and its data strings copied out of the text, so the
 * workspace graph keeps only the objects; positions, comments and text are read again on demand.
 */
export class YamlSource {
  private text: string | undefined;
  private docs: Document[] | undefined;
  private readonly byIndex = new Map<number, Document>();
  private cachedComments: YamlComment[] | undefined;
  /** Where each document lies (quick-range.ts) and whether it is the one its data came from; null when the file is not that simple. */
  private spans: { span: LineRange; verified: boolean | undefined }[] | null | undefined;
  private released: { length: number; hash: number; reread: () => string | undefined; onRestore: () => void } | undefined;

  constructor(text: string, docs?: Document[]) {
    this.text = text;
    this.docs = docs;
    docs?.forEach((doc, index) => this.byIndex.set(index, doc));
  }

  get isReleased(): boolean {
    return this.text === undefined;
  }

  /**
   * The text; a released file's is read again and kept until the next release. Undefined when
   * the file cannot be read now or no longer holds the text the objects came from.
   */
  currentText(): string | undefined {
    if (this.text !== undefined) return this.text;
    const released = this.released;
    const text = released?.reread();
    if (!released || text === undefined || text.length !== released.length || hashText(text) !== released.hash) return undefined;
    this.text = text;
    released.onRestore();
    return text;
  }

  /**
   * rangeAt's answer from the lines of the index-th document, before its syntax tree exists (see
   * quick-range.ts); undefined once the tree is there, or when the lines cannot tell for certain.
   */
  quickRange(index: number, record: Record<string, unknown>, path: Path, on: 'key' | 'value'): LineRange | undefined {
    if (this.byIndex.has(index)) return undefined;
    const text = this.currentText();
    if (text === undefined) return undefined;
    const span = this.verifiedSpan(text, index, record);
    return span && quickRange(text, span.start, span.end, path, on);
  }

  /** The index-th document's lines, once they are known to be the document the data came from (checked once per document). */
  private verifiedSpan(text: string, index: number, record: Record<string, unknown>): LineRange | undefined {
    this.spans ??= documentSpans(text)?.map((span) => ({ span, verified: undefined })) ?? null;
    const entry = this.spans?.[index];
    if (!entry) return undefined;
    if (entry.verified === undefined) {
      // The document found by counting `---` lines must be the one the data came from.
      const { start, end } = entry.span;
      const valueAt = (path: Path): string | undefined => {
        const at = quickRange(text, start, end, path, 'value');
        return at && text.slice(at.start, at.end);
      };
      const name = (record.metadata as Record<string, unknown> | undefined)?.name;
      entry.verified = valueAt(['kind']) === record.kind && (typeof name !== 'string' || valueAt(['metadata', 'name']) === name);
    }
    return entry.verified ? entry.span : undefined;
  }

  /** The syntax tree of the document that produced `value` (the index-th document, else matched by identity). */
  docFor(index: number, value: unknown): Document {
    let doc = this.byIndex.get(index);
    if (!doc) {
      this.docs ??= parseDocuments(this.currentText() ?? '');
      const all = this.docs;
      // Empty documents can be counted differently by the two parsers: match by index, else by identity fields.
      const id = identity(value);
      const matches = (d: Document | undefined): boolean => !!d && d.errors.length === 0 && docIdentity(d) === id;
      doc = matches(all[index]) ? all[index]! : (all.find(matches) ?? all[index] ?? all[0] ?? new Document());
      this.byIndex.set(index, doc);
    }
    return doc;
  }

  get comments(): readonly YamlComment[] {
    this.cachedComments ??= yamlComments(this.currentText() ?? '');
    return this.cachedComments;
  }

  /**
   * Drops the text and syntax trees; `reread` gives the file's text again (positions, comments,
   * a lint), `onRestore` is told when it did. The objects' data strings are copied out of the
   * text first: sliced strings would keep it alive.
   */
  release(objects: readonly ManifestObject[], reread: () => string | undefined, onRestore: () => void): void {
    if (this.text === undefined) return;
    if (!this.released) for (const object of objects) detachStrings(object);
    this.released = { length: this.text.length, hash: hashText(this.text), reread, onRestore };
    this.text = undefined;
    this.docs = undefined;
    this.byIndex.clear();
    this.cachedComments = undefined;
    this.spans = undefined;
  }
}

/** FNV-1a over UTF-16 code units: tells whether a file still holds the text its objects came from. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Copies an object's strings (data and identity) out of its file's text, in place. */
function detachStrings(object: ManifestObject): void {
  copyStrings(object.data);
  object.apiVersion = copied(object.apiVersion) as string;
  object.kind = copied(object.kind) as string;
  object.name = copied(object.name) as string;
  object.namespace = copied(object.namespace) as string;
}

/** Replaces every string in a parsed value, in place, by a copy that does not keep its file's text alive. */
function copyStrings(value: unknown): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = copied(value[i]);
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = copied(record[key]);
  }
}

function copied(value: unknown): unknown {
  // V8 slices strings of 13+ characters out of their parent; concatenating flattens a fresh copy.
  if (typeof value === 'string') return value.length > 12 ? (' ' + value).slice(1) : value;
  copyStrings(value);
  return value;
}

const LOOKS_LIKE_MANIFEST = /^\s*(apiVersion|kind):/m;

/**
 * A Helm (Go template) file: `{{ … }}` in the YAML structure itself, which then fails to parse
 * or parses as a mapping used as a key. `{{ … }}` inside strings (Argo's `{{args.x}}`, GitHub's
 * `${{ … }}`) is ordinary YAML.
 */
function isGoTemplate(text: string, docs: readonly Document[]): boolean {
  if (!text.includes('{{')) return false;
  if (docs.some((d) => d.errors.length > 0)) return true;
  let found = false;
  const visit = (node: unknown): void => {
    if (found) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isMap(pair.key) || isSeq(pair.key)) found = true;
        visit(pair.value);
      }
    } else if (isSeq(node)) node.items.forEach(visit);
  };
  docs.forEach((d) => visit(d.contents));
  return found;
}

/** YAML 1.2 core types plus merge keys (`<<`), as Kubernetes reads them. Duplicate keys throw: the full parser reports them. */
const FAST_SCHEMA = jsYaml.CORE_SCHEMA.extend({ implicit: [(jsYaml as unknown as { types: { merge: jsYaml.Type } }).types.merge] });

/**
 * Parses a YAML file into Kubernetes objects. The data comes from a fast parser (js-yaml);
 * positions come from the `yaml` library's syntax tree, built only when a finding, fix or
 * hover needs one (most files of a workspace never do).
 */
export function parseYamlFile(file: string, text: string): ParsedYamlFile {
  if (!text.includes('{{') && !HAS_ALIAS.test(text)) {
    let values: unknown[] | undefined;
    try {
      values = jsYaml.loadAll(text, undefined, { schema: FAST_SCHEMA });
    } catch {
      // Fall through: the full parser reports the errors with their positions.
    }
    if (values) {
      const source = new YamlSource(text);
      const objects: ManifestObject[] = [];
      values.forEach((value, index) => {
        const object = toObject(file, index, value, source);
        if (object) objects.push(object);
      });
      return parsedFile(objects, [], false, source);
    }
  }
  return parseWithPositions(file, text);
}

function parsedFile(objects: ManifestObject[], problems: YamlProblem[], template: boolean, source: YamlSource): ParsedYamlFile {
  return {
    objects,
    problems,
    template,
    source,
    get comments() {
      return template ? [] : source.comments;
    },
  };
}

function parseDocuments(text: string): Document[] {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, merge: true });
  return Array.isArray(docs) ? docs : [];
}

/** identity() read from the tree, without converting the whole document (which costs more than parsing it). */
const docIdentity = (doc: Document): string => `${String(doc.get('apiVersion'))}/${String(doc.get('kind'))}/${String(doc.getIn(['metadata', 'name']))}`;

const identity = (value: unknown): string => {
  const r = (value ?? {}) as Record<string, unknown>;
  return `${String(r.apiVersion)}/${String(r.kind)}/${String((r.metadata as Record<string, unknown> | undefined)?.name)}`;
};

/** A Kubernetes object from one document's data; `doc` (and the offsets) come from the source when asked for. */
function toObject(file: string, index: number, value: unknown, source: YamlSource): ManifestObject | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const kind = typeof record.kind === 'string' ? record.kind : '';
  if (!kind && !record.apiVersion) return undefined;
  const metadata = (record.metadata ?? {}) as Record<string, unknown>;
  return {
    file,
    index,
    apiVersion: typeof record.apiVersion === 'string' ? record.apiVersion : '',
    kind,
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace: typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : 'default',
    namespaceWritten: typeof metadata.namespace === 'string',
    data: record,
    get doc() {
      return source.docFor(index, record);
    },
    quickRange(path, on) {
      return source.quickRange(index, record, path, on);
    },
    get start() {
      return this.doc.range?.[0] ?? 0;
    },
    get end() {
      return this.doc.range?.[2] ?? 0;
    },
  };
}

/** The full parse: templates, syntax errors with positions. */
function parseWithPositions(file: string, text: string): ParsedYamlFile {
  const list = parseDocuments(text);
  const source = new YamlSource(text, list);
  if (isGoTemplate(text, list)) return parsedFile([], [], LOOKS_LIKE_MANIFEST.test(text), source);
  const objects: ManifestObject[] = [];
  const problems: YamlProblem[] = [];
  list.forEach((doc, index) => {
    for (const error of doc.errors) {
      problems.push({ start: error.pos[0], end: Math.max(error.pos[1], error.pos[0] + 1), message: error.message.split('\n')[0]! });
    }
    if (doc.errors.length) return;
    problems.push(...duplicateKeys(doc));
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const at = doc.range?.[0] ?? 0;
      const message = error instanceof Error ? error.message : String(error);
      if (/alias count/i.test(message))
        problems.push({
          rule: 'yaml-alias-limit',
          start: at,
          end: at + 1,
          message: `Its aliases expand to more than ${MAX_ALIAS_COUNT} nodes (a "billion laughs" pattern): this document was not checked, and the Kubernetes API server refuses such YAML too.`,
        });
      else problems.push({ start: at, end: at + 1, message });
      return;
    }
    const object = toObject(file, index, data, source);
    if (object) objects.push(object);
  });
  return parsedFile(objects, problems, false, source);
}

/**
 * Keys written twice in one mapping. kubectl refuses such a file ("mapping key already defined");
 * other tools silently keep the last value, which is what the checks here read too.
 */
function duplicateKeys(doc: Document): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      const seen = new Map<unknown, Node>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key) && key.value !== '<<') {
          const first = seen.get(key.value);
          if (first && key.range) {
            problems.push({
              rule: 'duplicate-key',
              start: key.range[0],
              end: key.range[1],
              message: `\`${String(key.value)}\` is already a key of this mapping: kubectl refuses the file (mapping key already defined); other tools keep this last value.`,
            });
          } else seen.set(key.value, key);
        }
        visit(pair.value);
      }
    } else if (isSeq(node)) node.items.forEach(visit);
  };
  visit(doc.contents);
  return problems;
}

/** `# …` comments (outside quoted scalars), for suppression directives. */
function yamlComments(text: string): YamlComment[] {
  const out: YamlComment[] = [];
  const pattern = /(^|[ \t])#[^\n]*/g;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const start = m.index + m[1]!.length;
    const lineStart = text.lastIndexOf('\n', start) + 1;
    const before = text.slice(lineStart, start);
    // A # after an odd number of quotes on the line is inside a string.
    if ((before.match(/"/g)?.length ?? 0) % 2 === 1 || (before.match(/'/g)?.length ?? 0) % 2 === 1) continue;
    out.push({ start, end: start + m[0].length - m[1]!.length, text: m[0].slice(m[1]!.length) });
  }
  return out;
}

/** The YAML node at a path (aliases followed), or undefined. */
export function nodeAt(doc: Document, path: Path): Node | undefined {
  let node: unknown = doc.contents;
  for (const segment of path) {
    node = resolve(doc, node);
    if (isMap(node)) node = lastPair(node.items, segment)?.value;
    else if (isSeq(node) && typeof segment === 'number') node = node.items[segment];
    else return undefined;
  }
  return (resolve(doc, node) as Node | undefined) ?? undefined;
}

/** The pair whose key is the last segment of path. */
export function pairAt(doc: Document, path: Path): Pair | undefined {
  const parent = nodeAt(doc, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!isMap(parent)) return undefined;
  return lastPair(parent.items, last);
}

/** The pair with this key; of a key written twice, the last, whose value counts. */
function lastPair(items: readonly unknown[], key: PathSegment | undefined): Pair | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const p = items[i];
    if (isPair(p) && isScalar(p.key) && p.key.value === key) return p as Pair;
  }
  return undefined;
}

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/**
 * Source range for a finding at `path`: the value (or the key with `on: 'key'`). Falls back to
 * the nearest existing ancestor's key, then to the document start, so every finding has a place.
 */
export function rangeAt(object: ManifestObject, path: Path, on: 'key' | 'value' = 'value'): { start: number; end: number } {
  return object.quickRange?.(path, on) ?? parsedRangeAt(object, path, on);
}

/** rangeAt from the document's syntax tree. */
export function parsedRangeAt(object: ManifestObject, path: Path, on: 'key' | 'value' = 'value'): { start: number; end: number } {
  for (let depth = path.length; depth > 0; depth--) {
    const sub = path.slice(0, depth);
    const pair = typeof sub[sub.length - 1] === 'string' ? pairAt(object.doc, sub) : undefined;
    const wanted = depth === path.length && on === 'value' ? nodeAt(object.doc, sub) : ((pair?.key as Node | undefined) ?? nodeAt(object.doc, sub));
    const range = (wanted as Node | undefined)?.range;
    if (range) return trimRange(range[0], range[1]);
  }
  const first = isMap(object.doc.contents) ? object.doc.contents.items[0]?.key : undefined;
  const range = (first as Node | undefined)?.range ?? [object.start, object.start + 1];
  return trimRange(range[0], range[1]);
}

/** Collections end at the next line; keep squiggles on the first line's content. */
function trimRange(start: number, end: number): { start: number; end: number } {
  return { start, end: Math.max(start + 1, end) };
}
