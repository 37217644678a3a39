/** The lint engine's vocabulary. Offsets are UTF-16 indexes into the document text. */
import type { EarlierFact } from './sql/schema';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix VS Code offers first (Ctrl+. → Enter). */
  preferred?: boolean;
}

/** Another place that explains a finding, usually in another file (0-based line/character). */
export interface RelatedLocation {
  file: string;
  start: { line: number; character: number };
  end: { line: number; character: number };
  message: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  start: number;
  end: number;
  message: string;
  fixes?: Fix[];
  related?: RelatedLocation[];
  /** Places in the same file that explain the finding (offsets). */
  relatedHere?: { start: number; end: number; message: string }[];
  /** Start of the statement (or node) the finding belongs to: where an ignore comment goes. */
  unitStart?: number;
  /** A fact that withdraws the finding when an earlier migration file of the same folder establishes it (see sql/schema.ts). */
  unlessEarlier?: EarlierFact;
  /** A once-per-file rule's next finding in the file: what it reports when this one is withdrawn. */
  orElse?: Finding;
}

/** What SQL rules (PostgreSQL and MySQL) report: offsets in the document. */
export interface StatementReport {
  start: number;
  end: number;
  message: string;
  fixes?: Fix[];
  /** Other places in this file that explain the finding. */
  relatedHere?: { start: number; end: number; message: string }[];
  /** Places in other files (e.g. application code that still uses a dropped column). */
  related?: RelatedLocation[];
  unlessEarlier?: EarlierFact;
}

/** What every rule is besides its check: the registry, the docs and the rule runner read it. */
export interface RuleMeta {
  /** Stable kebab-case id: the diagnostic code, the settings key and the suppression name. */
  id: string;
  severity: Severity;
  /** One line: what the rule finds. */
  summary: string;
  /** The statement or object kinds the rule looks at (`*`: every kind); the runner calls it only for these. */
  kinds: readonly string[];
  /** Breaks the version still running (a drop, a rename, a type change): an error in every migration phase before contract. */
  destructive?: boolean;
  /** Reports once per file: one fix at the top (e.g. one SET lock_timeout) covers every statement after it. */
  oncePerFile?: boolean;
}

export interface EngineSettings {
  /** PostgreSQL major version the migrations run against. */
  pgVersion: number;
  /**
   * Treat each file as wrapped in a transaction (Rails, Django, Flyway, …). `implicit`: the tool sends
   * the file as one query string (Prisma, golang-migrate), which PostgreSQL runs as one implicit
   * transaction when it holds several statements, and in none when it holds one; an explicit
   * BEGIN … COMMIT inside it does not nest. `auto`: as the file's tool does when the file shows
   * which (goose, sql-migrate, dbmate markers; Prisma's layout: see sql/migration-tool.ts), else false.
   * The linter resolves `auto` before its rules run: they see true, false or implicit.
   */
  assumeInTransaction: boolean | 'implicit' | 'auto';
  /** Severity overrides per rule id. */
  rules: Record<string, SeveritySetting>;
  /**
   * unknown-field / invalid-type: `auto` stands back for files another extension (Red Hat YAML)
   * already validates against a Kubernetes schema — the language server decides that per file.
   */
  schemaValidation: 'auto' | 'on' | 'off';
  /** SQL dialect of migrations (and of SQL inside TS/JS) unless a glob below or a `-- rollout-guard: dialect` line says otherwise. */
  dialect: SqlDialect;
  /** Globs (matched against the end of the file path) → dialect; the first match wins. */
  dialects: { glob: string; dialect: SqlDialect }[];
  /** MySQL server version the migrations run against (`8.0`, `8.0.35`, `5.7`): online DDL support depends on it. */
  mysqlVersion: string;
  /** Kubernetes minor version the manifests are applied to (`1.30`): which API versions it still serves. */
  kubernetesVersion: string;
}

export type SqlDialect = 'postgres' | 'mysql' | 'mariadb';

export const defaultSettings: EngineSettings = {
  pgVersion: 16,
  assumeInTransaction: 'auto',
  rules: {},
  schemaValidation: 'auto',
  dialect: 'postgres',
  dialects: [],
  mysqlVersion: '8.0',
  kubernetesVersion: '1.30',
};

export const DOCS_BASE = 'https://github.com/rollout-guard/rollout-guard/blob/main/docs/rules/';
export const docsUrl = (rule: string): string => `${DOCS_BASE}${rule}.md`;
