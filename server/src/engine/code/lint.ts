/** Runs the rules on application code (codeRules) over one TS/JS file. */
import { runRules, type Placed } from '../rule-runner';
import type { Finding } from '../types';
import type { CodeContext, CodeReport } from './rule';
import { codeRules } from './rules';

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
  return findings.sort((a, b) => a.start - b.start);
}
