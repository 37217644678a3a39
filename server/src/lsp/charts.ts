/**
 * The language server's Helm charts: rendered with `helm template` once the workspace is indexed,
 * and a chart again when one of its files changes on disk (helm reads the disk, so a template is
 * rendered again when it is saved). Only in a trusted workspace: helm is a program run on the
 * workspace's files. Where helm is not installed the charts stay unrendered (one note each).
 */
import { URI } from 'vscode-uri';
import type { ManifestWorkspace } from '../engine';
import type { ApplicationChartRelease } from '../engine';
import { renderWorkspaceCharts, type ChartRelease } from '../workspace/helm';

/** Saves come in bursts (Save All, a formatter): one rendering after the last. */
const RENDER_DELAY_MS = 300;

export class ChartRenderer {
  /** Set once the client says the workspace is trusted; nothing runs before. */
  trusted = false;
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private rendering: Promise<void> = Promise.resolve();

  constructor(
    private readonly manifests: ManifestWorkspace,
    /** How a chart (a path on disk) is released: its configuration (manifests.charts), else the Application that deploys it. */
    private readonly releaseOf: (chartUri: string, chartDir: string, application: ApplicationChartRelease | undefined) => Promise<ChartRelease>,
    /** Checks files again. */
    private readonly recheck: (uris: string[]) => void,
    /** Says what went wrong when a rendering could not run at all (helm's own failures are findings). */
    private readonly log: (message: string) => void,
  ) {}

  /** Renders every chart of the workspace (after indexing, once trusted, after a configuration change). */
  async renderAll(): Promise<void> {
    if (this.trusted) await this.render(this.manifests.chartFolderNames);
  }

  /** A workspace file changed on disk: when it is a chart's, that chart is rendered again shortly. */
  changed(uri: string): void {
    const chart = this.trusted ? this.manifests.chartOf(uri) : undefined;
    if (chart === undefined) return;
    clearTimeout(this.pending.get(chart));
    this.pending.set(
      chart,
      setTimeout(() => {
        this.pending.delete(chart);
        void this.render([chart]);
      }, RENDER_DELAY_MS),
    );
  }

  /** Renders charts after the renderings already asked for: each reads the disk when it runs, so the last one asked for wins. */
  private render(charts: string[]): Promise<void> {
    this.rendering = this.rendering
      .then(async () => {
        const changed = await renderWorkspaceCharts(this.manifests, { dirOf: (chart) => URI.parse(chart).fsPath, releaseOf: this.releaseOf }, charts);
        this.recheck(changed);
      })
      .catch((error: unknown) => this.log(`Rendering Helm charts failed: ${error instanceof Error ? error.message : String(error)}`));
    return this.rendering;
  }
}
