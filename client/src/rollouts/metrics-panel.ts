/**
 * The "Show Gate Metrics" panel: a webview per rollout charting each gate, stable vs canary, over
 * the last 30 minutes with the threshold line. The extension host queries Prometheus (the webview
 * has no network access under its CSP) and refreshes while the panel is visible.
 */
import crypto from 'node:crypto';
import * as vscode from 'vscode';
import { checkGates, gateSeries, type GateSettings, type GateTarget, type PrometheusClient } from '../../../operations/gates';
import type { MetricsMessage, MetricsRequest, PanelGate } from './metrics-protocol';

const RANGE_SECONDS = 30 * 60;
const REFRESH_MS = 15_000;

export interface MetricsSource {
  /** The current gate settings (re-read on every refresh, so edits to the config apply). */
  settings(): GateSettings;
  /** The Prometheus client, or a message saying why there is none (no URL configured…). */
  prometheus(): Promise<PrometheusClient | string>;
}

export class GateMetricsPanel implements vscode.Disposable {
  private static readonly open = new Map<string, GateMetricsPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  /** Shows the panel of this rollout, reusing an open one. */
  static show(extensionUri: vscode.Uri, rollout: string, target: GateTarget, source: MetricsSource): GateMetricsPanel {
    const existing = GateMetricsPanel.open.get(rollout);
    if (existing) {
      existing.target = target;
      existing.panel.reveal();
      void existing.refresh();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel('rolloutGuard.gateMetrics', `Gates: ${rollout}`, vscode.ViewColumn.Beside, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    });
    const created = new GateMetricsPanel(panel, extensionUri, rollout, target, source);
    GateMetricsPanel.open.set(rollout, created);
    return created;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly rollout: string,
    private target: GateTarget,
    private readonly source: MetricsSource,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media/rollouts.svg');
    panel.webview.html = metricsHtml(panel.webview, extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => this.schedule()),
      panel.webview.onDidReceiveMessage((message: MetricsRequest) => {
        // The webview asks on load (also after it was hidden and re-created) and on its Refresh button.
        if (message.type === 'ready' || message.type === 'refresh') void this.refresh();
      }),
    );
  }

  /** Queries every gate's series and the current verdicts, then posts them (one query round at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.query().finally(() => {
      this.refreshing = undefined;
      this.schedule();
    });
    return this.refreshing;
  }

  private async query(): Promise<void> {
    let message: MetricsMessage;
    try {
      const settings = this.source.settings();
      const prometheus = await this.source.prometheus();
      if (typeof prometheus === 'string') {
        message = { type: 'error', message: prometheus };
      } else if (settings.gates.length === 0) {
        message = { type: 'error', message: 'No gates are configured (gates.preset is none and there are no queries).' };
      } else {
        const [report, series] = await Promise.all([
          checkGates(this.target, settings.gates, prometheus, { interval: settings.interval, timeoutMs: settings.timeoutMs }),
          Promise.all(settings.gates.map((gate) => gateSeries(this.target, gate, prometheus, { rangeSeconds: RANGE_SECONDS, interval: settings.interval }))),
        ]);
        const gates: PanelGate[] = series.map((s, i) => ({
          ...s,
          description: settings.gates[i]!.description,
          verdict: report.gates.find((g) => g.gate === s.gate)?.verdict,
        }));
        message = {
          type: 'series',
          rollout: this.rollout,
          subsets: this.target.subsets,
          rangeSeconds: RANGE_SECONDS,
          updatedAt: new Date().toISOString(),
          gates,
        };
      }
    } catch (error) {
      message = { type: 'error', message: `Gate metrics of ${this.rollout}: ${error instanceof Error ? error.message : String(error)}` };
    }
    await this.panel.webview.postMessage(message);
  }

  /** Auto-refresh only while the panel is visible. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.panel.visible && GateMetricsPanel.open.get(this.rollout) === this) this.timer = setTimeout(() => void this.refresh(), REFRESH_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (GateMetricsPanel.open.get(this.rollout) === this) GateMetricsPanel.open.delete(this.rollout);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function metricsHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const asset = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, file)).toString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource} data:; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('dist/uPlot.min.css')}">
<link rel="stylesheet" href="${asset('media/metrics.css')}">
<title>Gate metrics</title>
</head>
<body data-state="loading">
<header><span id="header">Querying Prometheus…</span> <button id="refresh" type="button">Refresh</button></header>
<main id="gates"></main>
<script nonce="${nonce}" src="${asset('dist/metrics.js')}"></script>
</body>
</html>`;
}
