/** Test helpers for the MySQL engine and SQL in TS/JS: findings by rule with exact 1-based ranges. */
import assert from 'node:assert/strict';
import { LineIndex, lintEmbedded, lintMysql, mergeSettings, type Finding, type PartialSettings } from '../../server/src/engine';

export interface Located {
  rule: string;
  /** "line:col-endLine:endCol", 1-based, end exclusive. */
  range: string;
  message: string;
  finding: Finding;
}

function locate(text: string, findings: Finding[]): Located[] {
  const index = new LineIndex(text);
  return findings.map((finding) => {
    const s = index.position(finding.start);
    const e = index.position(finding.end);
    return { rule: finding.rule, range: `${s.line + 1}:${s.character + 1}-${e.line + 1}:${e.character + 1}`, message: finding.message, finding };
  });
}

export function lintMy(sql: string, settings: PartialSettings = {}, dialect: 'mysql' | 'mariadb' = 'mysql'): Located[] {
  return locate(sql, lintMysql(sql, mergeSettings({ dialect }, settings), { dialect }));
}

/** Asserts the findings of `rule` on MySQL text are exactly at these ranges. */
export function expectMysql(rule: string, sql: string, ranges: string[], settings: PartialSettings = {}): Located[] {
  const found = lintMy(sql, settings).filter((f) => f.rule === rule);
  assert.deepEqual(
    found.map((f) => f.range),
    ranges,
    `${rule} findings:\n${found.map((f) => `  ${f.range} ${f.message}`).join('\n') || '  (none)'}`,
  );
  return found;
}

/** Findings of SQL embedded in a TS/JS file. */
export function lintCode(fileName: string, text: string, settings: PartialSettings = {}): Located[] {
  return locate(text, lintEmbedded(fileName, text, mergeSettings(settings)));
}
