/**
 * Runs the rules on application code (codeRules) over one TS/JS file, with its
 * `// rollout-guard-ignore <rule>` comments (the next line) and `// rollout-guard-ignore-file <rule>`.
 */
import { tokenizeScript } from '../js/tokens';
import { runRules, type Placed } from '../rule-runner';
import { applySuppressions, parseDirectives } from '../suppress';
import type { EngineSettings, Finding } from '../types';
import type { CodeContext, CodeReport } from './rule';
import { codeRules } from './rules';

export const codeRuleIds: ReadonlySet<string> = new Set(codeRules.map((r) => r.id));

export function lintCode(fileName: string, text: string, ctx: CodeContext): Finding[] {
  const findings: Finding[] = [];
  runRules(
    codeRules,
    {
      settings: ctx.settings,
      check: (rule, report) => rule.check(fileName, text, ctx, report),
      place: (report: CodeReport): Placed => report,
      failure: () => ({ start: 0, end: 1, subject: 'this file' }),
    },
    findings,
  );
  return applyCodeIgnores(text, findings, codeRuleIds, ctx.settings);
}

/**
 * The `// rollout-guard-ignore` comments of a TS/JS file applied to findings of the rules `ids`
 * (each family of rules on code applies its own; unused ones are reported), sorted by offset.
 */
export function applyCodeIgnores(text: string, findings: Finding[], ids: ReadonlySet<string>, settings: EngineSettings): Finding[] {
  if (!text.includes('rollout-guard-ignore')) return findings.sort((a, b) => a.start - b.start);
  // Ignores of other rules in the same comments are the embedded SQL's (lintEmbedded reads them) or another family's.
  const comments = tokenizeScript(text).comments.map((c) => ({
    start: c.start,
    end: c.end,
    text: text
      .slice(c.start, c.end)
      .replace(/^\/[/*]/, '--')
      .replace(/\*\/$/, ''),
  }));
  const directives = parseDirectives(comments)
    .map((d) => ({ ...d, rules: d.rules.filter((r) => ids.has(r.id)) }))
    .filter((d) => d.rules.length);
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return applySuppressions(findings, directives, settings, { starts: lineStarts, name: 'line' });
}
