/** The shape of a manifest rule and what it reports. */
import type { EngineSettings, RuleMeta, Severity } from '../types';
import type { Lookup } from './lookup';
import type { ManifestObject, Path } from './yaml';

export interface ManifestEdit {
  start: number;
  end: number;
  newText: string;
}

export interface ManifestReport {
  /** Path of the key or value at fault inside the object. */
  path: Path;
  /** Squiggle the key (a missing or unknown field) or the value (a wrong value). Default: value. */
  on?: 'key' | 'value';
  message: string;
  /** This finding's severity when it is milder than the rule's (a configured rule severity still wins). */
  severity?: Severity;
  fixes?: { title: string; edits: ManifestEdit[]; preferred?: boolean }[];
  /** Places in this or other files that explain the finding. */
  related?: { object: ManifestObject; path: Path; message: string }[];
}

export interface ManifestContext {
  settings: EngineSettings;
  lookup: Lookup;
  /** Text of the file being linted, for building fixes. */
  text: string;
}

export interface ManifestRule extends RuleMeta {
  check(object: ManifestObject, ctx: ManifestContext, report: (finding: ManifestReport) => void): void;
}
