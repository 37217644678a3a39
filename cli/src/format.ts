import { docsUrl, ruleRegistry, type Severity } from '../../server/src/engine';

/** A finding with 1-based lines and columns, as the CLI prints it. */
export interface LocatedFinding {
  file: string;
  rule: string;
  severity: Severity;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  /** Other places that explain the finding (e.g. the DestinationRule a route points at). */
  related?: { file: string; line: number; column: number; message: string }[];
}

const COLORS: Record<Severity, string> = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m', hint: '\x1b[2m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/** `file:line:col severity rule message`, one per line, then a summary. */
/**
 * Text for a terminal or a log line, with control characters (a newline in a file name, an ANSI
 * escape in a config key) written as escapes: one finding stays one line, and nothing from a
 * repository can drive the terminal.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function formatText(findings: LocatedFinding[], color: boolean, fileCount: number): string {
  const lines = findings.map((f) => {
    const where = `${escapeControl(f.file)}:${f.line}:${f.column}`;
    const message = escapeControl(f.message);
    return color ? `${where} ${COLORS[f.severity]}${f.severity}${RESET} ${DIM}${f.rule}${RESET} ${message}` : `${where} ${f.severity} ${f.rule} ${message}`;
  });
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info') + count('hint'), 'note')} in ${plural(fileCount, 'file')} checked`,
  );
  return lines.join('\n') + '\n';
}

export function formatJson(findings: LocatedFinding[]): string {
  return JSON.stringify({ findings }) + '\n';
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** SARIF 2.1.0 with rule metadata and help links, as GitHub code scanning reads it. */
export function formatSarif(findings: LocatedFinding[], version: string): string {
  const rules = [...ruleRegistry.values()];
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'rollout-guard',
            semanticVersion: version,
            informationUri: 'https://github.com/rollout-guard/rollout-guard',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.summary },
              helpUri: docsUrl(r.id),
              help: { text: `${r.summary} See ${docsUrl(r.id)}` },
              defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => ({
          ruleId: f.rule,
          ...(ruleIndex.has(f.rule) ? { ruleIndex: ruleIndex.get(f.rule) } : {}),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          ...(f.related?.length
            ? {
                relatedLocations: f.related.map((r, id) => ({
                  id,
                  message: { text: r.message },
                  physicalLocation: { artifactLocation: { uri: encodeURI(r.file) }, region: { startLine: r.line, startColumn: r.column } },
                })),
              }
            : {}),
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file) },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
