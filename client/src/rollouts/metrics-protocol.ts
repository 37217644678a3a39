/** Messages between the gate metrics panel (webview) and the extension host. */
import type { GateSeries, GateVerdict } from '../../../operations/gates';

/** One gate's chart: its series, and the verdict of the latest check when there is one. */
export interface PanelGate extends GateSeries {
  description?: string;
  verdict?: GateVerdict;
}

export type MetricsMessage =
  | {
      type: 'series';
      /** namespace/name */
      rollout: string;
      subsets: { stable: string; canary: string };
      rangeSeconds: number;
      /** ISO time of the query. */
      updatedAt: string;
      gates: PanelGate[];
    }
  | { type: 'error'; message: string };

export type MetricsRequest = { type: 'ready' } | { type: 'refresh' };
