/**
 * Helm charts in the workspace. A folder with a Chart.yaml is a deploy unit that only `helm
 * template` can render (see helm.ts: the CLI and the language server run it where helm is
 * installed). Until then, or when helm fails, the chart's files (templates, values, Chart.yaml;
 * not crds/, which helm applies as written) are not manifests and are neither linted nor indexed.
 * What the chart creates is unknown, not missing: a reference elsewhere to a name the chart may
 * create (one built on the chart's name, as Helm's fullname is, or written literally in one of
 * its templates) is not reported as dangling. An app of apps written as a chart still says what
 * it deploys where its Applications' paths are written literally (see templateDeployedPaths).
 */
import { baseName, dirOf, joinPath } from '../kustomize/kustomization';
import { deployedPaths } from './app-units';
import { parseYamlFile } from './yaml';

export const CHART_FILE = 'Chart.yaml';

export const isChartFile = (file: string): boolean => baseName(file) === CHART_FILE;

/** The chart folder a file belongs to (the nearest folder above it with a Chart.yaml), or undefined. */
export function chartFolderOf(file: string, isChart: (folder: string) => boolean): string | undefined {
  // `child`: the entry of `folder` the file is in (or is).
  for (let folder = dirOf(file), child = baseName(file); folder; child = baseName(folder), folder = dirOf(folder)) {
    // crds/ holds plain CustomResourceDefinitions that helm installs as written: manifests.
    if (isChart(folder)) return child === 'crds' ? undefined : folder;
  }
  return undefined;
}

/** What Rollout Guard knows of a chart without rendering it. */
export interface Chart {
  folder: string;
  /** `name` of its Chart.yaml (its folder name when unset). */
  name: string;
  /** Plain values its templates write (`name: redis`, `- web`): names it may create. */
  literals: Set<string>;
}

/** A chart from its Chart.yaml text and its template files' texts. */
export function readChart(folder: string, chartText: string | undefined, templates: Iterable<string>): Chart {
  const declared = chartText === undefined ? undefined : parseYamlFile(joinPath(folder, CHART_FILE), chartText).objects[0]?.data.name;
  const literals = new Set<string>();
  for (const text of templates) for (const pattern of LITERAL_VALUES) for (const m of text.matchAll(pattern)) literals.add(m[1]!);
  return { folder, name: typeof declared === 'string' && declared ? declared : baseName(folder), literals };
}

/** Plain scalar values (no template expression), quoted or not: a line's (`key: value`, `- value`), and a flow mapping's (`{ name: value }`). */
const LITERAL_VALUES = [
  /^[ \t]*(?:-[ \t]+)?(?:[\w./-]+:[ \t]+)?["']?([A-Za-z0-9][\w.-]*)["']?[ \t]*$/gm,
  /[{,][ \t]*[\w./-]+:[ \t]+["']?([A-Za-z0-9][\w.-]*)["']?[ \t]*(?=[,}])/g,
];

/** Whether a chart may create an object named (or labelled) `value`. */
export function chartMayCreate(chart: Chart, value: string): boolean {
  const name = chart.name;
  return value === name || value.startsWith(`${name}-`) || value.endsWith(`-${name}`) || value.includes(`-${name}-`) || chart.literals.has(value);
}

/** What stands for a template expression in a template read without rendering: a word no path has. */
const TEMPLATED = '__rollout_guard_template__';

/**
 * The repository paths that the Argo CD Applications (and Flux Kustomizations) of an unrendered
 * chart's template deploy, where written literally (an app of apps as a chart: `path: guestbook`
 * beside `repoURL: {{ .Values.repoURL }}`). The template is read as YAML with its action lines left
 * out and each expression as a value of its own; a path built by an expression is unknown, and
 * names no unit.
 */
export function templateDeployedPaths(file: string, text: string): string[] {
  const yaml = text
    .split('\n')
    .filter((line) => !/^\s*\{\{.*\}\}\s*$/.test(line))
    .map((line) => line.replace(/\{\{.*?\}\}/g, TEMPLATED))
    .join('\n');
  return parseYamlFile(file, yaml)
    .objects.flatMap(deployedPaths)
    .filter((path) => !path.includes(TEMPLATED));
}

/** Whether a file of a chart folder is one of its templates (templates/, where helm reads them). */
export const isChartTemplate = (file: string, folder: string): boolean =>
  file
    .slice(folder.length + 1)
    .replace(/\\/g, '/')
    .startsWith('templates/');
