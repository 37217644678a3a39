/**
 * The rule runner every language shares (PostgreSQL, MySQL, SQL inside code, manifests): which
 * rules look at a kind, at what severity (configuration, migration phase), once-per-file rules,
 * a crashing rule turned into one finding, and suppression comments around statements. The
 * languages pass in what differs: how a rule is called and where its reports land.
 */
import type { PhaseName } from './phases';
import { configuredSeverity } from './registry';
import { applySuppressions, parseDirectives } from './suppress';
import type { EngineSettings, Finding, RuleMeta, Severity, StatementReport } from './types';

/** Rules by the kinds they look at; a rule of kind `*` looks at every kind, after the others. */
export class RuleIndex<R extends RuleMeta> {
  private readonly byKind = new Map<string, R[]>();
  private readonly anyKind: R[];

  constructor(rules: readonly R[]) {
    this.anyKind = rules.filter((rule) => rule.kinds.includes('*'));
    for (const rule of rules) for (const kind of rule.kinds) if (kind !== '*') this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), rule]);
    for (const list of this.byKind.values()) list.push(...this.anyKind);
  }

  rulesFor(kind: string): readonly R[] {
    return this.byKind.get(kind) ?? this.anyKind;
  }
}

/** The severity a rule reports at, or undefined when it is off. */
export function ruleSeverity(rule: RuleMeta, settings: EngineSettings, phase?: PhaseName | ''): Severity | undefined {
  const severity = configuredSeverity(rule.id, rule.severity, settings);
  // Before contract, a destructive statement breaks the version still running: always an error.
  return severity && rule.destructive && phase && phase !== 'contract' ? 'error' : severity;
}

/**
 * A finding without its rule: where a report lands in the document, and the severity of this one
 * finding when it is milder than its rule's (a hint-level case of an error rule). A severity
 * configured for the rule applies to all of its findings.
 */
export type Placed = Omit<Finding, 'rule' | 'severity'> & { severity?: Severity };

export interface RuleRun<R extends RuleMeta, Report> {
  settings: EngineSettings;
  /** The migration phase of what the rules look at, if any. */
  phase?: PhaseName | '';
  /** Once-per-file rules that already reported in this file: they are not run again. */
  reportedOnce?: readonly string[];
  /** Calls one rule. */
  check(rule: R, report: (report: Report) => void): void;
  place(report: Report): Placed;
  /** Where a rule that throws is reported, and what it failed on (`this statement`). */
  failure(): { start: number; end: number; unitStart?: number; subject: string };
}

/**
 * Runs rules on one statement or object, adding their findings. Returns the once-per-file
 * rules that reported (for the caller to remember with the file's state).
 */
export function runRules<R extends RuleMeta, Report>(rules: readonly R[], run: RuleRun<R, Report>, findings: Finding[]): string[] {
  const reported: string[] = [];
  for (const rule of rules) {
    if (rule.oncePerFile && run.reportedOnce?.includes(rule.id)) continue;
    const severity = ruleSeverity(rule, run.settings, run.phase);
    if (!severity) continue;
    try {
      run.check(rule, (report) => {
        const { severity: own, ...placed } = run.place(report);
        const configured = run.settings.rules[rule.id] !== undefined;
        findings.push({ rule: rule.id, severity: configured ? severity : (own ?? severity), ...placed, end: Math.max(placed.end, placed.start + 1) });
        // A finding an earlier migration may withdraw does not end a once-per-file rule: its next one stands in (see chainOncePerFile).
        if (rule.oncePerFile && !placed.unlessEarlier && !reported.includes(rule.id)) reported.push(rule.id);
      });
    } catch (error) {
      const { subject, ...at } = run.failure();
      findings.push({
        rule: 'internal-error',
        severity: 'error',
        ...at,
        message: `Rule ${rule.id} failed on ${subject}: ${error instanceof Error ? error.message : String(error)}. Please report it; the other rules still ran.`,
      });
    }
  }
  return reported;
}

/**
 * Each once-per-file rule (`ids`) keeps its first finding, and the ones after it (after a finding an
 * earlier migration may withdraw, see runRules) wait in its `orElse`, in order.
 */
export function chainOncePerFile(findings: Finding[], ids: ReadonlySet<string>): Finding[] {
  const last = new Map<string, Finding>();
  const out: Finding[] = [];
  for (const finding of findings) {
    if (!ids.has(finding.rule)) {
      out.push(finding);
      continue;
    }
    const copy = { ...finding };
    const before = last.get(finding.rule);
    if (before) before.orElse = copy;
    else out.push(copy);
    last.set(finding.rule, copy);
  }
  return out;
}

/** Places a statement rule's report: an ignore comment goes above the statement at `unitStart`. */
export const placeInStatement =
  (unitStart: number) =>
  (r: StatementReport): Placed => ({
    start: r.start,
    end: r.end,
    message: r.message,
    unitStart,
    ...(r.fixes?.length ? { fixes: r.fixes } : {}),
    ...(r.relatedHere?.length ? { relatedHere: r.relatedHere } : {}),
    ...(r.related?.length ? { related: r.related } : {}),
    ...(r.unlessEarlier ? { unlessEarlier: r.unlessEarlier } : {}),
  });

interface Piece {
  start: number;
  end: number;
  /** Where the comments that belong to the statement start. */
  leadingStart: number;
}

interface Comment {
  start: number;
  end: number;
  text: string;
}

/** Walks a file's comments along its statements: the comments right before each one. */
export class LeadingComments {
  private next = 0;

  constructor(private readonly comments: readonly Comment[]) {}

  /** The comments between the previous statement and `piece`; call with the statements in order. */
  before(piece: Piece): string[] {
    const found: string[] = [];
    for (; this.next < this.comments.length && this.comments[this.next]!.start < piece.start; this.next++) {
      if (this.comments[this.next]!.start >= piece.leadingStart) found.push(this.comments[this.next]!.text);
    }
    return found;
  }
}

/**
 * Applies `rollout-guard-ignore` comments to a file of statements: a `next` ignore silences the
 * next statement, or the statement it stands in (above the offending line of a long statement).
 */
export function applyStatementSuppressions(findings: Finding[], pieces: readonly Piece[], comments: readonly Comment[], settings: EngineSettings): Finding[] {
  const directives = parseDirectives(comments);
  for (const d of directives) {
    const inside = d.scope === 'next' ? pieces.findIndex((p) => p.start < d.start && d.start < p.end) : -1;
    if (inside >= 0) d.target = { start: pieces[inside]!.start, end: pieces[inside + 1]?.start ?? Number.MAX_SAFE_INTEGER };
  }
  return applySuppressions(findings, directives, settings, { starts: pieces.map((p) => p.start), name: 'statement' }).sort((a, b) => a.start - b.start);
}
