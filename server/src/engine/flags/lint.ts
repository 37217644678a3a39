/** Flag reads of a TS/JS file checked against a snapshot of the flag service; their hover and CodeLens text. */
import { applyCodeIgnores } from '../code/lint';
import { configuredSeverity } from '../registry';
import { findFlagReads } from '../js/flag-reads';
import type { EngineSettings, Finding } from '../types';
import { flagRules } from './rules';

export const flagRuleIds: ReadonlySet<string> = new Set(flagRules.map((r) => r.id));
import { environmentsOf, evaluationText, flagOf, flagSummary, staleReason, stateText, type FlagSnapshot } from './snapshot';

/** Findings of the flag rules on every flag read of `text`, after its `// rollout-guard-ignore` comments. */
export function lintFlagReads(text: string, snapshot: FlagSnapshot, settings: EngineSettings, isCancelled?: () => boolean): Finding[] {
  const findings: Finding[] = [];
  const reads = findFlagReads(text);
  for (const rule of flagRules) {
    const severity = configuredSeverity(rule.id, rule.severity, settings);
    if (!severity) continue;
    if (isCancelled?.()) return findings;
    for (const read of reads) {
      try {
        const report = rule.check(read, flagOf(snapshot, read.key), snapshot);
        if (report) findings.push({ rule: rule.id, severity, start: read.start, end: read.end, message: report.message, fixes: report.fixes });
      } catch (error) {
        findings.push({
          rule: 'internal-error',
          severity: 'error',
          start: read.start,
          end: read.end,
          message: `Rule ${rule.id} failed on this flag read: ${error instanceof Error ? error.message : String(error)}. Please report it.`,
        });
      }
    }
  }
  return applyCodeIgnores(text, findings, flagRuleIds, settings);
}

/** A CodeLens per flag read: its live state in each environment, or that the service does not know it. */
export function flagLenses(text: string, snapshot: FlagSnapshot): { start: number; end: number; title: string }[] {
  return findFlagReads(text).map((read) => {
    const flag = flagOf(snapshot, read.key);
    return { start: read.start, end: read.end, title: flag ? flagSummary(flag, snapshot) : `${read.key}: not in the flag service` };
  });
}

/** The hover of the flag read at `offset`, if any. */
export function hoverFlag(text: string, offset: number, snapshot: FlagSnapshot): { start: number; end: number; contents: string } | undefined {
  const read = findFlagReads(text).find((r) => offset >= r.start && offset <= r.end);
  if (!read) return undefined;
  const flag = flagOf(snapshot, read.key);
  const fetched = new Date(snapshot.fetchedAt).toISOString().slice(11, 19);
  const source = `Read at ${fetched} UTC from ${snapshot.service}.`;
  if (!flag) return { start: read.start, end: read.end, contents: `**${read.key}** — no such flag in the flag service.\n\n${source}` };
  const rows = environmentsOf(flag, snapshot).map((e) => `| ${e.environment} | ${stateText(e)} |`);
  const stale = staleReason(flag, snapshot);
  const contents = [
    `**${flag.key}** (${read.sdk} \`${read.method}\`)`,
    rows.length ? ['| environment | state |', '|---|---|', ...rows].join('\n') : 'No environment.',
    ...(flag.evaluation ? [evaluationText(flag.evaluation)] : []),
    ...(stale ? [`Stale: ${stale}.`] : []),
    source,
  ].join('\n\n');
  return { start: read.start, end: read.end, contents };
}
