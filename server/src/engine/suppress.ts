import type { EngineSettings, Finding } from './types';
import { allRuleIds, canonicalRuleId, engineSeverity } from './registry';

/** `-- rollout-guard-ignore a, b` (next statement) or `-- rollout-guard-ignore-file a` (whole file). */
export interface Directive {
  scope: 'next' | 'file';
  rules: { id: string; start: number; end: number }[];
  /** Offsets of the whole comment. */
  start: number;
  end: number;
  /** What a `next` directive covers when known up front (e.g. an object's ignore annotation). */
  target?: { start: number; end: number };
}

const DIRECTIVE = /^(?:--|#)\s*rollout-guard-ignore(-file)?\b[ \t]*(.*)$/;

export function parseDirectives(comments: readonly { start: number; end: number; text: string }[]): Directive[] {
  const directives: Directive[] = [];
  for (const comment of comments) {
    const match = DIRECTIVE.exec(comment.text.trimEnd());
    if (!match) continue;
    const listStart = comment.start + comment.text.indexOf(match[2]!, match[0].length - match[2]!.length);
    const rules: Directive['rules'] = [];
    // Rule ids, comma or space separated; anything after ` -- ` or `:` is a free-text reason.
    const list = match[2]!.split(/\s+--\s|:\s/)[0]!;
    const idPattern = /[A-Za-z0-9_-]+/g;
    for (let m = idPattern.exec(list); m; m = idPattern.exec(list)) {
      rules.push({ id: m[0], start: listStart + m.index, end: listStart + m.index + m[0].length });
    }
    directives.push({ scope: match[1] ? 'file' : 'next', rules, start: comment.start, end: comment.end });
  }
  return directives;
}

/**
 * Removes suppressed findings and reports ignores that name an unknown rule or
 * suppress nothing (`unused-ignore`).
 */
export function applySuppressions(
  findings: Finding[],
  directives: readonly Directive[],
  settings: EngineSettings,
  units: {
    /** Sorted start offsets of the units a `next` directive applies to (statements, YAML nodes). */
    starts: readonly number[];
    /** End of the unit starting at an offset; default: the next unit's start. */
    end?: (start: number) => number;
    /** What a unit is called in messages. */
    name: string;
  },
): Finding[] {
  const unitStarts = units.starts;
  const unitEnd = units.end ?? ((start: number) => unitStarts.find((s) => s > start) ?? Number.MAX_SAFE_INTEGER);
  if (directives.length === 0) return findings;
  const used = new Set<string>();
  const key = (d: Directive, id: string): string => `${d.start}:${id}`;
  const kept = findings.filter((finding) => {
    for (const d of directives) {
      const rule = d.rules.find((r) => canonicalRuleId(r.id) === finding.rule);
      if (!rule) continue;
      if (d.scope === 'file') {
        used.add(key(d, rule.id));
        return false;
      }
      const target = d.target?.start ?? unitStarts.find((s) => s >= d.end);
      const targetEnd = d.target?.end ?? (target === undefined ? 0 : unitEnd(target));
      if (target !== undefined && finding.start >= target && finding.start < targetEnd) {
        used.add(key(d, rule.id));
        return false;
      }
    }
    return true;
  });
  const unusedSeverity = engineSeverity('unused-ignore', settings);
  if (!unusedSeverity) return kept;
  for (const d of directives) {
    if (d.rules.length === 0) {
      kept.push({
        rule: 'unused-ignore',
        severity: unusedSeverity,
        start: d.start,
        end: d.end,
        message: 'rollout-guard-ignore names no rule: write the rule ids to ignore, e.g. `rollout-guard-ignore ban-drop-column`.',
      });
    }
    for (const r of d.rules) {
      if (!allRuleIds.has(canonicalRuleId(r.id))) {
        kept.push({
          rule: 'unused-ignore',
          severity: unusedSeverity,
          start: r.start,
          end: r.end,
          message: `Unknown rule \`${r.id}\` in rollout-guard-ignore.`,
        });
      } else if (!used.has(key(d, r.id))) {
        const where = d.scope === 'file' ? 'in this file' : d.target ? 'in this object' : `on the next ${units.name}`;
        kept.push({
          rule: 'unused-ignore',
          severity: unusedSeverity,
          start: r.start,
          end: r.end,
          message: `rollout-guard-ignore ${r.id} suppresses nothing: no ${r.id} finding ${where}. Remove it.`,
        });
      }
    }
  }
  return kept.sort((a, b) => a.start - b.start);
}
