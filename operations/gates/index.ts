/**
 * Prometheus gates for canaries: definitions and presets, template checking, the Prometheus
 * client, evaluation (pass / fail / no-data), chart series and automatic rollback.
 * vscode-free: used by the CLI and the extension.
 */
export { compileTemplate, positionOf, PLACEHOLDERS, type Placeholder, type QueryTemplate, type TemplateValues } from './template';
export {
  defineGate,
  parseThreshold,
  formatGateValue,
  DEFAULT_PRESET,
  ISTIO_PRESET,
  PRESETS,
  type GateDefinition,
  type GateSpec,
  type GateUnit,
  type QueryUnit,
  type PresetName,
} from './definitions';
export {
  displayPrometheusUrl,
  parseSampleValue,
  prometheusTokenKey,
  PrometheusClient,
  PrometheusError,
  type PrometheusFailure,
  type PrometheusOptions,
  type Sample,
  type Series,
} from './prometheus';
export {
  checkGates,
  gateSeries,
  DEFAULT_INTERVAL,
  type CheckOptions,
  type GateReport,
  type GateResult,
  type GateSeries,
  type GateTarget,
  type GateVerdict,
  type Measurement,
  type SeriesOptions,
} from './check';
export {
  loadGateSettings,
  gateSettingsFrom,
  resolveGateSettings,
  gateInputFromConfig,
  durationMs,
  DEFAULT_CONSECUTIVE_FAILURES,
  type GateSettings,
  type GateSettingsInput,
  type GateSettingsLayer,
} from './config';
export { AutoRollback, realScheduler, type AutoRollbackEvent, type AutoRollbackOptions, type Scheduler, type WatchedCanary } from './auto-rollback';
export { canaryGateCheck, prometheusGateCheck } from './hook';
export { canaryMonitor, type CanaryMonitorOptions } from './monitor';
