/**
 * A recogniser for the MySQL statements migrations are made of, over tokens with document
 * offsets: what the rules need (tables, each ALTER TABLE clause with its range, column
 * definitions, ALGORITHM/LOCK, WHERE and LIMIT of DML), and, for ALTER/CREATE TABLE, whether
 * the clauses follow MySQL's grammar (reference manual, ALTER TABLE and CREATE TABLE syntax).
 */
import { nameOf, tokenize, type LexProblem, type Token } from './lex';

export interface Range {
  start: number;
  end: number;
}

export interface TableName extends Range {
  schema?: string;
  name: string;
}

export interface ColumnDef {
  name: string;
  nameRange: Range;
  /** Base type, lowercased (`varchar`, `bigint`). */
  type: string;
  /** The type as written, normalised: lowercased, single spaces (`varchar(255)`, `int unsigned`). */
  typeText: string;
  typeRange: Range;
  notNull: boolean;
  /** DEFAULT with a value other than NULL. */
  hasDefault: boolean;
  autoIncrement: boolean;
  generated?: 'stored' | 'virtual';
  primaryKey: boolean;
  /** FIRST or AFTER col. */
  reorders: boolean;
}

export type ActionKind =
  | 'add-column'
  | 'drop-column'
  | 'modify-column'
  | 'change-column'
  | 'rename-column'
  | 'alter-column'
  | 'add-index'
  | 'add-unique'
  | 'add-fulltext'
  | 'add-spatial'
  | 'add-primary-key'
  | 'add-foreign-key'
  | 'add-check'
  | 'drop-index'
  | 'drop-primary-key'
  | 'drop-foreign-key'
  | 'drop-check'
  | 'alter-index'
  | 'alter-check'
  | 'rename-index'
  | 'rename-table'
  | 'convert-charset'
  | 'table-options'
  | 'force'
  | 'algorithm'
  | 'lock'
  | 'order-by'
  | 'keys'
  | 'tablespace'
  | 'validation'
  | 'partition-copy'
  | 'partition';

export interface AlterAction extends Range {
  kind: ActionKind;
  /** Column definitions (ADD COLUMN may add several in parentheses). */
  columns: ColumnDef[];
  /** Column or index acted on (DROP COLUMN x, CHANGE x y, RENAME COLUMN x TO y). */
  name?: string;
  newName?: string;
  /** The words of the clause, lowercased (for table options and key columns). */
  words: string[];
  /** Key columns of an index or primary key. */
  keyColumns: string[];
  /** ALGORITHM / LOCK value, CHECK [NOT] ENFORCED. */
  value?: string;
}

export type StatementKind =
  | 'alter-table'
  | 'create-table'
  | 'create-index'
  | 'drop-table'
  | 'drop-index'
  | 'rename-table'
  | 'update'
  | 'delete'
  | 'insert'
  | 'select'
  | 'set'
  | 'transaction'
  | 'other';

export interface SyntaxProblem extends Range {
  message: string;
}

export class MysqlStatement {
  kind: StatementKind = 'other';
  table?: TableName;
  /** DROP TABLE's tables, RENAME TABLE's pairs. */
  tables: TableName[] = [];
  renames: { from: TableName; to: TableName; range: Range }[] = [];
  actions: AlterAction[] = [];
  /** CREATE TABLE columns and key definitions. */
  columns: ColumnDef[] = [];
  createsFulltext = false;
  temporary = false;
  /** CREATE INDEX: kind of index; ALTER: ALGORITHM and LOCK clauses. */
  indexKind?: 'index' | 'unique' | 'fulltext' | 'spatial';
  algorithm?: { value: string } & Range;
  lock?: { value: string } & Range;
  /** UPDATE/DELETE: the WHERE tokens at depth 0 and whether a LIMIT bounds them. */
  where?: Token[];
  limit = false;
  /** SET statements: variable → value (lowercased), e.g. foreign_key_checks → 0. */
  assignments: [string, string][] = [];
  /** Reasons to think the statement is malformed (besides node-sql-parser's opinion). */
  problems: SyntaxProblem[] = [];
  lexProblems: LexProblem[] = [];
  readonly tokens: Token[];

  constructor(
    /** Document text. */
    readonly text: string,
    readonly start: number,
    readonly end: number,
    /** Start of the comments before it: where an ignore comment applies. */
    readonly unitStart = start,
  ) {
    this.tokens = tokenize(text, start, end, this.lexProblems);
    recognise(this);
  }

  get source(): string {
    return this.text.slice(this.start, this.end);
  }

  /** Range from the first token up to and including the first token equal to `word`. */
  headRange(word: string): Range {
    const token = this.tokens.find((t) => t.kind === 'word' && t.text === word);
    return { start: this.start, end: token ? token.end : (this.tokens[0]?.end ?? this.end) };
  }
}

const KNOWN_TYPES = new Set(
  (
    'bit tinyint smallint mediumint middleint int integer int1 int2 int3 int4 int8 bigint serial bool boolean decimal dec numeric fixed float float4 float8 ' +
    'double real date datetime timestamp time year char character varchar varcharacter nchar nvarchar national binary varbinary ' +
    'tinyblob blob mediumblob longblob tinytext text mediumtext longtext long enum set json geometry point linestring polygon multipoint ' +
    'multilinestring multipolygon geometrycollection geomcollection uuid inet4 inet6 vector'
  ).split(' '),
);

/** Words that start an ALTER TABLE table option. */
const TABLE_OPTIONS = new Set(
  (
    'engine auto_increment avg_row_length character charset checksum collate comment compression connection data index delay_key_write ' +
    'encryption engine_attribute secondary_engine_attribute insert_method key_block_size max_rows min_rows pack_keys password row_format ' +
    'stats_auto_recalc stats_persistent stats_sample_pages tablespace union autoextend_size page_compressed page_compression_level ' +
    'transactional with without ietf_quotes sequence secondary_engine storage'
  ).split(' '),
);

const PARTITION_COPY = new Set(['partition', 'remove', 'coalesce', 'reorganize']);
const PARTITION_OTHER = new Set(['analyze', 'check', 'optimize', 'rebuild', 'repair', 'truncate', 'exchange', 'discard', 'import', 'upgrade']);

/** Statement keywords MySQL and MariaDB accept first; anything else is a typo. */
const STATEMENT_STARTS = new Set(
  (
    'alter analyze begin binlog cache call change check checksum commit create deallocate delete delimiter describe desc do drop execute explain ' +
    'flush get grant handler help import insert install kill load lock optimize prepare purge release rename repair replace reset resignal revoke ' +
    'rollback savepoint select set show shutdown signal start stop table truncate uninstall unlock update use values with xa clone restart ' +
    'declare if while repeat loop leave iterate return open close fetch case backup'
  ).split(' '),
);

class Cursor {
  i = 0;
  constructor(readonly tokens: Token[]) {}
  peek(k = 0): Token | undefined {
    return this.tokens[this.i + k];
  }
  isWord(word: string, k = 0): boolean {
    const t = this.peek(k);
    return !!t && t.kind === 'word' && t.text === word;
  }
  accept(...words: string[]): boolean {
    if (words.every((w, k) => this.isWord(w, k))) {
      this.i += words.length;
      return true;
    }
    return false;
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
}

const isName = (t: Token | undefined): t is Token => !!t && (t.kind === 'word' || t.kind === 'quoted');

/** The document being recognised (names keep their case in messages). */
let source = '';
const nm = (t: Token): string => nameOf(source, t);

/** A (schema-qualified) table name at the cursor. */
function readTable(c: Cursor): TableName | undefined {
  const first = c.peek();
  if (!isName(first)) return undefined;
  c.next();
  if (c.peek()?.text === '.' && isName(c.peek(1))) {
    c.next();
    const second = c.next()!;
    return { schema: nm(first), name: nm(second), start: first.start, end: second.end };
  }
  return { name: nm(first), start: first.start, end: first.end };
}

/** Splits tokens at depth-0 commas. */
function splitClauses(tokens: Token[]): Token[][] {
  const clauses: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (depth === 0 && t.text === ',') {
      clauses.push(current);
      current = [];
    } else current.push(t);
  }
  clauses.push(current);
  return clauses;
}

function recognise(s: MysqlStatement): void {
  source = s.text;
  const c = new Cursor(s.tokens);
  const first = c.peek();
  if (!first) return;
  if (first.kind !== 'word' || !STATEMENT_STARTS.has(first.text)) {
    if (first.text !== '(')
      s.problems.push({ start: first.start, end: first.end, message: `${s.text.slice(first.start, first.end)} does not start a MySQL statement.` });
    return;
  }
  if (c.accept('alter')) {
    if (!c.accept('online')) c.accept('offline');
    c.accept('ignore');
    if (c.accept('table')) return recogniseAlterTable(s, c);
    return;
  }
  if (c.isWord('create')) return recogniseCreate(s, c);
  if (c.accept('drop')) {
    c.accept('temporary');
    if (c.accept('table') || c.accept('tables')) {
      s.kind = 'drop-table';
      c.accept('if', 'exists');
      for (;;) {
        const table = readTable(c);
        if (!table) {
          const at = c.peek() ?? s.tokens[s.tokens.length - 1]!;
          s.problems.push({ start: at.start, end: at.end, message: 'DROP TABLE needs a table name here.' });
          return;
        }
        s.tables.push(table);
        if (c.peek()?.text !== ',') break;
        c.next();
      }
      return;
    }
    if (c.accept('index')) {
      s.kind = 'drop-index';
      c.next();
      if (c.accept('on')) s.table = readTable(c);
      readAlgorithmLock(s, c.tokens.slice(c.i));
    }
    return;
  }
  if (c.accept('rename', 'table')) {
    s.kind = 'rename-table';
    for (;;) {
      const from = readTable(c);
      if (!from || !c.accept('to')) break;
      const to = readTable(c);
      if (!to) break;
      s.renames.push({ from, to, range: { start: from.start, end: to.end } });
      if (c.peek()?.text !== ',') return;
      c.next();
    }
    const at = c.peek() ?? s.tokens[s.tokens.length - 1]!;
    s.problems.push({ start: at.start, end: at.end, message: 'RENAME TABLE expects old_name TO new_name[, …].' });
    return;
  }
  if (first.text === 'update' || first.text === 'delete' || (first.text === 'with' && s.tokens.some((t) => t.text === 'update' || t.text === 'delete'))) {
    return recogniseDml(s);
  }
  if (first.text === 'insert' || first.text === 'replace') s.kind = 'insert';
  else if (first.text === 'select' || first.text === 'with' || first.text === 'values' || first.text === 'table') s.kind = 'select';
  else if (first.text === 'set') {
    s.kind = 'set';
    for (const clause of splitClauses(s.tokens.slice(1))) {
      const words = clause.filter((t) => t.text !== '=' && t.text !== ':=' && !['session', 'global', 'local', 'persist'].includes(t.text));
      const name = words[0]?.text.replace(/^@@(session\.|global\.|local\.)?/, '');
      if (name && words[1]) s.assignments.push([name, words[1].text.toLowerCase().replace(/^'(.*)'$/, '$1')]);
    }
  } else if (['begin', 'start', 'commit', 'rollback'].includes(first.text)) s.kind = 'transaction';
}

function recogniseCreate(s: MysqlStatement, c: Cursor): void {
  c.accept('create');
  c.accept('or', 'replace');
  if (!c.accept('online')) c.accept('offline');
  if (c.accept('temporary')) s.temporary = true;
  if (c.accept('table')) {
    s.kind = 'create-table';
    c.accept('if', 'not', 'exists');
    s.table = readTable(c);
    if (!s.table) {
      const at = c.peek() ?? s.tokens[s.tokens.length - 1]!;
      s.problems.push({ start: at.start, end: at.end, message: 'CREATE TABLE needs a table name here.' });
      return;
    }
    if (c.peek()?.text !== '(') return; // CREATE TABLE … LIKE / AS SELECT
    const open = c.i;
    const close = matchingParen(s.tokens, open);
    if (close < 0) return; // the lexer reports unbalanced parentheses
    const elements = s.tokens.slice(open + 1, close);
    // CREATE TABLE t (SELECT …)
    if (elements[0]?.text === 'select') return;
    for (const element of splitClauses(elements)) {
      if (element.length === 0) {
        const at = s.tokens[open]!;
        s.problems.push({ start: at.start, end: at.end, message: 'Empty element in the column list (a stray comma?).' });
        continue;
      }
      const head = element[0]!;
      const word = head.kind === 'word' ? head.text : '';
      // Keys and constraints; a column may still be called `key` if a type follows.
      const keyWord = ['index', 'key', 'unique', 'primary', 'foreign', 'constraint', 'check', 'fulltext', 'spatial', 'period', 'like'].includes(word);
      if (keyWord && !(element[1]?.kind === 'word' && KNOWN_TYPES.has(element[1].text) && ['index', 'key', 'check'].includes(word))) {
        if (word === 'fulltext') s.createsFulltext = true;
        continue;
      }
      const column = readColumnDef(element, s.problems);
      if (column) s.columns.push(column);
    }
    return;
  }
  let kind: MysqlStatement['indexKind'] = 'index';
  if (c.accept('unique')) kind = 'unique';
  else if (c.accept('fulltext')) kind = 'fulltext';
  else if (c.accept('spatial')) kind = 'spatial';
  if (c.accept('index')) {
    s.kind = 'create-index';
    s.indexKind = kind;
    c.accept('if', 'not', 'exists');
    const onAt = s.tokens.findIndex((t, k) => k >= c.i && t.kind === 'word' && t.text === 'on');
    if (onAt < 0) return;
    c.i = onAt + 1;
    s.table = readTable(c);
    readAlgorithmLock(s, s.tokens.slice(c.i));
  }
}

function matchingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (tokens[k]!.text === '(') depth++;
    else if (tokens[k]!.text === ')' && --depth === 0) return k;
  }
  return -1;
}

/** ALGORITHM [=] x and LOCK [=] x anywhere at depth 0 (CREATE/DROP INDEX put them after the key list). */
function readAlgorithmLock(s: MysqlStatement, tokens: Token[]): void {
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (depth !== 0 || t.kind !== 'word' || (t.text !== 'algorithm' && t.text !== 'lock')) continue;
    const valueAt = tokens[k + 1]?.text === '=' ? k + 2 : k + 1;
    const value = tokens[valueAt];
    if (!value || value.kind !== 'word') continue;
    const clause = { value: value.text.toUpperCase(), start: t.start, end: value.end };
    if (t.text === 'algorithm') s.algorithm = clause;
    else s.lock = clause;
  }
}

function recogniseAlterTable(s: MysqlStatement, c: Cursor): void {
  s.kind = 'alter-table';
  c.accept('if', 'exists');
  s.table = readTable(c);
  if (!s.table) {
    const at = c.peek() ?? s.tokens[s.tokens.length - 1]!;
    s.problems.push({ start: at.start, end: at.end, message: 'ALTER TABLE needs a table name here.' });
    return;
  }
  // MariaDB: WAIT n | NOWAIT
  if (c.accept('wait')) c.next();
  else c.accept('nowait');
  const rest = s.tokens.slice(c.i);
  if (rest.length === 0) return;
  const commas = topLevelCommas(rest);
  for (const [index, clause] of splitClauses(rest).entries()) {
    if (clause.length === 0) {
      // The comma after the empty clause (or the last one, for a trailing comma).
      const comma = commas[Math.min(index, commas.length - 1)] ?? rest[rest.length - 1]!;
      s.problems.push({ start: comma.start, end: comma.end, message: 'Empty ALTER TABLE clause (a stray comma?).' });
      continue;
    }
    const action = readAlterClause(clause, s.problems);
    if (!action) continue;
    s.actions.push(action);
    if (action.kind === 'algorithm') s.algorithm = { value: action.value ?? '', start: action.start, end: action.end };
    if (action.kind === 'lock') s.lock = { value: action.value ?? '', start: action.start, end: action.end };
  }
}

function topLevelCommas(tokens: Token[]): Token[] {
  let depth = 0;
  return tokens.filter((t) => {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    return depth === 0 && t.text === ',';
  });
}

/** One ALTER TABLE clause being read: its tokens after the leading word, and how to answer. */
interface ClauseReader {
  clause: Token[];
  c: Cursor;
  head: Token;
  /** The leading word (`add`, `drop`, …), or '' when the clause starts with no word. */
  word: string;
  words: string[];
  problems: SyntaxProblem[];
  action(kind: ActionKind, extra?: Partial<AlterAction>): AlterAction;
  /** Records a syntax problem at a token (default: the clause's last) and reads no action. */
  problem(at: Token | undefined, message: string): undefined;
}

function readAlterClause(clause: Token[], problems: SyntaxProblem[]): AlterAction | undefined {
  const range = { start: clause[0]!.start, end: clause[clause.length - 1]!.end };
  const words = clause.map((t) => t.text);
  const c = new Cursor(clause);
  const head = c.next()!;
  const r: ClauseReader = {
    clause,
    c,
    head,
    word: head.kind === 'word' ? head.text : '',
    words,
    problems,
    action: (kind, extra = {}) => ({ kind, ...range, columns: [], words, keyColumns: [], ...extra }),
    problem: (at, message) => {
      const t = at ?? clause[clause.length - 1]!;
      problems.push({ start: t.start, end: t.end, message });
      return undefined;
    },
  };
  switch (r.word) {
    case 'add':
      return readAdd(r);
    case 'drop':
      return readDrop(r);
    case 'modify':
    case 'change':
      return readModifyOrChange(r);
    case 'rename':
      return readRename(r);
    case 'alter':
      return readAlter(r);
    default:
      return readOtherClause(r);
  }
}

function readAdd({ clause, c, words, problems, action }: ClauseReader): AlterAction | undefined {
  if (c.accept('constraint')) {
    if (!c.isWord('primary') && !c.isWord('unique') && !c.isWord('foreign') && !c.isWord('check')) c.next();
  }
  if (c.accept('primary', 'key')) return action('add-primary-key', { keyColumns: keyColumnsOf(clause, c.i) });
  if (c.accept('unique')) return action('add-unique', { keyColumns: keyColumnsOf(clause, c.i) });
  if (c.accept('foreign', 'key')) return action('add-foreign-key');
  if (c.accept('check')) return action('add-check', { value: words.includes('not') && words.at(-1) === 'enforced' ? 'not enforced' : 'enforced' });
  if (c.accept('fulltext')) return action('add-fulltext');
  if (c.accept('spatial')) return action('add-spatial');
  if (c.isWord('index') || c.isWord('key')) return action('add-index', { keyColumns: keyColumnsOf(clause, c.i + 1) });
  if (c.isWord('partition')) return action('partition');
  if (c.isWord('period') || c.isWord('system')) return action('table-options');
  c.accept('column');
  c.accept('if', 'not', 'exists');
  if (c.peek()?.text === '(') {
    const close = matchingParen(clause, c.i);
    const columns = splitClauses(clause.slice(c.i + 1, close < 0 ? clause.length : close))
      .map((element) => readColumnDef(element, problems))
      .filter((col): col is ColumnDef => !!col);
    return action('add-column', { columns });
  }
  const column = readColumnDef(clause.slice(c.i), problems);
  return column ? action('add-column', { columns: [column], name: column.name }) : undefined;
}

function readDrop({ c, head, action, problem }: ClauseReader): AlterAction | undefined {
  if (c.accept('primary', 'key')) return action('drop-primary-key');
  if (c.accept('foreign', 'key')) return action('drop-foreign-key', { name: c.peek() && nm(c.peek()!) });
  if (c.accept('index') || c.accept('key')) return action('drop-index', { name: c.peek() && nm(c.peek()!) });
  if (c.accept('check') || c.accept('constraint')) return action('drop-check', { name: c.peek() && nm(c.peek()!) });
  if (c.accept('partition')) return action('partition');
  if (c.accept('period') || c.accept('system')) return action('table-options');
  c.accept('column');
  c.accept('if', 'exists');
  const name = c.next();
  if (!isName(name)) return problem(name ?? head, 'DROP COLUMN needs a column name.');
  if (!c.done() && !c.isWord('cascade') && !c.isWord('restrict')) return problem(c.peek(), `Unexpected ${c.peek()!.text} after DROP COLUMN ${name.text}.`);
  return action('drop-column', { name: nm(name) });
}

function readModifyOrChange({ clause, c, head, word, problems, action, problem }: ClauseReader): AlterAction | undefined {
  c.accept('column');
  c.accept('if', 'exists');
  let name: Token | undefined;
  if (word === 'change') {
    name = c.next();
    if (!isName(name)) return problem(name ?? head, 'CHANGE COLUMN needs the old and the new column name.');
  }
  const column = readColumnDef(clause.slice(c.i), problems);
  if (!column) return undefined;
  return action(word === 'modify' ? 'modify-column' : 'change-column', { columns: [column], name: name ? nm(name) : column.name, newName: column.name });
}

function readRename({ c, action, problem }: ClauseReader): AlterAction | undefined {
  if (c.accept('column')) {
    const from = c.next();
    if (!isName(from) || !c.accept('to') || !isName(c.peek())) return problem(c.peek() ?? from, 'RENAME COLUMN expects old_name TO new_name.');
    return action('rename-column', { name: nm(from), newName: nm(c.next()!) });
  }
  if (c.accept('index') || c.accept('key')) return action('rename-index');
  if (!c.accept('to')) c.accept('as');
  const to = readTable(c);
  if (!to) return problem(c.peek(), 'RENAME TO needs the new table name.');
  return action('rename-table', { newName: to.schema ? `${to.schema}.${to.name}` : to.name });
}

function readAlter({ c, head, action, problem }: ClauseReader): AlterAction | undefined {
  if (c.accept('index') || c.accept('key')) return action('alter-index');
  if (c.accept('check') || c.accept('constraint')) return action('alter-check');
  c.accept('column');
  const name = c.next();
  if (!isName(name)) return problem(name ?? head, 'ALTER COLUMN needs a column name.');
  if (!c.isWord('set') && !c.isWord('drop')) return problem(c.peek(), 'ALTER COLUMN expects SET DEFAULT, DROP DEFAULT or SET VISIBLE/INVISIBLE.');
  return action('alter-column', { name: nm(name) });
}

/** Clauses that are one word or two: options, ALGORITHM/LOCK, partitions, FORCE, ORDER BY … */
function readOtherClause({ c, head, word, action, problem }: ClauseReader): AlterAction | undefined {
  switch (word) {
    case 'convert':
      return action('convert-charset');
    case 'algorithm':
    case 'lock': {
      const value = c.peek()?.text === '=' ? c.peek(1) : c.peek();
      if (!value || value.kind !== 'word') return problem(value ?? head, `${word.toUpperCase()} needs a value.`);
      return action(word, { value: value.text.toUpperCase() });
    }
    case 'force':
      return action('force');
    case 'order':
      return action('order-by');
    case 'enable':
    case 'disable':
      return action('keys');
    case 'discard':
    case 'import':
      return action(c.isWord('partition') ? 'partition' : 'tablespace');
    case 'with':
    case 'without':
      return action(c.isWord('validation') ? 'validation' : 'table-options');
    case 'default':
      return action('table-options');
    default:
      if (TABLE_OPTIONS.has(word)) return action('table-options');
      if (PARTITION_COPY.has(word)) return action('partition-copy');
      if (PARTITION_OTHER.has(word)) return action('partition');
      return problem(
        head,
        `${head.kind === 'quoted' ? `\`${head.text}\`` : head.text} is not an ALTER TABLE clause (ADD, DROP, MODIFY, CHANGE, RENAME, ALTER, …).`,
      );
  }
}

/** Column names inside the first parenthesised list at or after `from`. */
function keyColumnsOf(tokens: Token[], from: number): string[] {
  const open = tokens.findIndex((t, k) => k >= from && t.text === '(');
  if (open < 0) return [];
  const close = matchingParen(tokens, open);
  return splitClauses(tokens.slice(open + 1, close < 0 ? tokens.length : close))
    .map((part) => part[0])
    .filter(isName)
    .map(nm);
}

/** `name type [attributes…]`; reports an unknown type. */
function readColumnDef(tokens: Token[], problems: SyntaxProblem[]): ColumnDef | undefined {
  const nameToken = tokens[0];
  if (!isName(nameToken)) {
    const at = nameToken ?? tokens[tokens.length - 1];
    if (at) problems.push({ start: at.start, end: at.end, message: 'Expected a column name.' });
    return undefined;
  }
  const typeToken = tokens[1];
  if (!typeToken || typeToken.kind !== 'word' || !KNOWN_TYPES.has(typeToken.text)) {
    const at = typeToken ?? nameToken;
    problems.push({
      start: at.start,
      end: at.end,
      message: typeToken ? `${nm(typeToken)} is not a MySQL data type (column ${nm(nameToken)}).` : `Column ${nm(nameToken)} needs a data type.`,
    });
    return undefined;
  }
  // The type runs through its arguments and modifiers.
  let k = 2;
  const typeWords = [typeToken.text];
  const TYPE_MODIFIERS = new Set(['unsigned', 'signed', 'zerofill', 'varying', 'precision', 'varchar', 'char', 'varbinary', 'binary']);
  for (;;) {
    const t = tokens[k];
    if (!t) break;
    if (t.text === '(') {
      const close = matchingParen(tokens, k);
      const end = close < 0 ? tokens.length - 1 : close;
      typeWords.push(
        tokens
          .slice(k, end + 1)
          .map((x) => x.text)
          .join(''),
      );
      k = end + 1;
    } else if (t.kind === 'word' && TYPE_MODIFIERS.has(t.text)) {
      typeWords.push(` ${t.text}`);
      k++;
    } else break;
  }
  const typeEnd = tokens[k - 1]!.end;
  const rest = tokens.slice(k);
  const restWords = rest.map((t) => (t.kind === 'word' ? t.text : t.text));
  const has = (...seq: string[]): boolean => restWords.some((_, i) => seq.every((w, j) => restWords[i + j] === w));
  const defaultAt = restWords.indexOf('default');
  const defaultValue = defaultAt >= 0 ? restWords[defaultAt + 1] : undefined;
  let generated: ColumnDef['generated'];
  if (has('as') && rest[restWords.indexOf('as') + 1]?.text === '(') generated = has('stored') || has('persistent') ? 'stored' : 'virtual';
  return {
    name: nm(nameToken),
    nameRange: { start: nameToken.start, end: nameToken.end },
    type: typeToken.text === 'integer' ? 'int' : typeToken.text,
    typeText: typeWords.join('').replace(/\s+/g, ' ').trim(),
    typeRange: { start: typeToken.start, end: typeEnd },
    notNull: has('not', 'null') || typeToken.text === 'serial',
    hasDefault: defaultValue !== undefined && defaultValue !== 'null',
    autoIncrement: has('auto_increment') || typeToken.text === 'serial',
    generated,
    primaryKey: has('primary', 'key') || (has('key') && !has('unique', 'key')),
    reorders: has('first') || has('after'),
  };
}

function recogniseDml(s: MysqlStatement): void {
  const tokens = s.tokens;
  // Skip a leading WITH … (CTEs) to the verb at depth 0.
  let depth = 0;
  let verbAt = -1;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'word' && (t.text === 'update' || t.text === 'delete')) {
      verbAt = k;
      break;
    }
  }
  if (verbAt < 0) return;
  s.kind = tokens[verbAt]!.text === 'update' ? 'update' : 'delete';
  const c = new Cursor(tokens);
  c.i = verbAt + 1;
  while (c.accept('low_priority') || c.accept('quick') || c.accept('ignore'));
  if (s.kind === 'delete') {
    // DELETE FROM t …, DELETE t1 FROM t1 JOIN …, DELETE FROM t1 USING …
    if (!c.accept('from')) {
      const fromAt = tokens.findIndex((t, k) => k > verbAt && t.kind === 'word' && t.text === 'from');
      if (fromAt >= 0) c.i = fromAt + 1;
    }
  }
  s.table = readTable(c);
  depth = 0;
  let whereAt = -1;
  for (let k = c.i; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'word') {
      if (t.text === 'where' && whereAt < 0) whereAt = k;
      else if (t.text === 'limit') {
        s.limit = true;
        if (whereAt >= 0) s.where = tokens.slice(whereAt + 1, k);
        whereAt = -2;
      } else if (t.text === 'order' && whereAt >= 0) {
        s.where = tokens.slice(whereAt + 1, k);
        whereAt = -2;
      }
    }
  }
  if (whereAt >= 0) s.where = tokens.slice(whereAt + 1);
}
