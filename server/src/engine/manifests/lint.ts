/** Lints one YAML file of the workspace: syntax, schema and manifest rules, suppressions. */
import { isMap, isPair, isSeq, type Node } from 'yaml';
import { engineSeverity } from '../registry';
import { RuleIndex, runRules, type Placed } from '../rule-runner';
import { applySuppressions, parseDirectives, type Directive } from '../suppress';
import type { EngineSettings, Finding } from '../types';
import type { ManifestContext, ManifestReport } from './rule';
import { manifestRules } from './rules';
import type { Lookup } from './lookup';
import { renderedSource, type Rendering } from '../kustomize/render';
import { rangeAt, type ManifestObject, type ParsedYamlFile, type Path } from './yaml';

const rules = new RuleIndex(manifestRules);

export const IGNORE_ANNOTATION = 'rollout-guard.io/ignore';

/** A finding the engine itself reports (not a rule's), at the registry's severity unless configured. */
function engineFinding(rule: string, settings: EngineSettings, at: Placed): Finding[] {
  const severity = engineSeverity(rule, settings);
  return severity ? [{ rule, severity, ...at }] : [];
}

/** Rules that judge a patch fragment (fields it writes), not a whole object. */
const FRAGMENT_RULES = new Set(['unknown-field', 'invalid-type']);

/** `fragment`: a patch file no unit applies; only its fields are checked. */
export function lintManifestFile(parsed: ParsedYamlFile, text: string, settings: EngineSettings, lookup: Lookup, fragment = false): Finding[] {
  if (parsed.template) {
    const firstLine = text.indexOf('\n') < 0 ? text.length : text.indexOf('\n');
    return engineFinding('template-skipped', settings, {
      start: 0,
      end: Math.max(1, firstLine),
      message:
        'This file has {{ … }} template expressions in its YAML structure (Helm, or Argo template arguments): it is not a manifest until rendered, so it was not checked. Check the rendered output instead, e.g. helm template … > rendered.yaml.',
    });
  }
  const findings = syntaxFindings(parsed, settings);
  const ctx: ManifestContext = { settings, lookup, text };
  for (const object of parsed.objects) {
    runRules(
      fragment ? rules.rulesFor(object.kind).filter((rule) => FRAGMENT_RULES.has(rule.id)) : rules.rulesFor(object.kind),
      {
        settings,
        check: (rule, report) =>
          rule.check(object, ctx, unlessPlaceholder(object, REFERENCE_RULES.has(rule.id) ? unlessFromChart(object, lookup, report) : report)),
        place: (report: ManifestReport) => placeInObject(object, report, lookup),
        failure: () => ({ ...rangeAt(object, ['kind']), subject: `${object.kind} ${object.name}` }),
      },
      findings,
    );
  }
  return applyYamlSuppressions(findings, parsed, text, settings).sort((a, b) => a.start - b.start);
}

function syntaxFindings(parsed: ParsedYamlFile, settings: EngineSettings): Finding[] {
  const findings: Finding[] = [];
  for (const p of parsed.problems) {
    // A file that does not parse is an error whatever the configuration says.
    if (!p.rule) findings.push({ rule: 'syntax-error', severity: 'error', start: p.start, end: p.end, message: `YAML: ${p.message}` });
    else findings.push(...engineFinding(p.rule, settings, { start: p.start, end: p.end, message: p.message }));
  }
  return findings;
}

/** Rules whose findings say something is missing: not reported from a unit whose rendering skipped something. */
const REFERENCE_RULES = new Set(['dangling-config-reference', 'dangling-service', 'rollout-dangling-reference', 'unknown-destination-host', 'unknown-subset']);

/**
 * A reference rule's report, dropped when what it names (the value at its path: a name, a host,
 * a selector's labels) may be created by a Helm chart that is not rendered: unknown, not missing.
 */
function unlessFromChart(object: ManifestObject, lookup: Lookup, report: (r: ManifestReport) => void): (r: ManifestReport) => void {
  return (r) => {
    if (!chartMayCreate(valueAt(object.data, r.path), lookup)) report(r);
  };
}

/**
 * A report dropped when the value at fault is a placeholder that a tool fills in before apply
 * (envsubst's `${PORT}`, `${NAME:-web}`, `$IMAGE`; a sample's `<LOAD_GENERATOR_IMAGE>` to replace by hand): the file is a
 * template there, and its value unknown.
 */
function unlessPlaceholder(object: ManifestObject, report: (r: ManifestReport) => void): (r: ManifestReport) => void {
  return (r) => {
    const value = valueAt(object.data, r.path);
    if (typeof value !== 'string' || !PLACEHOLDER.test(value)) report(r);
  };
}

const PLACEHOLDER = /\$\{[A-Za-z_][\w]*(:?[-=?+][^}]*)?\}|^\$[A-Za-z_]\w*$|^<[A-Za-z_][\w-]*>$/;

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const segment of path) value = value && typeof value === 'object' ? (value as Record<string | number, unknown>)[segment] : undefined;
  return value;
}

/** Whether a chart may create what a referenced value names: a name, a host (or its short name), pods with all of a selector's labels. */
function chartMayCreate(value: unknown, lookup: Lookup): boolean {
  if (typeof value === 'string') return lookup.chartMayCreate(value) || lookup.chartMayCreate(value.split('.')[0]!);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const labels = Object.values(value);
  return labels.length > 0 && labels.every((label) => typeof label === 'string' && lookup.chartMayCreate(label));
}

/** A Helm chart's Chart.yaml: one note that the chart was not rendered (its other files are not checked). */
/** Says on a chart's Chart.yaml that helm did not render it: not installed (or not allowed to run), or `failure`, what helm said. */
export function lintChartFile(parsed: ParsedYamlFile, text: string, settings: EngineSettings, failure?: string): Finding[] {
  const object = parsed.objects[0];
  const at =
    object?.data.name !== undefined ? rangeAt(object, ['name']) : { start: 0, end: Math.max(1, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')) };
  const name = typeof object?.data.name === 'string' ? ` ${object.data.name}` : '';
  const why = failure
    ? `helm template failed: ${failure}`
    : 'helm is not installed (Rollout Guard runs helm template when helm is on PATH, in VS Code in a trusted workspace)';
  return engineFinding('helm-chart-not-rendered', settings, {
    ...at,
    message: `Helm chart${name} was not rendered: ${why}. Its templates and values are not checked, and what it creates is unknown (references elsewhere to names it may create are not reported as dangling).`,
  });
}

/**
 * The findings of a deploy unit (a rendered kustomization) by the file they land in: the rules run
 * on the rendered objects, and each finding sits on the source line that caused it (a base, an
 * overlay's patch, a kustomization entry), naming the unit. Notes on what was skipped included.
 */
/** A unit's notes (what rendering skipped), as findings on its kustomizations. */
export function renderingNotes(rendering: Rendering, settings: EngineSettings): { file: string; finding: Finding }[] {
  return rendering.notes.flatMap((note) => {
    const at = { ...rangeAt(note.kustomization.object, note.path, 'key'), message: note.message };
    return engineFinding('kustomize-skipped', settings, at).map((finding) => ({ file: note.kustomization.file, finding }));
  });
}

/**
 * Lints a file that deploy units render (a base, a patch, a kustomization) from the units'
 * findings for it: one finding per rule and place, naming every unit it applies to. Patch files
 * are never checked as whole objects.
 */
export function lintRenderedFile(parsed: ParsedYamlFile, text: string, settings: EngineSettings, fromUnits: readonly (readonly Finding[])[]): Finding[] {
  const byPlace = new Map<string, Finding>();
  for (const finding of fromUnits.flat()) {
    // Rendered names differ between units (prefixes, hashes): the same rule on the same line is one finding.
    const key = `${finding.rule}\0${finding.start}\0${finding.end}`;
    const existing = byPlace.get(key);
    if (!existing) byPlace.set(key, { ...finding });
    // The same line in several units: one finding naming each unit (the last related location).
    else existing.related = [...(existing.related ?? []), ...(finding.related ?? []).slice(-1)];
  }
  return applyYamlSuppressions([...syntaxFindings(parsed, settings), ...byPlace.values()], parsed, text, settings).sort((a, b) => a.start - b.start);
}

/** The findings on one rendered object of a unit, each with the file it lands in. */
export function lintRenderedObject(
  object: ManifestObject,
  rendering: Rendering,
  settings: EngineSettings,
  lookup: Lookup,
): { file: string; finding: Finding }[] {
  const found: Finding[] = [];
  const files: (string | undefined)[] = [];
  // Fixes are not offered through a rendering: no rule's edit applies to the rendered text.
  const ctx: ManifestContext = { settings, lookup, text: '' };
  const unit = {
    file: rendering.root.file,
    message: `in ${unitName(rendering)}: ${object.kind} ${object.namespaceWritten ? `${object.namespace}/` : ''}${object.name}`,
  };
  runRules(
    rules.rulesFor(object.kind),
    {
      settings,
      check: (rule, report) => {
        if (!REFERENCE_RULES.has(rule.id)) rule.check(object, ctx, unlessPlaceholder(object, report));
        else if (!rendering.incomplete) rule.check(object, ctx, unlessPlaceholder(object, unlessFromChart(object, lookup, report)));
      },
      place: (report: ManifestReport) => {
        const source = renderedSource(object, report.path);
        files.push(source?.object.file);
        // Fixes edit the text of the object they were built on: not offered through a rendering.
        const placed = placeInObject(source?.object ?? object, { ...report, path: source?.path ?? report.path, fixes: undefined }, lookup);
        const at = rangeAt(rendering.root.object, [], 'key');
        const overlay = { file: unit.file, message: unit.message, start: lookup.position(unit.file, at.start), end: lookup.position(unit.file, at.end) };
        return { ...placed, related: [...(placed.related ?? []), overlay] };
      },
      failure: () => {
        files.push(renderedSource(object, [])?.object.file);
        return { ...rangeAt(renderedSource(object, [])?.object ?? object, ['kind']), subject: `${object.kind} ${object.name}` };
      },
    },
    found,
  );
  return found.flatMap((finding, i) => (files[i] ? [{ file: files[i], finding }] : []));
}

const unitNames = new WeakMap<Rendering, string>();

/** A unit's folder as the user knows it: relative to the folder all its files share (overlays/prod beside base/). */
function unitName(rendering: Rendering): string {
  let name = unitNames.get(rendering);
  if (name === undefined) unitNames.set(rendering, (name = computeUnitName(rendering)));
  return name;
}

function computeUnitName(rendering: Rendering): string {
  const split = (file: string): string[] => file.split(/[\\/]/);
  let common = split(rendering.root.dir);
  for (const file of rendering.files) {
    const parts = split(file);
    let n = 0;
    while (n < common.length && n < parts.length - 1 && common[n] === parts[n]) n++;
    common = common.slice(0, n);
  }
  const own = split(rendering.root.dir).slice(common.length).join('/');
  return own || split(rendering.root.dir).pop() || rendering.root.dir;
}

function placeInObject(object: ManifestObject, r: ManifestReport, lookup: Lookup): Placed {
  const range = rangeAt(object, r.path, r.on);
  return {
    ...range,
    message: r.message,
    unitStart: range.start,
    ...(r.severity ? { severity: r.severity } : {}),
    ...(r.fixes?.length ? { fixes: r.fixes } : {}),
    ...(r.related?.length
      ? {
          related: r.related.map((given) => {
            const source = renderedSource(given.object, given.path);
            const rel = source ? { ...given, ...source } : given;
            const at = rangeAt(rel.object, rel.path, 'key');
            return {
              file: rel.object.file,
              message: rel.message,
              start: lookup.position(rel.object.file, at.start),
              end: lookup.position(rel.object.file, at.end),
            };
          }),
        }
      : {}),
  };
}

/** `# rollout-guard-ignore` comments (next node, or file) and the ignore annotation (whole object). */
function applyYamlSuppressions(findings: Finding[], parsed: ParsedYamlFile, text: string, settings: EngineSettings): Finding[] {
  const directives: Directive[] = parseDirectives(parsed.comments);
  for (const object of parsed.objects) {
    const annotation = (object.data.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations?.[IGNORE_ANNOTATION];
    if (typeof annotation !== 'string') continue;
    const value = rangeAt(object, ['metadata', 'annotations', IGNORE_ANNOTATION]);
    const rules: Directive['rules'] = [];
    const pattern = /[A-Za-z0-9_-]+/g;
    const raw = text.slice(value.start, value.end);
    const offset = raw.indexOf(annotation) >= 0 ? raw.indexOf(annotation) : 0;
    for (let m = pattern.exec(annotation); m; m = pattern.exec(annotation)) {
      rules.push({ id: m[0], start: value.start + offset + m.index, end: value.start + offset + m.index + m[0].length });
    }
    directives.push({ scope: 'next', rules, start: value.start, end: value.end, target: { start: object.start, end: object.end } });
  }
  if (directives.length === 0) return findings;
  const extents = nodeExtents(parsed);
  const starts = directives
    .filter((d) => d.scope === 'next' && !d.target)
    .map((d) => nextContent(text, d.end))
    .sort((a, b) => a - b);
  return applySuppressions(findings, directives, settings, {
    starts,
    end: (start) => extents.get(start) ?? extents.get(skipDash(text, start)) ?? lineEnd(text, start),
    name: 'node',
  });
}

/** Start of the first content after a comment: the next non-blank, non-comment line. */
function nextContent(text: string, from: number): number {
  const pattern = /\n[ \t]*(?=[^\s#])/g;
  pattern.lastIndex = from;
  const m = pattern.exec(text);
  return m ? m.index + m[0].length : text.length;
}

function skipDash(text: string, start: number): number {
  return text[start] === '-' ? start + 1 + (/^[ \t]*/.exec(text.slice(start + 1))?.[0].length ?? 0) : start;
}

function lineEnd(text: string, start: number): number {
  const eol = text.indexOf('\n', start);
  return eol < 0 ? text.length : eol;
}

/** For every map pair and sequence item: start offset → end offset of the whole node. */
function nodeExtents(parsed: ParsedYamlFile): Map<number, number> {
  const extents = new Map<number, number>();
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        if (key?.range) extents.set(key.range[0], value?.range?.[1] ?? key.range[1]);
        visit(value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        const n = item as Node | null;
        visit(item);
        // After its children: a list item that is a mapping starts where its first key does, and covers all of it.
        if (n?.range) extents.set(n.range[0], n.range[1]);
      }
    }
  };
  for (const object of parsed.objects) visit(object.doc.contents);
  return extents;
}
