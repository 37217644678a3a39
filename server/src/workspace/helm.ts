/**
 * `helm template` for the charts of a workspace, where helm is installed: the CLI and the language
 * server give what it renders to the manifest workspace (server/src/engine/manifests/helm.ts).
 * `helm template` reads only the chart's folder (no cluster: `lookup` gives nothing there); the
 * language server still runs it only in a trusted workspace.
 */
import fs from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { renderedTemplates, type ApplicationChartRelease, type ChartRendering } from '../engine/manifests/helm';
import type { ConfigFile } from '../engine/config';
import { mapLimited } from '../engine/map-limited';

/** How a chart is released: what `manifests.charts`, or the Argo CD Application that deploys it, says. */
export interface ChartRelease {
  /** Values files applied after the chart's own values.yaml, as absolute paths. */
  values?: readonly string[];
  /** The release name (default: the chart's name, as `helm install web charts/web` names it). */
  release?: string;
  /** The namespace it is installed in (default: helm's, `default`). */
  namespace?: string;
  /** Values as YAML text, after the files (an Argo CD Application's `helm.values`). */
  inlineValues?: string;
  /** `--set` values (`--set-string` with forceString), last. */
  parameters?: readonly { name: string; value: string; forceString: boolean }[];
}

export interface HelmTemplateOptions extends ChartRelease {
  /** The environment helm runs in, where `helm` is looked up on PATH (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Longest wait for helm (default 30 s). */
  timeoutMs?: number;
}

const TIMEOUT_MS = 30_000;

/**
 * Renders a chart folder with its default values plus `values`: what helm made of it (see
 * renderedTemplates), with `folder` the chart's name in the manifest workspace (a path, or the
 * language server's URI). Undefined when helm is not installed; a failure (a template error, a
 * dependency missing from charts/, a timeout) says what helm said.
 */
export function helmTemplate(chartDir: string, folder: string, options: HelmTemplateOptions = {}): Promise<ChartRendering | undefined> {
  const timeout = options.timeoutMs ?? TIMEOUT_MS;
  // Released under the chart's own name by default: `helm install web charts/web`, so names the chart
  // builds on its release (its fullname: `web`, `web-redis`) are those other manifests refer to.
  const release = options.release ?? chartName(chartDir);
  // Helm's chart tests (templates/tests/) are pods `helm test` starts by hand, not part of a release.
  const args = ['template', ...(release ? [release] : []), chartDir, '--skip-tests', ...(options.values ?? []).flatMap((file) => ['--values', file])];
  if (options.namespace) args.push('--namespace', options.namespace);
  const inline = options.inlineValues === undefined ? undefined : writeValues(options.inlineValues);
  if (inline) args.push('--values', inline);
  for (const p of options.parameters ?? []) args.push(p.forceString ? '--set-string' : '--set', `${p.name}=${p.value}`);
  return new Promise((resolve) => {
    // Loaded here, not at start-up: most checks have no chart.
    process
      .getBuiltinModule('node:child_process')
      .execFile('helm', args, { env: options.env, timeout, maxBuffer: 256 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
        if (inline) fs.rmSync(path.dirname(inline), { recursive: true, force: true });
        if (!error) return resolve({ ok: true, templates: renderedTemplates(folder, stdout) });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return resolve(undefined);
        if (error.killed) return resolve({ ok: false, message: `helm did not finish in ${Math.round(timeout / 1000)} s` });
        resolve({ ok: false, message: helmError(String(stderr)) || error.message });
      });
  });
}

/** Values text in a file of its own (helm reads values from files), in a private temporary folder. */
function writeValues(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-guard-helm-')), 'values.yaml');
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** The `name` of a chart's Chart.yaml (undefined when it cannot be read: helm then says why). */
function chartName(chartDir: string): string | undefined {
  try {
    return /^name:[ \t]*["']?([a-z0-9][a-z0-9-]*)["']?[ \t]*(?:#.*)?$/m.exec(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** helm's own error line(s), without its `Error: ` prefix, on one line. */
function helmError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('WARNING:') && !line.startsWith('walk.go:'));
  return lines
    .join(' ')
    .replace(/^Error: /, '')
    .slice(0, 500);
}

/**
 * How a chart folder is released: as the configuration says (`manifests.charts`, its values files
 * relative to the configuration's folder), else as the one Argo CD Application that deploys it
 * does (its value files relative to the chart, URLs left out: helm here fetches nothing), else
 * with the chart's own values.
 */
export function chartRelease(config: (ConfigFile & { path: string }) | undefined, chartDir: string, application?: ApplicationChartRelease): ChartRelease {
  const base = config && path.dirname(config.path);
  const chart = base ? config.sections.manifests?.charts?.find((entry) => path.resolve(base, entry.path) === chartDir) : undefined;
  if (base && chart) return { values: (chart.values ?? []).map((file) => path.resolve(base, file)), release: chart.release, namespace: chart.namespace };
  if (!application) return {};
  const values = application.valueFiles
    .filter((file) => !/^[a-z]+:\/\//i.test(file))
    .map((file) => path.resolve(chartDir, file))
    .filter((file) => !application.ignoreMissingValueFiles || fs.existsSync(file));
  return { values, release: application.release, namespace: application.namespace, inlineValues: application.values, parameters: application.parameters };
}

/**
 * Renders charts with helm, a few at a time: by chart folder (the workspace's name for it), what
 * helm made of it. Charts are left out when helm is not installed.
 */
async function renderCharts(
  folders: readonly string[],
  options: {
    dirOf: (folder: string) => string;
    releaseOf: (folder: string, chartDir: string) => ChartRelease | Promise<ChartRelease>;
    env?: NodeJS.ProcessEnv;
  },
): Promise<Map<string, ChartRendering>> {
  const renderings = new Map<string, ChartRendering>();
  await mapLimited(folders, HELM_CONCURRENCY, async (folder) => {
    const dir = options.dirOf(folder);
    const rendering = await helmTemplate(dir, folder, { ...(await options.releaseOf(folder, dir)), env: options.env });
    if (rendering) renderings.set(folder, rendering);
  });
  return renderings;
}

/** What renderWorkspaceCharts needs of the manifest workspace. */
interface ChartWorkspace {
  chartFolderNames: string[];
  chartApplicationRelease(folder: string): ApplicationChartRelease | undefined;
  setChartRenderings(renderings: ReadonlyMap<string, ChartRendering | undefined>): string[];
}

/**
 * Renders charts of a workspace (all of them, or `folders`) and gives it what helm made; returns
 * the files to check again. A chart rendered from a chart (an Argo CD app of apps) may hold the
 * Applications that deploy others: those whose release it changes are rendered again, once.
 */
export async function renderWorkspaceCharts(
  workspace: ChartWorkspace,
  options: {
    dirOf: (folder: string) => string;
    /** How a chart is released, given the Application that deploys it (see chartRelease). */
    releaseOf: (folder: string, chartDir: string, application: ApplicationChartRelease | undefined) => ChartRelease | Promise<ChartRelease>;
    env?: NodeJS.ProcessEnv;
  },
  folders: readonly string[] = workspace.chartFolderNames,
): Promise<string[]> {
  const used = new Map<string, string>();
  const releaseOf = async (folder: string, chartDir: string): Promise<ChartRelease> => {
    const release = await options.releaseOf(folder, chartDir, workspace.chartApplicationRelease(folder));
    used.set(folder, JSON.stringify(release));
    return release;
  };
  const changed = new Set(workspace.setChartRenderings(await renderCharts(folders, { dirOf: options.dirOf, releaseOf, env: options.env })));
  const again: string[] = [];
  for (const folder of folders) {
    const before = used.get(folder);
    if (before !== undefined && JSON.stringify(await options.releaseOf(folder, options.dirOf(folder), workspace.chartApplicationRelease(folder))) !== before)
      again.push(folder);
  }
  if (again.length)
    for (const file of workspace.setChartRenderings(await renderCharts(again, { dirOf: options.dirOf, releaseOf, env: options.env }))) changed.add(file);
  return [...changed];
}

/** helm processes at a time: each is a 60 MB program, and rendering is quick. */
const HELM_CONCURRENCY = 4;
