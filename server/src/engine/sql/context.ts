import type { CodeIndex } from '../code-index';
import type { EngineSettings, RuleMeta, StatementReport } from '../types';
import type { NodeKind, NodeOf } from './ast';
import { tokenize, type Token } from './lex';
import type { ParsedStatement } from './parse';
import { tableRefOf, type TableRef } from './schema';
import { FileState } from './state';

export { FileState, type TableRef };

export const tableRef = tableRefOf;

export const displayTable = (ref: TableRef): string => (ref.schema ? `${ref.schema}.${ref.name}` : ref.name);

/** Where a statement comes from: the file itself, a DO block, or a function body. */
export type StatementOrigin = 'file' | 'do-block' | 'function-body';

/** One parsed statement with everything a rule needs to place and word its findings; K: its kinds. */
export class Statement<K extends NodeKind = NodeKind> {
  private tokenCache: Token[] | undefined;

  constructor(
    /** Kind and node as a union discriminated by kind, for a `switch (parsed.kind)` that narrows `parsed.node`. */
    readonly parsed: ParsedStatement<K>,
    /** Document text. */
    readonly text: string,
    /** Document offsets of the statement (without its `;`). */
    readonly start: number,
    readonly end: number,
    /** Offset of the terminating `;`, or -1. */
    readonly semicolon: number,
    /** Maps a parser location (UTF-8 bytes from the statement start) to a document offset. */
    private readonly byteToOffset: (byte: number) => number,
    readonly origin: StatementOrigin,
    /** Start of the top-level statement of the file this one is in (itself, or its DO block / function). */
    readonly unitStart: number = start,
    /** Source of that top-level statement. */
    readonly unitSource: string = text.slice(start, end),
  ) {}

  get kind(): K {
    return this.parsed.kind as K;
  }

  /** The parse tree, decoded when first read (see parse.ts). */
  get node(): NodeOf<K> {
    return this.parsed.node as NodeOf<K>;
  }

  /** Document offset of a parser location; the statement start when the parser gave none. */
  at(location: number | undefined): number {
    return typeof location === 'number' && location >= 0 ? this.byteToOffset(location) : this.start;
  }

  get source(): string {
    return this.text.slice(this.start, this.end);
  }

  get tokens(): Token[] {
    this.tokenCache ??= tokenize(this.text, this.start, this.end);
    return this.tokenCache;
  }

  /** First word token equal to `word` at or after `from`. */
  findWord(word: string, from = this.start): Token | undefined {
    return this.tokens.find((t) => t.start >= from && t.kind === 'word' && t.text === word);
  }

  /** Range of the leading keywords up to and including `lastWord` (e.g. `CREATE UNIQUE INDEX`). */
  headRange(lastWord: string): { start: number; end: number } {
    const token = this.findWord(lastWord);
    return { start: this.start, end: token ? token.end : (this.tokens[0]?.end ?? this.end) };
  }

  /** Range of a (possibly qualified) name whose first part starts at `offset`. */
  nameRange(offset: number): { start: number; end: number } {
    const tokens = this.tokens;
    let i = tokens.findIndex((t) => t.start >= offset);
    if (i < 0) return { start: offset, end: Math.min(offset + 1, this.end) };
    const start = tokens[i]!.start;
    while (tokens[i + 1]?.text === '.' && tokens[i + 2]) i += 2;
    return { start, end: tokens[i]!.end };
  }

  /**
   * Ranges of each action of an ALTER TABLE, in the order of `cmds`: the comma-separated
   * pieces after the table name. Undefined when they cannot be matched one to one.
   */
  alterActionRanges(): { start: number; end: number }[] | undefined {
    const { kind, node } = this.parsed;
    if (kind !== 'AlterTableStmt') return undefined;
    const relationStart = this.at(node.relation?.location);
    const tokens = this.tokens;
    let i = tokens.findIndex((t) => t.start >= relationStart);
    if (i < 0) return undefined;
    while (tokens[i + 1]?.text === '.' && tokens[i + 2]) i += 2;
    i++;
    if (tokens[i]?.text === '*') i++;
    const ranges: { start: number; end: number }[] = [];
    let depth = 0;
    let segmentStart = i;
    for (let k = i; k <= tokens.length; k++) {
      const t = tokens[k];
      if (t && (t.text === '(' || t.text === '[')) depth++;
      else if (t && (t.text === ')' || t.text === ']')) depth--;
      if (!t || (depth === 0 && t.text === ',')) {
        if (k > segmentStart) ranges.push({ start: tokens[segmentStart]!.start, end: tokens[k - 1]!.end });
        segmentStart = k + 1;
      }
    }
    const cmds = node.cmds ?? [];
    return ranges.length === cmds.length ? ranges : undefined;
  }

  /** Range of the i-th ALTER TABLE action, or the whole statement head. */
  actionRange(index: number): { start: number; end: number } {
    return this.alterActionRanges()?.[index] ?? this.headRange('table');
  }
}

export interface RuleContext {
  settings: EngineSettings;
  /** State before this statement. */
  state: FileState;
  /** Text of the comments right before this statement (e.g. `-- rollout-guard: backfill …`). */
  commentsBefore: readonly string[];
  /** Where the latest earlier top-level statement with this source is (see UnitRecord). */
  locateUnit(unit: string): { start: number; end: number } | undefined;
  /** The application code, for rules that check what still uses a column. */
  codeIndex?: CodeIndex;
}

/** What a rule sees after the last statement of a file. */
export interface EndContext {
  settings: EngineSettings;
  /** State after the last statement. */
  state: FileState;
  text: string;
  /** Where the latest top-level statement with this source is, with its terminating `;` (-1: none). */
  locateUnit(unit: string): { start: number; end: number; semicolon: number } | undefined;
}

/** A PostgreSQL rule; K: the statement kinds it looks at. */
export interface SqlRule<K extends NodeKind = NodeKind> extends RuleMeta {
  kinds: readonly K[];
  /** Called for each statement of the kinds listed (rules with only `atEnd` list none). */
  check?(stmt: Statement<K>, ctx: RuleContext, report: (finding: StatementReport) => void): void;
  /** Called once after the last statement, for what only the whole file tells (a BEGIN never committed). */
  atEnd?(ctx: EndContext, report: (finding: StatementReport) => void): void;
}
