/**
 * `helm template` for the charts of a workspace, where helm is installed: the CLI and the language
 * server give what it renders to the manifest workspace (server/src/engine/manifests/helm.ts).
 * `helm template` reads only the chart's folder (no cluster: `lookup` gives nothing there); the
 * language server still runs it only in a trusted workspace.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import * as path from 'node:path';
import { renderedTemplates, type ChartRendering } from '../engine/manifests/helm';
import type { ConfigFile } from '../engine/config';

/** How a chart is released: what `manifests.charts` says of it. */
export interface ChartRelease {
  /** Values files applied after the chart's own values.yaml, as absolute paths. */
  values?: readonly string[];
  /** The release name (default: the chart's name, as `helm install web charts/web` names it). */
  release?: string;
  /** The namespace it is installed in (default: helm's, `default`). */
  namespace?: string;
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
  return new Promise((resolve) => {
    execFile('helm', args, { env: options.env, timeout, maxBuffer: 256 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, templates: renderedTemplates(folder, stdout) });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return resolve(undefined);
      if (error.killed) return resolve({ ok: false, message: `helm did not finish in ${Math.round(timeout / 1000)} s` });
      resolve({ ok: false, message: helmError(String(stderr)) || error.message });
    });
  });
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

/** How a configuration says a chart folder is released (`manifests.charts`), its values files as absolute paths. */
export function chartRelease(config: ConfigFile & { path: string }, chartDir: string): ChartRelease {
  const base = path.dirname(config.path);
  const chart = config.sections.manifests?.charts?.find((entry) => path.resolve(base, entry.path) === chartDir);
  if (!chart) return {};
  return { values: (chart.values ?? []).map((file) => path.resolve(base, file)), release: chart.release, namespace: chart.namespace };
}

/**
 * Renders charts with helm, a few at a time: by chart folder (the workspace's name for it), what
 * helm made of it. Charts are left out when helm is not installed.
 */
export async function renderCharts(
  folders: readonly string[],
  options: { dirOf: (folder: string) => string; releaseOf: (chartDir: string) => ChartRelease | Promise<ChartRelease>; env?: NodeJS.ProcessEnv },
): Promise<Map<string, ChartRendering>> {
  const queue = [...folders];
  const renderings = new Map<string, ChartRendering>();
  const renderNext = async (): Promise<void> => {
    for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
      const dir = options.dirOf(folder);
      const rendering = await helmTemplate(dir, folder, { ...(await options.releaseOf(dir)), env: options.env });
      if (rendering) renderings.set(folder, rendering);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HELM_CONCURRENCY, queue.length) }, renderNext));
  return renderings;
}

/** helm processes at a time: each is a 60 MB program, and rendering is quick. */
const HELM_CONCURRENCY = 4;
