import type { EngineSettings, RuleMeta, Severity } from './types';
import { manifestRules } from './manifests/rules';
import { sqlRules } from './sql/rules';
import { mysqlRules } from './mysql/rules';
import { codeRules } from './code/rules';
import { flagRules } from './flags/rules';

export interface RuleInfo {
  id: string;
  severity: Severity;
  summary: string;
  /** Which files the rule looks at. */
  language: 'sql' | 'yaml' | 'code' | 'any';
  /** SQL dialects with an implementation of the rule (one id, one meaning, per dialect). */
  dialects?: ('postgres' | 'mysql')[];
  /** An error in every migration phase before contract, whatever its configured severity (see RuleMeta). */
  destructive?: boolean;
  /** Reports once per file (see RuleMeta). */
  oncePerFile?: boolean;
}

/** Findings the engine itself reports, with docs pages like any rule. */
const engineRules: RuleInfo[] = [
  { id: 'syntax-error', severity: 'error', summary: 'The statement does not parse; the rest of the file is still checked.', language: 'any' },
  { id: 'internal-error', severity: 'error', summary: 'A rule failed on this input; the other rules still ran. Please report it.', language: 'any' },
  {
    id: 'invalid-switch-marker',
    severity: 'error',
    summary: 'A `rollout-guard: switch flag=…` marker the migration runner cannot read, or one outside the switch phase.',
    language: 'sql',
    dialects: ['postgres'],
  },
  { id: 'unused-ignore', severity: 'info', summary: 'A rollout-guard-ignore names an unknown rule or suppresses nothing.', language: 'any' },
  {
    id: 'server-dry-run',
    severity: 'error',
    summary: 'With check --cluster --dry-run-server: the API server refuses the object (admission, quota, immutable field, schema).',
    language: 'yaml',
  },
  { id: 'unreadable-file', severity: 'error', summary: 'The file could not be read: binary, not UTF-8, too large, or not readable.', language: 'any' },
  {
    id: 'too-many-findings',
    severity: 'info',
    summary: 'The editor shows the first findings of a file with very many, errors first, and says how many it leaves out.',
    language: 'any',
  },
  { id: 'duplicate-key', severity: 'error', summary: 'A YAML key written twice in one mapping: kubectl refuses the file.', language: 'yaml' },
  {
    id: 'yaml-alias-limit',
    severity: 'error',
    summary: 'YAML aliases that expand beyond 1,000 nodes (a "billion laughs" pattern): not checked, and refused by Kubernetes.',
    language: 'yaml',
  },
  { id: 'template-skipped', severity: 'info', summary: 'A YAML file with {{ … }} templates (Helm) is not checked until rendered.', language: 'yaml' },
  {
    id: 'kustomize-skipped',
    severity: 'info',
    summary: 'A part of a kustomization that is not rendered (remote resource, unmodelled field, file not checked): its objects are unknown, not missing.',
    language: 'yaml',
  },
  {
    id: 'helm-chart-not-rendered',
    severity: 'info',
    summary: 'A Helm chart (a folder with Chart.yaml) is not rendered: what it creates is unknown, not missing.',
    language: 'yaml',
  },
  {
    id: 'invalid-config',
    severity: 'error',
    summary: 'The .rollout-guard.yaml configuration file has an error; the other settings still apply.',
    language: 'yaml',
  },
  {
    id: 'unknown-workload',
    severity: 'warning',
    summary: 'A workload of `workloads:` in .rollout-guard.yaml is not among the manifests: the code of its sources is not checked against it.',
    language: 'yaml',
  },
];

function buildRegistry(): Map<string, RuleInfo> {
  const all = new Map<string, RuleInfo>();
  const add = (info: RuleInfo): void => {
    if (all.has(info.id)) throw new Error(`Duplicate rule id ${info.id}`);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(info.id)) throw new Error(`Rule id ${info.id} is not kebab-case`);
    all.set(info.id, info);
  };
  engineRules.forEach(add);
  const info = (r: RuleMeta, language: RuleInfo['language'], dialect?: 'postgres' | 'mysql'): RuleInfo => ({
    id: r.id,
    severity: r.severity,
    summary: r.summary,
    language,
    ...(dialect ? { dialects: [dialect] } : {}),
    ...(r.destructive ? { destructive: true } : {}),
    ...(r.oncePerFile ? { oncePerFile: true } : {}),
  });
  sqlRules.forEach((r) => add(info(r, 'sql', 'postgres')));
  // A MySQL rule reuses the PostgreSQL id of the same check (with the same properties); ids new to MySQL are added.
  const mysqlIds = new Set<string>();
  for (const r of mysqlRules) {
    if (mysqlIds.has(r.id)) throw new Error(`Duplicate MySQL rule id ${r.id}`);
    mysqlIds.add(r.id);
    const existing = all.get(r.id);
    if (!existing) add(info(r, 'sql', 'mysql'));
    else if (!!existing.destructive !== !!r.destructive) throw new Error(`Rule ${r.id} is destructive in one dialect only`);
    else existing.dialects = [...(existing.dialects ?? []), 'mysql'];
  }
  manifestRules.forEach((r) => add(info(r, 'yaml')));
  codeRules.forEach((r) => add(info(r, 'code')));
  flagRules.forEach((r) => add(info(r, 'code')));
  return all;
}

/** Every rule by id. Registering a duplicate id throws at load. */
export const ruleRegistry: ReadonlyMap<string, RuleInfo> = buildRegistry();
export const allRuleIds: ReadonlySet<string> = new Set(ruleRegistry.keys());

/**
 * Squawk's ids for checks that Rollout Guard names differently (docs/peers.md): accepted wherever a
 * rule id is written (suppression comments, `rules:` in the configuration and the editor settings).
 */
export const RULE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['adding-serial-primary-key-field', 'adding-primary-key-constraint'],
  ['prefer-timestamp-tz', 'prefer-timestamptz'],
]);
for (const [alias, id] of RULE_ALIASES) {
  if (allRuleIds.has(alias) || !allRuleIds.has(id)) throw new Error(`Rule alias ${alias} must name an existing rule and be no rule id itself`);
}

/** The rule id an id as written stands for: itself, or the rule it is an alias of. */
export const canonicalRuleId = (id: string): string => RULE_ALIASES.get(id) ?? id;

/** A severity from the configuration (`off`: undefined), else `fallback`. */
export function configuredSeverity(id: string, fallback: Severity, settings: EngineSettings): Severity | undefined {
  const configured = settings.rules[id];
  return configured === 'off' ? undefined : (configured ?? fallback);
}

/** The severity of a finding the engine reports itself (syntax-error, unused-ignore, …): configured, else the registry's. */
export function engineSeverity(id: string, settings: EngineSettings): Severity | undefined {
  return configuredSeverity(id, ruleRegistry.get(id)!.severity, settings);
}
