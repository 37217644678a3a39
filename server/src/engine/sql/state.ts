/**
 * What earlier statements of a file established, as the linter walks it top to bottom.
 * Immutable: each statement that changes something yields a new state, so a state can be
 * kept as a snapshot and compared by content (the language server reuses a statement's
 * findings when its text and the state before it are unchanged). Nothing here holds a
 * position in the file, so snapshots stay valid when text above them moves.
 */
import type { PhaseName } from '../phases';
import type { EngineSettings } from '../types';
import { alterActionLock, isAtLeast, strength, type LockMode } from './lock-modes';
import { nameParts, objectNames, stringOf, unwrap, type AlterTableStmt, type Node, type RangeVar, type RenameStmt, type TransactionStmtKind } from './ast';
import { constraintIndexName, createTableIndexNames } from './constraint-indexes';
import { addedColumnsOf, foreignKeysOf, referencedTables, type ForeignKey } from './keys';
import type { ParsedStatement } from './parse';
import {
  holdsAfter,
  servesLookup,
  sameTable,
  SchemaFacts,
  schemaChangesOf,
  tableRefOf,
  type EarlierFact,
  type SchemaChange,
  type SchemaCondition,
  type TableRef,
} from './schema';

/** Transaction statements that end the open transaction. */
const TRANSACTION_ENDS = new Set<TransactionStmtKind | undefined>([
  'TRANS_STMT_COMMIT',
  'TRANS_STMT_ROLLBACK',
  'TRANS_STMT_PREPARE',
  'TRANS_STMT_COMMIT_PREPARED',
]);

const tableName = (ref: TableRef): string => (ref.schema ? `${ref.schema}.${ref.name}` : ref.name);
/** How a lock names the table of an index when the file does not say which table that is. */
export const tableOfIndex = (index: string): string => `the table of ${index}`;
export const isTableOfIndex = (table: string): boolean => table.startsWith('the table of ');
/** How a lock names the table a dropped foreign key references when no migration says which table that is. */
export const tableReferencedBy = (constraint: string): string => `the table ${constraint} references`;
/** How a lock names the tables whose foreign keys a dropped key takes with it (CASCADE) when no migration says which tables those are. */
export const tablesReferencing = (table: string): string => `the tables with foreign keys to ${table}`;

/** A type's name parts as a TableRef (`billing.money_amount`): types and tables share schemas. */
const typeRefOf = (names: readonly string[]): TableRef => (names.length > 1 ? { schema: names.at(-2)!, name: names.at(-1)! } : { name: names[0] ?? '?' });

/** A displayed table name (`schema.table`) as a TableRef. */
export const refOfName = (name: string): TableRef => {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? { name } : { schema: name.slice(0, dot), name: name.slice(dot + 1) };
};

/** A live table, or a type or domain (`type`), renamed in a transaction of this file, and the top-level statement that renamed it (its text). */
export interface TableRename {
  table: TableRef;
  newName: string;
  unit: string;
  type?: 'type' | 'domain';
}

/** A lock or constraint and the top-level statement that took or added it (its text, not its position). */
export interface UnitRecord {
  table: string;
  /** Source text of the top-level statement (the DO block for statements inside one). */
  unit: string;
  /**
   * An exclusive lock on a table the transaction dropped: only queries of that name wait for it,
   * and they fail after COMMIT anyway, unless the file puts a table under the name again.
   */
  dropped?: true;
  /**
   * Constraints the statement dropped from the table whose referenced table (for a foreign key) no
   * migration shows: that table is locked too, under a name unknown here.
   */
  droppedKeys?: readonly string[];
}

interface Fields {
  /** The migration phase the statements belong to (file name or `-- rollout-guard: phase` marker), or ''. */
  phase: PhaseName | '';
  /** Tables created earlier in this file: nobody else uses them yet, so rules about live tables leave them alone. */
  createdTables: readonly TableRef[];
  /**
   * Views and foreign tables created earlier in this file: nobody uses them yet either, so their
   * triggers change nothing that runs; but their rows are a live table's or a remote server's.
   */
  createdViews: readonly TableRef[];
  /** Schemas created earlier in this file: everything in them is new too. */
  createdSchemas: readonly string[];
  /** Types and domains created earlier in this file (their unqualified names): no query of the running version names them. */
  createdTypes: readonly string[];
  /**
   * Those of them that hold rows, maybe millions: created from a query (`CREATE TABLE … AS`
   * without `WITH NO DATA`, `SELECT … INTO`) or filled by `INSERT … SELECT`. Checking their rows
   * takes time while a lock on another, live table is held (a foreign key's referenced table).
   */
  filledTables: readonly TableRef[];
  /** Indexes of new tables created earlier (constraint indexes included), by name, with their table. */
  createdIndexes: readonly { name: string; table: TableRef }[];
  explicitTransaction: boolean;
  /** Source of the top-level BEGIN of the open explicit transaction, or ''. */
  transactionBegin: string;
  /**
   * The last COMMIT or ROLLBACK came with no BEGIN open: the migration tool runs the file in a
   * transaction, and one still open at the end (`COMMIT; BEGIN; …`) is the tool's to commit.
   */
  wrappedByTool: boolean;
  /**
   * The file uses SET LOCAL and has no BEGIN, COMMIT or ROLLBACK: it is written for a migration
   * tool that runs it in a transaction (SET LOCAL does nothing outside one), as assumeInTransaction says.
   */
  setLocalShowsTransaction: boolean;
  /** The migration tool that runs the file, when assumeInTransaction is auto and the file shows which (see migration-tool.ts); else ''. */
  migrationTool: string;
  /** The open Liquibase changeset says `runInTransaction:false`: its statements run one by one, whatever the file's tool does. */
  changesetWithoutTransaction: boolean;
  /** The file holds one statement: if it fails, nothing of the file is applied, and it can be run again as it is. */
  soleStatement: boolean;
  /** lock_timeout set for the session, and with SET LOCAL for the open transaction. */
  lockTimeoutSession: boolean;
  lockTimeoutLocal: boolean;
  /** statement_timeout, likewise. */
  statementTimeoutSession: boolean;
  statementTimeoutLocal: boolean;
  /** Once-per-file rules (require-lock-timeout) that reported: they stay quiet for the rest of the file. */
  reportedOnce: readonly string[];
  /** ACCESS EXCLUSIVE locks the open transaction holds. */
  exclusiveLocks: readonly UnitRecord[];
  /**
   * Locks below ACCESS EXCLUSIVE that still block writes (SHARE and stronger) the open transaction
   * holds on live tables: a plain CREATE INDEX's SHARE, the SHARE ROW EXCLUSIVE of a new foreign
   * key (on its table and the one it references) or trigger. Writes wait for them until COMMIT.
   */
  writeLocks: readonly (UnitRecord & { mode: LockMode })[];
  /** Constraints added NOT VALID in the open transaction, by name. */
  notValidInTransaction: readonly (UnitRecord & { name: string })[];
  /** `table.constraint` dropped with DROP CONSTRAINT IF EXISTS, so re-adding it is re-runnable. */
  droppedConstraintsIfExists: readonly string[];
  /**
   * Foreign keys on columns this file adds: fk-missing-index looks for their indexes at the end.
   * `after`: how many schema changes the file had made before it (what an earlier file's index is checked after).
   */
  foreignKeys: readonly (ForeignKey & { unit: string; after: number })[];
  /** `table.column` of the columns ALTER TABLE … ADD COLUMN added: a foreign key added on them later is on new columns. */
  addedColumns: readonly string[];
  /**
   * Live tables renamed in the open transaction with nothing under the old name yet: a view
   * created before the transaction ends keeps the old name working (renaming-table reports the rest).
   * Live types too: another type given the old name before it ends (Prisma's enum swap) keeps it
   * working (renaming-type reports the rest).
   */
  renamesAwaitingName: readonly TableRename[];
  /** Live tables and types renamed in a transaction that ended with nothing under the old name (a view, another type). */
  renamesWithoutName: readonly TableRename[];
  /** What the file's statements so far changed in the schema facts (indexes, NOT NULL checks, column types), in order. */
  schemaChanges: SchemaLog;
}

/**
 * A file's schema changes so far. The states along a file share one array that each appends to
 * (a state that appends where a later one already did copies its part first: a memo's re-lint, a
 * DO block), so appending costs no copy of what came before. Its content hash stands for it in
 * FileState.key(), made when first asked (only the editor compares states) from the log it was
 * appended to.
 */
class SchemaLog {
  static readonly EMPTY = new SchemaLog([], 0, undefined);
  private hashCache: number | undefined;

  private constructor(
    /** Holds this log's changes in its first `length` items; later items belong to other logs. */
    readonly list: readonly SchemaChange[],
    readonly length: number,
    private parent: SchemaLog | undefined,
  ) {
    if (!parent) this.hashCache = 0;
  }

  append(changes: readonly SchemaChange[]): SchemaLog {
    const list = this.length > 0 && this.list.length === this.length ? (this.list as SchemaChange[]) : this.list.slice(0, this.length);
    list.push(...changes);
    return new SchemaLog(list, list.length, this);
  }

  toArray(): SchemaChange[] {
    return this.list.slice(0, this.length);
  }

  /** What FileState hashes: each log's hash is its parent's with its own changes hashed onto it (no recursion: a chain is as long as the file). */
  toJSON(): string {
    const chain: SchemaLog[] = this.hashCache === undefined ? [this] : [];
    for (let log = this.hashCache === undefined ? this.parent : undefined; log && log.hashCache === undefined; log = log.parent) chain.push(log);
    for (const log of chain.reverse()) {
      const parent = log.parent!;
      let h = parent.hashCache!;
      for (let i = parent.length; i < log.length; i++) h = hash(JSON.stringify(log.list[i]), h);
      log.hashCache = h;
      log.parent = undefined;
    }
    return `${this.length}:${this.hashCache}`;
  }
}

const EMPTY: Fields = {
  phase: '',
  createdTables: [],
  createdViews: [],
  createdSchemas: [],
  createdTypes: [],
  filledTables: [],
  createdIndexes: [],
  explicitTransaction: false,
  transactionBegin: '',
  wrappedByTool: false,
  setLocalShowsTransaction: false,
  migrationTool: '',
  changesetWithoutTransaction: false,
  soleStatement: false,
  lockTimeoutSession: false,
  lockTimeoutLocal: false,
  statementTimeoutSession: false,
  statementTimeoutLocal: false,
  reportedOnce: [],
  exclusiveLocks: [],
  writeLocks: [],
  notValidInTransaction: [],
  droppedConstraintsIfExists: [],
  foreignKeys: [],
  addedColumns: [],
  renamesAwaitingName: [],
  renamesWithoutName: [],
  schemaChanges: SchemaLog.EMPTY,
};

/** The session settings the file tracks, and their fields: for require-lock-timeout and require-statement-timeout. */
const TIMEOUTS = {
  lock_timeout: { session: 'lockTimeoutSession', local: 'lockTimeoutLocal' },
  statement_timeout: { session: 'statementTimeoutSession', local: 'statementTimeoutLocal' },
} as const;
type TimeoutName = keyof typeof TIMEOUTS;
const isTimeout = (name: string | undefined): name is TimeoutName => !!name && Object.hasOwn(TIMEOUTS, name);

/** A 53-bit string hash (cyrb53): enough to tell states apart in one document's memo. */
function hash(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

type FieldHashes = Record<keyof Fields, number>;

const hashField = (value: unknown): number => hash(JSON.stringify(value));
const EMPTY_HASHES = Object.fromEntries(Object.entries(EMPTY).map(([k, v]) => [k, hashField(v)])) as FieldHashes;

const NO_FACTS = new SchemaFacts();

export class FileState {
  private keyCache: string | undefined;
  /** Content hash of each field, made when first needed: only the editor compares states (see key()). */
  private hashCache: FieldHashes | undefined;

  constructor(
    readonly settings: EngineSettings,
    private readonly fields: Fields = EMPTY,
    /** The state with() made this one from, and what changed: its hashes are the parent's, updated (dropped once they are). */
    private origin?: { parent: FileState; changes: Partial<Fields> },
  ) {
    if (fields === EMPTY) this.hashCache = EMPTY_HASHES;
  }

  /** A state with some fields changed; this one stays as it was. */
  with(changes: Partial<Fields>): FileState {
    return new FileState(this.settings, { ...this.fields, ...changes }, { parent: this, changes });
  }

  /**
   * The fields' hashes, from the nearest state before this one whose hashes are known, forward:
   * each state's are its parent's with the changed fields hashed again, so a file creating hundreds
   * of tables stays linear (and no recursion: a chain is as long as the file).
   */
  private get hashes(): FieldHashes {
    if (this.hashCache) return this.hashCache;
    const before: FileState[] = [];
    for (let s = this.origin?.parent; s && !s.hashCache; s = s.origin?.parent) before.push(s);
    for (const s of [...before.reverse(), this]) {
      if (!s.origin) {
        s.hashCache = rehashAll(s.fields);
        continue;
      }
      const { parent, changes } = s.origin;
      const hashes = { ...parent.hashCache! };
      for (const [name, value] of Object.entries(changes) as [keyof Fields, unknown][]) {
        const old = parent.fields[name];
        // Arrays only grow by appending here ([...old, ...items]): hash the new items onto the old hash.
        const appended =
          Array.isArray(value) && Array.isArray(old) && value.length > old.length && (old.length === 0 || value[old.length - 1] === old[old.length - 1]);
        if (appended) {
          let h = hashes[name];
          for (let i = old.length; i < value.length; i++) h = hash(JSON.stringify(value[i]), h);
          hashes[name] = h;
        } else hashes[name] = hashField(value);
      }
      s.hashCache = hashes;
      s.origin = undefined;
    }
    return this.hashCache!;
  }

  /** Content key: equal keys mean equal states (up to hash collisions of 53-bit hashes). */
  key(): string {
    this.keyCache ??= Object.values(this.hashes).join(',');
    return this.keyCache;
  }

  get phase(): PhaseName | '' {
    return this.fields.phase;
  }

  get createdTables(): readonly TableRef[] {
    return this.fields.createdTables;
  }
  get explicitTransaction(): boolean {
    return this.fields.explicitTransaction;
  }
  /** Source of the BEGIN that opened the explicit transaction still open, or ''. */
  get transactionBegin(): string {
    return this.fields.transactionBegin;
  }
  get wrappedByTool(): boolean {
    return this.fields.wrappedByTool;
  }
  get soleStatement(): boolean {
    return this.fields.soleStatement;
  }
  get foreignKeys(): readonly (ForeignKey & { unit: string; after: number })[] {
    return this.fields.foreignKeys;
  }
  get schemaChanges(): SchemaChange[] {
    return this.fields.schemaChanges.toArray();
  }
  get reportedOnce(): readonly string[] {
    return this.fields.reportedOnce;
  }
  get exclusiveLocks(): readonly UnitRecord[] {
    return this.fields.exclusiveLocks;
  }
  get writeLocks(): readonly (UnitRecord & { mode: LockMode })[] {
    return this.fields.writeLocks;
  }

  isNewTable(ref: TableRef): boolean {
    return this.fields.createdTables.some((t) => sameTable(t, ref)) || (!!ref.schema && this.isNewSchema(ref.schema));
  }

  /** A table, view or foreign table created in this file. */
  isNewRelation(ref: TableRef): boolean {
    return this.isNewTable(ref) || this.fields.createdViews.some((t) => sameTable(t, ref));
  }

  isNewSchema(name: string): boolean {
    return this.fields.createdSchemas.includes(name);
  }

  /** Whether the type or domain `names` (its qualified name's parts) was created in this file, or in a schema it created. */
  isNewType(names: readonly string[]): boolean {
    return this.fields.createdTypes.includes(names.at(-1) ?? '') || (names.length > 1 && this.isNewSchema(names[0]!));
  }

  /** A table created in this file that holds rows (see `filledTables`). */
  isFilledNewTable(ref: TableRef): boolean {
    return this.fields.filledTables.some((t) => sameTable(t, ref));
  }

  /** Whether index `name` (possibly schema-qualified) was created in this file on a table the file created. */
  isIndexOfNewTable(name: string): boolean {
    const index = this.fields.createdIndexes.find((i) => i.name === name.split('.').at(-1));
    return !!index && this.isNewTable(index.table);
  }

  inTransaction(): boolean {
    return this.fields.explicitTransaction || this.runsInToolTransaction;
  }

  /** How the migration tool runs the statements here: assumeInTransaction as the file runs, unless the open changeset runs without a transaction. */
  get toolTransaction(): EngineSettings['assumeInTransaction'] {
    return this.fields.changesetWithoutTransaction ? false : this.settings.assumeInTransaction;
  }

  /** The migration tool runs the file in a transaction: assumeInTransaction, or the file's SET LOCAL shows it. */
  get runsInToolTransaction(): boolean {
    return !!this.toolTransaction || this.fields.setLocalShowsTransaction;
  }

  /** Why the file is taken to run in a transaction its tool opens, for messages. */
  get toolTransactionReason(): string {
    const tool = this.fields.migrationTool;
    if (this.toolTransaction === 'implicit')
      return `${tool ? `${tool} sends the file as one query string` : 'assumeInTransaction: implicit'}, and the file holds several statements`;
    if (tool === 'Liquibase') return 'Liquibase runs each changeset in a transaction';
    if (this.toolTransaction) return tool ? `${tool} runs each migration in a transaction` : 'assumeInTransaction';
    return 'its SET LOCAL works only in one';
  }

  /** The migration tool that runs the file, when the file shows which (see migration-tool.ts); else ''. */
  get migrationTool(): string {
    return this.fields.migrationTool;
  }

  lockTimeoutActive(): boolean {
    return this.fields.lockTimeoutSession || this.fields.lockTimeoutLocal;
  }

  statementTimeoutActive(): boolean {
    return this.fields.statementTimeoutSession || this.fields.statementTimeoutLocal;
  }

  notValidConstraint(name: string): (UnitRecord & { name: string }) | undefined {
    return this.fields.notValidInTransaction.find((c) => c.name === name);
  }

  droppedIfExists(table: string, constraint: string): boolean {
    return this.fields.droppedConstraintsIfExists.includes(`${table}.${constraint}`);
  }

  /** Whether this file added column `column` to `table` (not IF NOT EXISTS, which may find it there): nothing running uses it yet. */
  addedColumn(table: TableRef, column: string): boolean {
    const { list, length } = this.fields.schemaChanges;
    for (let i = 0; i < length; i++) {
      const c = list[i]!;
      if (c.op === 'column' && c.added && !c.ifNotExists && c.column === column && sameTable(c.table, table)) return true;
    }
    return false;
  }

  /**
   * The constraints an ALTER TABLE drops, each with the live table it references when this file added
   * it as a foreign key (`undefined` when the file does not know it); a key this file added to its
   * own table or to a new table is left out: dropping it locks no other live table.
   */
  droppedConstraints(n: AlterTableStmt): { name: string; references: TableRef | undefined }[] {
    const table = tableRefOf(n.relation);
    return (n.cmds ?? []).flatMap((item) => {
      const cmd = unwrap(item, 'AlterTableCmd');
      if (cmd?.subtype !== 'AT_DropConstraint' || !cmd.name) return [];
      const references = this.referencedBy(table, cmd.name);
      if (references && (sameTable(references, table) || this.isNewTable(references))) return [];
      return [{ name: cmd.name, references }];
    });
  }

  /** The table foreign key `name` of `table` references, when this file added it (and has not dropped it since). */
  private referencedBy(table: TableRef, name: string): TableRef | undefined {
    const { list, length } = this.fields.schemaChanges;
    for (let i = length - 1; i >= 0; i--) {
      const c = list[i]!;
      if ((c.op === 'foreign-key' || c.op === 'drop-constraint') && c.name === name && sameTable(c.table, table))
        return c.op === 'foreign-key' ? c.references : undefined;
    }
    return undefined;
  }

  /** Whether this file creates an index on `table` (at any point, dropped later or not) that finds rows by `columns` (see servesLookup). */
  createsIndexOn(table: TableRef, columns: readonly string[]): boolean {
    const { list, length } = this.fields.schemaChanges;
    for (let i = 0; i < length; i++) {
      const c = list[i]!;
      if (c.op === 'index' && sameTable(c.table, table) && servesLookup(c, columns)) return true;
    }
    return false;
  }

  /** Whether what this file established so far satisfies `condition`. */
  holds(condition: SchemaCondition): boolean {
    const { list, length } = this.fields.schemaChanges;
    return holdsAfter(NO_FACTS, list, condition, length);
  }

  /** A finding's condition: withdrawn if earlier files of the folder, with this file's changes so far, establish `condition`. */
  unlessEarlier(condition: SchemaCondition): EarlierFact {
    return { condition, after: this.fields.schemaChanges.length };
  }

  /** The state seen inside a DO block: it runs in one transaction of its own. */
  forDoBlock(): FileState {
    return this.with({ explicitTransaction: true });
  }

  /** After a DO block: what it created, set and locked stays for the rest of the file. */
  afterDoBlock(inner: FileState): FileState {
    const f = inner.fields;
    return this.with({
      createdTables: f.createdTables,
      filledTables: f.filledTables,
      createdIndexes: f.createdIndexes,
      lockTimeoutSession: f.lockTimeoutSession || f.lockTimeoutLocal,
      statementTimeoutSession: f.statementTimeoutSession || f.statementTimeoutLocal,
      foreignKeys: f.foreignKeys,
      addedColumns: f.addedColumns,
      schemaChanges: f.schemaChanges,
      reportedOnce: f.reportedOnce,
      droppedConstraintsIfExists: f.droppedConstraintsIfExists,
      // A DO block inside BEGIN … COMMIT holds its locks until that COMMIT.
      exclusiveLocks: this.fields.explicitTransaction ? f.exclusiveLocks : this.fields.exclusiveLocks,
      notValidInTransaction: this.fields.explicitTransaction ? f.notValidInTransaction : this.fields.notValidInTransaction,
      ...(this.fields.explicitTransaction ? { renamesAwaitingName: f.renamesAwaitingName, renamesWithoutName: f.renamesWithoutName } : inner.renamesEnded()),
    });
  }

  /** What the end of the open transaction clears: its locks, its NOT VALID constraints, its renames and its SET LOCALs. */
  private transactionEnded(): Partial<Fields> {
    return {
      explicitTransaction: false,
      transactionBegin: '',
      exclusiveLocks: [],
      writeLocks: [],
      notValidInTransaction: [],
      ...this.renamesEnded(),
      lockTimeoutLocal: false,
      statementTimeoutLocal: false,
    };
  }

  /**
   * A Liquibase changeset starts: the tool committed the one before it, and runs this one in a
   * transaction of its own, or statement by statement (`runInTransaction:false`).
   */
  changesetStarts(runInTransaction: boolean): FileState {
    return this.with({ ...this.transactionEnded(), changesetWithoutTransaction: !runInTransaction });
  }

  /** The renames of the transaction that ends, with no view under the old name: renaming-table reports them. */
  private renamesEnded(): Pick<Fields, 'renamesAwaitingName' | 'renamesWithoutName'> {
    const f = this.fields;
    return {
      renamesAwaitingName: [],
      renamesWithoutName: f.renamesAwaitingName.length ? [...f.renamesWithoutName, ...f.renamesAwaitingName] : f.renamesWithoutName,
    };
  }

  /** Live tables renamed in a transaction with no view under the old name before it ended (or by the end of the file). */
  get renamesLeavingNoName(): readonly TableRename[] {
    return [...this.fields.renamesWithoutName, ...this.fields.renamesAwaitingName].filter((r) => !r.type);
  }

  /** Live types renamed in a transaction that gave no other type the old name before it ended (or by the end of the file). */
  get typeRenamesLeavingNoName(): readonly TableRename[] {
    return [...this.fields.renamesWithoutName, ...this.fields.renamesAwaitingName].filter((r) => r.type);
  }

  /** The live table that a rename in a transaction of this file (leaving no view under the old name) gave this name. */
  renamedLiveTable(ref: TableRef): TableRef | undefined {
    return this.renamesLeavingNoName.find((r) => sameTable({ ...r.table, name: r.newName }, ref))?.table;
  }

  /** The state once a type takes the name `names` (created, or renamed to it): a live type renamed away from it in the open transaction keeps its name working. */
  private typeNamed(names: readonly string[]): Partial<Fields> {
    const ref = typeRefOf(names);
    const pending = this.fields.renamesAwaitingName;
    return pending.some((r) => r.type && sameTable(r.table, ref)) ? { renamesAwaitingName: pending.filter((r) => !(r.type && sameTable(r.table, ref))) } : {};
  }

  /** A function body runs later, against the tables as they will be then, under the caller's settings. */
  static forFunctionBody(settings: EngineSettings): FileState {
    return new FileState(settings, { ...EMPTY, explicitTransaction: true, lockTimeoutSession: true, statementTimeoutSession: true });
  }

  /**
   * The state after a statement. `unit` is the source of its top-level statement; `unitOffset` maps
   * a parser location of the statement to an offset in `unit`.
   */
  next(stmt: ParsedStatement, unit: string, unitOffset: (location: number | undefined) => number = () => 0): FileState {
    let s: FileState = this.apply(stmt, unit);
    s = s.recordKeys(stmt, unit, unitOffset);
    // Before the statement's own schema changes: a foreign key it drops is still known with its table.
    if (s.inTransaction()) s = s.recordTransactionLocks(stmt, unit);
    const changes = schemaChangesOf(stmt);
    if (changes.length) s = s.with({ schemaChanges: s.fields.schemaChanges.append(changes) });
    return s;
  }

  private apply(stmt: ParsedStatement, unit: string): FileState {
    const f = this.fields;
    // Each case reads the node of its own kind only: a query's tree is decoded when first read.
    switch (stmt.kind) {
      case 'TransactionStmt':
        if (stmt.node.kind === 'TRANS_STMT_BEGIN' || stmt.node.kind === 'TRANS_STMT_START')
          return this.with({ explicitTransaction: true, transactionBegin: f.explicitTransaction ? f.transactionBegin : unit });
        if (TRANSACTION_ENDS.has(stmt.node.kind)) return this.with({ ...this.transactionEnded(), wrappedByTool: !f.explicitTransaction });
        return this;
      case 'CreateStmt':
        return stmt.node.relation ? this.createdTable(tableRefOf(stmt.node.relation), stmt.node.tableElts) : this;
      case 'CreateForeignTableStmt':
        return stmt.node.base?.relation ? this.with({ createdViews: [...f.createdViews, tableRefOf(stmt.node.base.relation)] }) : this;
      case 'ViewStmt': {
        if (!stmt.node.view) return this;
        const view = tableRefOf(stmt.node.view);
        // A view under the name a table had before this transaction renamed it keeps that name working.
        const renamed = f.renamesAwaitingName.some((r) => sameTable(r.table, view))
          ? { renamesAwaitingName: f.renamesAwaitingName.filter((r) => !sameTable(r.table, view)) }
          : {};
        // CREATE OR REPLACE VIEW may replace a view the running version reads.
        return this.with({ ...renamed, ...(stmt.node.replace ? {} : { createdViews: [...f.createdViews, tableRefOf(stmt.node.view)] }) });
      }
      case 'CreateEnumStmt':
      case 'CreateRangeStmt':
        return this.createdType(stmt.node.typeName);
      case 'CreateDomainStmt':
        return this.createdType(stmt.node.domainname);
      case 'CompositeTypeStmt':
        return stmt.node.typevar?.relname ? this.with({ createdTypes: [...f.createdTypes, stmt.node.typevar.relname] }) : this;
      case 'CreateSchemaStmt':
        // IF NOT EXISTS: the schema may be live already (and then takes no elements).
        return stmt.node.schemaname && !stmt.node.if_not_exists ? this.createdSchema(stmt.node.schemaname, stmt.node.schemaElts ?? []) : this;
      case 'CreateTableAsStmt':
        return stmt.node.into?.rel ? this.created(tableRefOf(stmt.node.into.rel), !stmt.node.into.skipData) : this;
      case 'InsertStmt': {
        // INSERT … SELECT (or TABLE) fills the table; INSERT … VALUES adds the few rows it lists, and its tree is not decoded.
        if (!/\b(select|table)\b/i.test(unit)) return this;
        const table = tableRefOf(stmt.node.relation);
        const fromQuery = !!stmt.node.selectStmt && !unwrap(stmt.node.selectStmt, 'SelectStmt')?.valuesLists;
        return fromQuery && this.isNewTable(table) && !this.isFilledNewTable(table) ? this.with({ filledTables: [...f.filledTables, table] }) : this;
      }
      case 'RenameStmt': {
        if (stmt.node.renameType === 'OBJECT_TYPE' || stmt.node.renameType === 'OBJECT_DOMAIN') return this.renamedType(stmt.node, unit);
        if (stmt.node.renameType !== 'OBJECT_TABLE' || !stmt.node.relation) return this;
        if (!this.isNewTable(tableRefOf(stmt.node.relation)))
          return this.inTransaction()
            ? this.with({ renamesAwaitingName: [...f.renamesAwaitingName, { table: tableRefOf(stmt.node.relation), newName: stmt.node.newname ?? '?', unit }] })
            : this;
        // A table the file created keeps counting as new under its new name.
        const renamed = { ...tableRefOf(stmt.node.relation), name: stmt.node.newname ?? '?' };
        return this.created(renamed, this.isFilledNewTable(tableRefOf(stmt.node.relation)));
      }
      case 'IndexStmt':
        // Only indexes of new tables matter (dropping them needs no care).
        if (!stmt.node.idxname || !this.isNewTable(tableRefOf(stmt.node.relation))) return this;
        return this.with({ createdIndexes: [...f.createdIndexes, { name: stmt.node.idxname, table: tableRefOf(stmt.node.relation) }] });
      case 'AlterTableStmt':
        return this.applyAlterTable(stmt.node).addedConstraintIndexes(stmt.node);
      case 'VariableSetStmt':
        if (stmt.node.kind === 'VAR_RESET_ALL')
          return this.with({ lockTimeoutSession: false, lockTimeoutLocal: false, statementTimeoutSession: false, statementTimeoutLocal: false });
        if (!isTimeout(stmt.node.name)) return this;
        if (stmt.node.kind === 'VAR_RESET' || stmt.node.kind === 'VAR_SET_DEFAULT')
          return this.with({ [TIMEOUTS[stmt.node.name].session]: false, [TIMEOUTS[stmt.node.name].local]: false });
        if (stmt.node.kind === 'VAR_SET_VALUE') return this.setTimeout(stmt.node.name, !isZero(stmt.node.args?.[0]), stmt.node.is_local === true);
        return this;
      case 'SelectStmt':
        // SELECT … INTO creates a table (a query without the word is not decoded).
        if (/\binto\b/i.test(unit) && stmt.node.intoClause?.rel) return this.created(tableRefOf(stmt.node.intoClause.rel), true);
        // SELECT set_config('lock_timeout', '2s', false)
        return timeoutSetConfigs(stmt, unit).reduce((state: FileState, call) => state.setTimeout(call.name, !isZero(call.value), call.local), this);
      default:
        return this;
    }
  }

  /** A table created empty, with the indexes its constraints build. */
  private createdTable(table: TableRef, elements: readonly Node[] | undefined): FileState {
    const indexes = createTableIndexNames(table.name, elements).map((name) => ({ name, table }));
    const s = this.created(table, false);
    return indexes.length ? s.with({ createdIndexes: [...s.fields.createdIndexes, ...indexes] }) : s;
  }

  /** CREATE SCHEMA s CREATE TABLE t …: the schema and the tables, views and indexes its elements create in it. */
  private createdSchema(schema: string, elements: readonly Node[]): FileState {
    const inSchema = (rangeVar: RangeVar | undefined): TableRef => ({ schema: rangeVar?.schemaname ?? schema, name: rangeVar?.relname ?? '?' });
    let s = this.with({ createdSchemas: [...this.fields.createdSchemas, schema] });
    for (const element of elements) {
      const table = unwrap(element, 'CreateStmt');
      const view = unwrap(element, 'ViewStmt');
      const index = unwrap(element, 'IndexStmt');
      if (table) s = s.createdTable(inSchema(table.relation), table.tableElts);
      else if (view) s = s.with({ createdViews: [...s.fields.createdViews, inSchema(view.view)] });
      else if (index?.idxname) s = s.with({ createdIndexes: [...s.fields.createdIndexes, { name: index.idxname, table: inSchema(index.relation) }] });
    }
    return s;
  }

  private createdType(names: readonly Node[] | undefined): FileState {
    const written = (names ?? []).map((n) => stringOf(n) ?? '?');
    const name = written.at(-1);
    return name ? this.with({ createdTypes: [...this.fields.createdTypes, name], ...this.typeNamed(written) }) : this;
  }

  /**
   * ALTER TYPE … RENAME TO: a type this file created keeps counting as new under its new name; a live type renamed in a
   * transaction waits for another to take its old name before COMMIT; the new name may be a live type's old one.
   */
  private renamedType(node: RenameStmt, unit: string): FileState {
    const names = nameParts(node.object);
    const newName = node.newname;
    if (!names.length || !newName) return this;
    const taken = this.typeNamed([...names.slice(0, -1), newName]);
    if (this.isNewType(names)) return this.with({ createdTypes: [...this.fields.createdTypes, newName], ...taken });
    if (!this.inTransaction()) return this.with(taken);
    const pending = taken.renamesAwaitingName ?? this.fields.renamesAwaitingName;
    const type = node.renameType === 'OBJECT_DOMAIN' ? 'domain' : 'type';
    return this.with({ renamesAwaitingName: [...pending, { table: typeRefOf(names), newName, unit, type }] });
  }

  private created(table: TableRef, filled: boolean): FileState {
    const f = this.fields;
    return this.with({ createdTables: [...f.createdTables, table], ...(filled ? { filledTables: [...f.filledTables, table] } : {}) });
  }

  private setTimeout(name: TimeoutName, enabled: boolean, local: boolean): FileState {
    const { session, local: localField } = TIMEOUTS[name];
    if (!enabled) return this.with({ [session]: local ? this.fields[session] : false, [localField]: false });
    return this.with({ [local ? localField : session]: true });
  }

  /** Foreign keys on columns this statement adds (see fk-missing-index). */
  private recordKeys(stmt: ParsedStatement, unit: string, unitOffset: (location: number | undefined) => number): FileState {
    const f = this.fields;
    const after = f.schemaChanges.length;
    const keys = foreignKeysOf(stmt, (relation) => this.isNewTable(tableRefOf(relation)), f.addedColumns).map((fk) => ({
      ...fk,
      at: unitOffset(fk.at),
      unit,
      after,
    }));
    const columns = addedColumnsOf(stmt);
    if (!keys.length && !columns.length) return this;
    return this.with({
      foreignKeys: keys.length ? [...f.foreignKeys, ...keys] : f.foreignKeys,
      addedColumns: columns.length ? [...f.addedColumns, ...columns] : f.addedColumns,
    });
  }

  /** ALTER TABLE new_table ADD PRIMARY KEY / UNIQUE / EXCLUDE: the indexes they build. */
  private addedConstraintIndexes(n: AlterTableStmt): FileState {
    if (!n.relation || !this.isNewTable(tableRefOf(n.relation))) return this;
    const table = tableRefOf(n.relation);
    const added = (n.cmds ?? []).flatMap((item) => {
      const cmd = unwrap(item, 'AlterTableCmd');
      const name = cmd?.subtype === 'AT_AddConstraint' ? constraintIndexName(table.name, cmd.def) : undefined;
      return name ? [{ name, table }] : [];
    });
    return added.length ? this.with({ createdIndexes: [...this.fields.createdIndexes, ...added] }) : this;
  }

  /** DROP CONSTRAINT IF EXISTS: re-adding the constraint afterwards is re-runnable. */
  private applyAlterTable(n: AlterTableStmt): FileState {
    const table = n.relation?.relname;
    if (!table) return this;
    const dropped = (n.cmds ?? []).flatMap((item) => {
      const cmd = unwrap(item, 'AlterTableCmd');
      return cmd?.subtype === 'AT_DropConstraint' && cmd.missing_ok ? [`${table}.${cmd.name}`] : [];
    });
    return dropped.length ? this.with({ droppedConstraintsIfExists: [...this.fields.droppedConstraintsIfExists, ...dropped] }) : this;
  }

  /** Inside a transaction: the ACCESS EXCLUSIVE locks and NOT VALID constraints it now holds. */
  private recordTransactionLocks(stmt: ParsedStatement, unit: string): FileState {
    const f = this.fields;
    let relation: RangeVar | undefined;
    switch (stmt.kind) {
      case 'DropStmt': {
        const { removeType, concurrent } = stmt.node;
        // A materialized view's name can be put back by CREATE MATERIALIZED VIEW, whose query then runs under the DROP's lock.
        if (removeType !== 'OBJECT_TABLE' && removeType !== 'OBJECT_MATVIEW' && (removeType !== 'OBJECT_INDEX' || concurrent)) return this;
        // DROP INDEX locks the index's table, which stays (an unnamed one: "the table of <index>").
        const locks = objectNames(stmt.node).flatMap((name): UnitRecord[] => {
          if (removeType === 'OBJECT_INDEX') return this.isIndexOfNewTable(name) ? [] : [{ table: tableOfIndex(name), unit }];
          return this.isNewTable(refOfName(name)) ? [] : [{ table: name, unit, dropped: true }];
        });
        return locks.length ? this.with({ exclusiveLocks: [...f.exclusiveLocks, ...locks] }) : this;
      }
      case 'CreateStmt':
        return stmt.node.relation?.relpersistence === 't' ? this : this.replacingDropped(tableRefOf(stmt.node.relation)).referencesLocked(stmt, unit);
      case 'IndexStmt':
        return stmt.node.concurrent ? this : this.writeLocked(stmt.node.relation, 'SHARE', unit);
      case 'CreateTrigStmt':
        return this.writeLocked(stmt.node.relation, 'SHARE ROW EXCLUSIVE', unit);
      case 'CreateTableAsStmt':
        return stmt.node.into?.rel?.relpersistence === 't' ? this : this.replacingDropped(tableRefOf(stmt.node.into?.rel));
      case 'RenameStmt':
        // ALTER INDEX … RENAME takes SHARE UPDATE EXCLUSIVE since PostgreSQL 12.
        if (stmt.node.renameType === 'OBJECT_INDEX' && this.settings.pgVersion >= 12) return this;
        // A new table renamed to the name of one the transaction dropped (the swap): queries of the name wait for COMMIT, then read it.
        if (stmt.node.renameType === 'OBJECT_TABLE' && this.isNewTable(tableRefOf(stmt.node.relation)))
          return this.replacingDropped({ ...tableRefOf(stmt.node.relation), name: stmt.node.newname ?? '?' });
        relation = stmt.node.relation;
        break;
      case 'AlterTableStmt':
        relation = stmt.node.relation;
        break;
      case 'TruncateStmt':
        relation = unwrap(stmt.node.relations?.[0], 'RangeVar');
        break;
      default:
        return this; // the node of other kinds is not read: a query's tree is decoded when first read
    }
    if (!relation) return this;
    // A new table's foreign keys still lock the live tables they reference.
    if (this.isNewTable(tableRefOf(relation))) return stmt.kind === 'AlterTableStmt' ? this.referencesLocked(stmt, unit) : this;
    const table = tableName(tableRefOf(relation));
    if (stmt.kind === 'AlterTableStmt') {
      const cmds = stmt.node.cmds ?? [];
      const added = cmds.flatMap((c) => {
        const cmd = unwrap(c, 'AlterTableCmd');
        const constraint = cmd?.subtype === 'AT_AddConstraint' ? unwrap(cmd.def, 'Constraint') : undefined;
        return constraint?.skip_validation && constraint.conname ? [{ table, unit, name: constraint.conname }] : [];
      });
      const s = added.length ? this.with({ notValidInTransaction: [...f.notValidInTransaction, ...added] }) : this;
      const modes = cmds.map((c) => alterActionLock(unwrap(c, 'AlterTableCmd') ?? {}, this.settings.pgVersion).mode);
      if (modes.includes('ACCESS EXCLUSIVE')) {
        // A foreign key the file added and this drops: its triggers go from the live table it references, under ACCESS EXCLUSIVE too.
        const dropped = this.droppedConstraints(stmt.node);
        const unkeyed = dropped.flatMap(({ references }) => (references ? [{ table: tableName(references), unit }] : []));
        const droppedKeys = dropped.filter((c) => !c.references).map((c) => c.name);
        const lock: UnitRecord = droppedKeys.length ? { table, unit, droppedKeys } : { table, unit };
        return s.with({ exclusiveLocks: [...f.exclusiveLocks, lock, ...unkeyed] }).referencesLocked(stmt, unit);
      }
      const strongest = modes.reduce<LockMode | undefined>((a, b) => (!a || strength(b) > strength(a) ? b : a), undefined);
      return (strongest ? s.writeLocked(relation, strongest, unit) : s).referencesLocked(stmt, unit);
    }
    return this.with({ exclusiveLocks: [...f.exclusiveLocks, { table, unit }] });
  }

  /** A lock that blocks writes (SHARE or stronger, below ACCESS EXCLUSIVE) on a live table, held until COMMIT. */
  private writeLocked(relation: RangeVar | undefined, mode: LockMode, unit: string): FileState {
    if (!relation || !isAtLeast(mode, 'SHARE') || this.isNewTable(tableRefOf(relation))) return this;
    return this.with({ writeLocks: [...this.fields.writeLocks, { table: tableName(tableRefOf(relation)), mode, unit }] });
  }

  /** The live tables a statement's new foreign keys reference: SHARE ROW EXCLUSIVE on each, held until COMMIT. */
  private referencesLocked(stmt: ParsedStatement, unit: string): FileState {
    return referencedTables(stmt).reduce<FileState>((s, referenced) => s.writeLocked(referenced, 'SHARE ROW EXCLUSIVE', unit), this);
  }

  /**
   * A table (not a temporary one: other sessions do not see it) put under the name of a table the
   * transaction dropped: the queries of that name that wait for the DROP's lock read it after COMMIT.
   */
  private replacingDropped(table: TableRef): FileState {
    const f = this.fields;
    const replaced = (l: UnitRecord): boolean => !!l.dropped && sameTable(refOfName(l.table), table);
    if (!f.exclusiveLocks.some(replaced)) return this;
    return this.with({ exclusiveLocks: f.exclusiveLocks.map((l) => (replaced(l) ? { table: l.table, unit: l.unit } : l)) });
  }
}

function rehashAll(fields: Fields): FieldHashes {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, hashField(v)])) as FieldHashes;
}

/**
 * `SELECT set_config('lock_timeout', '2s', false)` calls in a SELECT list, for the timeouts the file
 * tracks. `source` is text that contains the statement: most queries do not name set_config, and
 * their trees are then not decoded.
 */
export function timeoutSetConfigs(select: ParsedStatement<'SelectStmt'>, source: string): { name: TimeoutName; value: Node | undefined; local: boolean }[] {
  if (!/set_config/i.test(source)) return [];
  return (select.node.targetList ?? []).flatMap((target) => {
    const call = unwrap(unwrap(target, 'ResTarget')?.val, 'FuncCall');
    const args = call?.args ?? [];
    const name = unwrap(args[0], 'A_Const')?.sval?.sval;
    if (stringOf(call?.funcname?.at(-1)) !== 'set_config' || !isTimeout(name)) return [];
    return [{ name, value: args[1], local: unwrap(args[2], 'A_Const')?.boolval?.boolval === true }];
  });
}

/** lock_timeout = 0 (or '0', '0s', '0ms') turns the timeout off. */
function isZero(value: Node | undefined): boolean {
  const c = unwrap(value, 'A_Const');
  if (!c) return false;
  if (c.ival) return !c.ival.ival; // `ival: {}` is 0
  return /^\s*0+\s*(ms|s|min|h|d)?\s*$/i.test(c.sval?.sval ?? '');
}
