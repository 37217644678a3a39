/**
 * `helm template` for the charts of a workspace, where helm is installed: the CLI and the language
 * server give what it renders to the manifest workspace (server/src/engine/manifests/helm.ts).
 * `helm template` reads only the chart's folder (no cluster: `lookup` gives nothing there); the
 * language server still runs it only in a trusted workspace.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { renderedTemplates, type ChartRendering } from '../engine/manifests/helm';
import type { ConfigFile } from '../engine/config';

export interface HelmTemplateOptions {
  /** The environment helm runs in, where `helm` is looked up on PATH (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Values files applied after the chart's own values.yaml, as absolute paths. */
  values?: readonly string[];
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
  // Helm's chart tests (templates/tests/) are pods `helm test` starts by hand, not part of a release.
  const args = ['template', chartDir, '--skip-tests', ...(options.values ?? []).flatMap((file) => ['--values', file])];
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

/** The values files a configuration names for a chart folder (`manifests.charts`), as absolute paths. */
export function chartValuesFiles(config: ConfigFile & { path: string }, chartDir: string): string[] {
  const base = path.dirname(config.path);
  const chart = config.sections.manifests?.charts?.find((entry) => path.resolve(base, entry.path) === chartDir);
  return (chart?.values ?? []).map((file) => path.resolve(base, file));
}

/**
 * Renders charts with helm, a few at a time: by chart folder (the workspace's name for it), what
 * helm made of it. Charts are left out when helm is not installed.
 */
export async function renderCharts(
  folders: readonly string[],
  options: { dirOf: (folder: string) => string; valuesOf: (chartDir: string) => string[] | Promise<string[]>; env?: NodeJS.ProcessEnv },
): Promise<Map<string, ChartRendering>> {
  const queue = [...folders];
  const renderings = new Map<string, ChartRendering>();
  const renderNext = async (): Promise<void> => {
    for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
      const dir = options.dirOf(folder);
      const rendering = await helmTemplate(dir, folder, { env: options.env, values: await options.valuesOf(dir) });
      if (rendering) renderings.set(folder, rendering);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HELM_CONCURRENCY, queue.length) }, renderNext));
  return renderings;
}

/** helm processes at a time: each is a 60 MB program, and rendering is quick. */
const HELM_CONCURRENCY = 4;
