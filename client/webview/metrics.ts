/**
 * The gate metrics panel's script, run inside the webview. It only draws: the extension host
 * queries Prometheus and posts `MetricsMessage`s; this turns each gate into a uPlot chart of
 * stable vs canary with the threshold line, in the editor theme's chart colours.
 */
import uPlot from 'uplot';
import type { MetricsMessage, MetricsRequest, PanelGate } from '../src/rollouts/metrics-protocol';

declare function acquireVsCodeApi(): { postMessage(message: MetricsRequest): void };

const vscode = acquireVsCodeApi();
const charts = new Map<string, uPlot>();
const root = document.getElementById('gates')!;
const header = document.getElementById('header')!;

/** A theme colour by its CSS variable, with a fallback for themes that lack it. */
function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function formatValue(value: number | null, unit: PanelGate['unit']): string {
  if (value === null || !Number.isFinite(value)) return '–';
  if (unit === 'ratio') return `${(value * 100).toPrecision(3)} %`;
  if (unit === 'seconds') return value < 1 ? `${(value * 1000).toPrecision(3)} ms` : `${value.toPrecision(3)} s`;
  return value.toPrecision(4);
}

function chartWidth(): number {
  return Math.max(280, root.clientWidth - 16);
}

function card(gate: PanelGate): HTMLElement {
  const id = `gate-${gate.gate}`;
  let element = document.getElementById(id);
  if (!element) {
    element = document.createElement('section');
    element.id = id;
    element.className = 'gate';
    element.innerHTML = '<h2></h2><p class="summary"></p><div class="chart"></div><p class="errors"></p>';
    root.appendChild(element);
  }
  return element;
}

function draw(gate: PanelGate): void {
  const element = card(gate);
  const points = (values: (number | null)[]): number => values.filter((v) => v !== null).length;
  element.dataset.verdict = gate.verdict ?? 'unknown';
  element.dataset.stablePoints = String(points(gate.stable));
  element.dataset.canaryPoints = String(points(gate.canary));
  element.querySelector('h2')!.textContent = `${gate.gate}${gate.description ? ` — ${gate.description}` : ''}`;
  const last = (values: (number | null)[]): number | null => [...values].reverse().find((v) => v !== null) ?? null;
  element.querySelector('.summary')!.textContent =
    `canary ${formatValue(last(gate.canary), gate.unit)} · stable ${formatValue(last(gate.stable), gate.unit)} · fails above ${formatValue(gate.threshold, gate.unit)}` +
    (gate.verdict ? ` · ${gate.verdict}` : '');
  const errors = [gate.errors.stable && `stable: ${gate.errors.stable}`, gate.errors.canary && `canary: ${gate.errors.canary}`].filter(Boolean);
  element.querySelector('.errors')!.textContent = errors.join('\n');

  const data: uPlot.AlignedData = [gate.timestamps, gate.stable, gate.canary, gate.timestamps.map(() => gate.threshold)];
  const existing = charts.get(gate.gate);
  if (existing) {
    existing.setData(data);
    return;
  }
  const foreground = themeColour('--vscode-editor-foreground', '#ccc');
  const grid = themeColour('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  const axis: uPlot.Axis = { stroke: foreground, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const chart = new uPlot(
    {
      width: chartWidth(),
      height: 220,
      series: [
        {},
        { label: 'stable', stroke: themeColour('--vscode-charts-blue', '#3794ff'), width: 2, value: (_u, v) => formatValue(v, gate.unit) },
        { label: 'canary', stroke: themeColour('--vscode-charts-orange', '#d18616'), width: 2, value: (_u, v) => formatValue(v, gate.unit) },
        { label: 'threshold', stroke: themeColour('--vscode-charts-red', '#f14c4c'), width: 1, dash: [6, 4], points: { show: false } },
      ],
      axes: [axis, { ...axis, size: 70, values: (_u, ticks) => ticks.map((t) => formatValue(t, gate.unit)) }],
      scales: { y: { range: (_u, min, max) => [0, Math.max(max ?? 0, gate.threshold) * 1.15 || 1] } },
    },
    data,
    element.querySelector<HTMLElement>('.chart')!,
  );
  charts.set(gate.gate, chart);
}

window.addEventListener('message', (event: MessageEvent<MetricsMessage>) => {
  const message = event.data;
  if (message.type === 'series') {
    header.textContent = `${message.rollout} · ${message.subsets.stable} vs ${message.subsets.canary} · last ${Math.round(message.rangeSeconds / 60)} min · updated ${new Date(message.updatedAt).toLocaleTimeString()}`;
    document.body.dataset.state = 'drawn';
    for (const gate of message.gates) draw(gate);
    for (const [name, chart] of charts) {
      if (!message.gates.some((g) => g.gate === name)) {
        chart.destroy();
        charts.delete(name);
        document.getElementById(`gate-${name}`)?.remove();
      }
    }
  } else if (message.type === 'error') {
    header.textContent = message.message;
    document.body.dataset.state = 'error';
  }
});

new ResizeObserver(() => {
  for (const chart of charts.values()) chart.setSize({ width: chartWidth(), height: 220 });
}).observe(root);

document.getElementById('refresh')!.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
vscode.postMessage({ type: 'ready' });
