/**
 * Helm charts as `helm template` renders them (the CLI and the language server run helm where it
 * is installed: server/src/workspace/helm.ts). Each template's rendered documents are checked as
 * manifests of the chart's unit, and their findings are placed back on the template's lines.
 * helm keeps no source positions, so each rendered line is matched to the template line that most
 * likely wrote it: the longest common subsequence of the two files' lines, a line matching one
 * with the same text best and one with the same key next (`name: {{ include … }}` wrote
 * `name: web`). A rendered line no template line matches (a helper's labels, a loop's later
 * documents) sits on the closest matched line before it: the `{{ include … }}` or the block.
 */
import { joinPath } from '../kustomize/kustomization';
import { LineIndex } from '../text';
import type { Finding } from '../types';
import { applicationSources, namesFolder, repositoryFolder } from './app-units';
import { asArray, asRecord, asString } from './model';
import type { ManifestObject } from './yaml';

/** What `helm template` made of a chart: each template file's documents, or why it failed. */
export type ChartRendering = { ok: true; templates: Map<string, string> } | { ok: false; message: string };

const SOURCE = /^# Source: ([^\n]+)$/gm;

/**
 * `helm template`'s output split by the template each document came from: helm starts each with
 * `# Source: <chart name>/templates/x.yaml` (a subchart's: `<chart>/charts/<sub>/templates/…`).
 * Keys are workspace paths below `chartFolder`; a template's documents are joined with `---`.
 */
export function renderedTemplates(chartFolder: string, output: string): Map<string, string> {
  const templates = new Map<string, string[]>();
  const sources = [...output.matchAll(SOURCE)];
  sources.forEach((match, i) => {
    const path = match[1]!.trim();
    const relative = path.slice(path.indexOf('/') + 1); // the first segment is the chart's name, not its folder
    const start = match.index + match[0].length + 1;
    // A document ends at the `---` line before the next one's `# Source:`.
    const next = i + 1 < sources.length ? sources[i + 1]!.index : output.length;
    const separator = output.lastIndexOf('\n---', next);
    const document = `${output.slice(start, separator >= start ? separator : next).trimEnd()}\n`;
    const file = joinPath(chartFolder, relative);
    const list = templates.get(file) ?? [];
    list.push(document);
    templates.set(file, list);
  });
  return new Map([...templates].map(([file, documents]) => [file, documents.join('---\n')]));
}

/** A line's trimmed text, and its key (`name:`, `- name:`) or '' when it has none. */
function shapeOf(line: string): { text: string; key: string } {
  const text = line.trim();
  const key = /^(?:-\s+)?["']?([\w./-]+)["']?\s*:(?:\s|$)/.exec(text)?.[1] ?? '';
  return { text, key };
}

/** For each rendered line, the template line (0-based) that most likely wrote it (see above). */
export function alignLines(rendered: readonly string[], template: readonly string[]): number[] {
  const r = rendered.map(shapeOf);
  const t = template.map(shapeOf);
  const score = (i: number, j: number): number => {
    const a = r[i]!;
    const b = t[j]!;
    if (!a.text || !b.text) return 0;
    if (a.text === b.text) return 3;
    return a.key && a.key === b.key ? 2 : 0;
  };
  // best[i][j]: the best alignment of rendered lines i… with template lines j… (rows kept flat).
  const width = t.length + 1;
  const best = new Uint32Array((r.length + 1) * width);
  for (let i = r.length - 1; i >= 0; i--) {
    for (let j = t.length - 1; j >= 0; j--) {
      const match = score(i, j);
      const here = Math.max(best[(i + 1) * width + j]!, best[i * width + j + 1]!);
      best[i * width + j] = match ? Math.max(here, match + best[(i + 1) * width + j + 1]!) : here;
    }
  }
  // Walk the best path from the start: a rendered line no template line matches keeps the last match.
  const lines = new Array<number>(r.length).fill(0);
  let last = 0;
  for (let i = 0, j = 0; i < r.length;) {
    const match = j < t.length ? score(i, j) : 0;
    if (match && best[i * width + j] === match + best[(i + 1) * width + j + 1]!) {
      lines[i++] = last = j++;
    } else if (j >= t.length || best[i * width + j] === best[(i + 1) * width + j]) {
      lines[i++] = last;
    } else j++;
  }
  return lines;
}

/** A rendered template: its documents as checked, and where each rendered line came from. */
export class RenderedTemplate {
  private readonly renderedLines: LineIndex;
  private readonly templateLines: LineIndex;
  private readonly lineOf: number[];

  constructor(
    readonly renderedText: string,
    readonly templateText: string,
  ) {
    this.renderedLines = new LineIndex(renderedText);
    this.templateLines = new LineIndex(templateText);
    this.lineOf = alignLines(renderedText.split('\n'), templateText.split('\n'));
  }

  /** The template range a rendered offset came from: the written text of its line. */
  templateRange(renderedOffset: number): { start: number; end: number } {
    const line = this.lineOf[this.renderedLines.position(renderedOffset).line] ?? 0;
    const start = this.templateLines.offset(line, 0);
    const next = this.templateText.indexOf('\n', start);
    const end = next < 0 ? this.templateText.length : next;
    const text = this.templateText.slice(start, end);
    const indent = text.length - text.trimStart().length;
    return { start: start + indent, end: Math.max(start + indent + 1, start + text.trimEnd().length) };
  }

  /** Line and character in the template of a rendered offset (for related locations). */
  templatePosition(renderedOffset: number): { line: number; character: number } {
    return this.templateLines.position(this.templateRange(renderedOffset).start);
  }

  /**
   * A finding on the rendered documents, placed on the template. Its fixes are dropped: they
   * would edit rendered text that is not in the file.
   */
  place(finding: Finding): Finding {
    const placed: Finding = { ...this.templateRange(finding.start), rule: finding.rule, severity: finding.severity, message: finding.message };
    if (finding.related) placed.related = finding.related;
    if (finding.relatedHere) placed.relatedHere = finding.relatedHere.map((r) => ({ ...this.templateRange(r.start), message: r.message }));
    return placed;
  }
}

/** How an Argo CD Application releases a chart folder of the workspace (its `source.helm`, `destination.namespace`). */
export interface ApplicationChartRelease {
  application: string;
  /** `helm.releaseName`, else the Application's name (Argo CD's default). */
  release: string;
  namespace?: string;
  /** `helm.valueFiles`, relative to the chart folder. */
  valueFiles: string[];
  /** `helm.values` (YAML text) or `helm.valuesObject`, as YAML or JSON text. */
  values?: string;
  /** `helm.parameters`: `--set name=value` (`--set-string` with forceString). */
  parameters: { name: string; value: string; forceString: boolean }[];
  /** `helm.ignoreMissingValueFiles`. */
  ignoreMissingValueFiles: boolean;
}

/**
 * The release of a chart folder by the Argo CD Application that deploys it (a source whose `path`
 * names the folder: paths are relative to the repository root, the folder's name ends with it).
 * Undefined when no Application, or more than one, deploys it: then no one release is the chart's.
 */
export function applicationRelease(applications: readonly ManifestObject[], chartFolder: string): ApplicationChartRelease | undefined {
  const found: ApplicationChartRelease[] = [];
  for (const application of applications) {
    for (const source of applicationSources(application)) {
      const path = typeof source.path === 'string' ? repositoryFolder(source.path) : undefined;
      if (!path || !namesFolder(path, chartFolder)) continue;
      const helm = asRecord(source.helm);
      const valuesObject = helm.valuesObject !== undefined && helm.valuesObject !== null ? JSON.stringify(helm.valuesObject) : undefined;
      const namespace = asString(asRecord(asRecord(application.data.spec).destination).namespace);
      found.push({
        application: application.name,
        release: asString(helm.releaseName) || application.name,
        namespace: namespace || undefined,
        valueFiles: asArray(helm.valueFiles).filter((f): f is string => typeof f === 'string'),
        values: valuesObject ?? asString(helm.values),
        parameters: asArray(helm.parameters)
          .map(asRecord)
          .flatMap((p) =>
            typeof p.name === 'string' && p.value !== undefined ? [{ name: p.name, value: String(p.value), forceString: p.forceString === true }] : [],
          ),
        ignoreMissingValueFiles: helm.ignoreMissingValueFiles === true,
      });
    }
  }
  return found.length === 1 ? found[0] : undefined;
}
