/** What rules on application code (TS/JS) are given: the file, and the workloads that run it. */
import type { WorkloadEnvSource, WorkloadMapping } from '../env/types';
import type { EngineSettings, RelatedLocation, RuleMeta, Severity } from '../types';

/** The `workloads:` of .rollout-guard.yaml and what answers for them. */
export interface WorkloadsContext {
  workloads: readonly WorkloadMapping[];
  /** The configuration file's folder, which sources are relative to, written as file names are (a path or a URI). */
  configDir: string;
  /** The text of another code file (a helper's), if it can be read. */
  codeText(file: string): string | undefined;
}

export interface CodeContext extends WorkloadsContext {
  settings: EngineSettings;
  env: WorkloadEnvSource;
}

/** A finding of a code rule: offsets in the file; `severity` when milder than the rule's (a hint-level case). */
export interface CodeReport {
  start: number;
  end: number;
  message: string;
  severity?: Severity;
  related?: RelatedLocation[];
}

export interface CodeRule extends RuleMeta {
  check(fileName: string, text: string, ctx: CodeContext, report: (finding: CodeReport) => void): void;
}
