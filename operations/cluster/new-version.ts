/**
 * A canary's new version, checked before traffic reaches it: the workspace manifests of the
 * canary's workloads (its canary destinations' Deployments and Rollouts) linted against the live
 * cluster, and the code those workloads run (`workloads:` of .rollout-guard.yaml) against the
 * environment they get (missing-env). Findings of the rules in CANARY_BLOCKING_RULES refuse a move
 * past 0 % (changeCanary).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  decodeFile,
  defaultSettings,
  fileKind,
  LineIndex,
  lintText,
  ManifestWorkspace,
  runsInWorkload,
  type EngineSettings,
  type OutsideKeys,
  type WorkloadMapping,
  type WorkloadsContext,
} from '../../server/src/engine';
import { loadFolderConfig, type LoadedConfig } from '../../server/src/workspace/config-file';
import type { ClusterClient } from './client';
import type { Canary } from './model';
import { resolveReferences } from './references';

/** Rules whose findings on a canary's new version stop it from getting traffic (error findings only). */
export const CANARY_BLOCKING_RULES: readonly string[] = ['dangling-config-reference', 'missing-env'];

export interface BlockingFinding {
  rule: string;
  /** Path of the manifest, as given; of a code file (missing-env), relative to the configuration file's folder. */
  file: string;
  /** 1-based. */
  line: number;
  /** "Deployment reviews-v2", the workload the finding is on. */
  workload: string;
  message: string;
  /** missing-env: the environment variable the new version reads and its workload does not set. */
  needs?: string;
}

/** The code the canary's workloads run: `workloads:` of the configuration, sources relative to `configDir`. */
export interface NewVersionCode {
  workloads: readonly WorkloadMapping[];
  configDir: string;
}

/** The `workloads:` of a configuration file read (none: no code to check). */
export function newVersionCodeOf(config: LoadedConfig | undefined): NewVersionCode | undefined {
  const workloads = config?.sections.workloads;
  return config && workloads?.length ? { workloads, configDir: path.dirname(config.path) } : undefined;
}

/** One line for a finding: "Deployment checkout-v2 needs PAYMENTS_URL, not set (src/checkout/pay.ts:12)". */
export function describeFinding(finding: BlockingFinding): string {
  return finding.needs
    ? `${finding.workload} needs ${finding.needs}, not set (${finding.file}:${finding.line})`
    : `${finding.workload} (${finding.file}:${finding.line}): ${finding.message.replace(/\.$/, '')}`;
}

/** Checks the canary's new version; the argument of CanaryChangeOptions.newVersionCheck. */
export type NewVersionCheck = (canary: Canary) => Promise<BlockingFinding[]>;

/** The YAML files below `dir` (recursively), as one workspace. */
export function readManifestFolder(dir: string): ManifestWorkspace {
  const workspace = new ManifestWorkspace();
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(full);
      else if (entry.isFile() && fileKind(entry.name) === 'yaml') {
        const decoded = decodeFile(fs.readFileSync(full));
        if (decoded.ok) workspace.update(full, decoded.text);
      }
    }
  };
  walk(dir);
  return workspace;
}

/**
 * The editor's check of a workspace folder: its manifests are the new version, its configuration
 * file (`configured`, else .rollout-guard.yaml) says which code the workloads run.
 */
export function folderNewVersionCheck(client: ClusterClient, folder: string, configured: string | undefined): NewVersionCheck {
  // Read when the check runs: an invalid configuration file rejects the check, like an unreachable cluster.
  return async (canary) => newVersionCheck(client, readManifestFolder(folder), newVersionCodeOf(loadFolderConfig(folder, configured)))(canary);
}

/**
 * The blocking findings (CANARY_BLOCKING_RULES, errors) on the canary's canary-side workloads as
 * the workspace writes them, with references resolved against the cluster; with `code`, the
 * missing-env findings of the code those workloads run.
 */
export function newVersionCheck(
  client: ClusterClient,
  workspace: ManifestWorkspace,
  code?: NewVersionCode,
  settings: EngineSettings = defaultSettings,
): NewVersionCheck {
  return async (canary) => {
    const wanted = new Set(
      canary.routes.flatMap((r) =>
        r.destinations.filter((d) => d.role === 'canary').flatMap((d) => d.workloads.map((w) => `${w.kind}/${w.namespace}/${w.name}`)),
      ),
    );
    if (!wanted.size) return [];
    const { view } = await resolveReferences(client, workspace, { namespace: canary.namespace });
    workspace.setCluster(view);
    const out: BlockingFinding[] = [];
    for (const file of workspace.fileNames) {
      const objects = workspace.objects(file).filter((o) => wanted.has(`${o.kind}/${o.namespaceWritten ? o.namespace : canary.namespace}/${o.name}`));
      if (!objects.length) continue;
      const lines = new LineIndex(workspace.text(file) ?? '');
      for (const finding of workspace.lint(file, settings)) {
        if (finding.severity !== 'error' || !CANARY_BLOCKING_RULES.includes(finding.rule)) continue;
        const object = objects.find((o) => finding.start >= o.start && finding.start <= o.end);
        if (object)
          out.push({
            rule: finding.rule,
            file,
            line: lines.position(finding.start).line + 1,
            workload: `${object.kind} ${object.name}`,
            message: finding.message,
          });
      }
    }
    if (code) out.push(...missingEnvOf(canary, wanted, workspace, (kind, namespace, name) => view.keysOf(kind, namespace, name), code, settings));
    return out;
  };
}

/**
 * missing-env on the code of the `workloads:` entries that are the canary's new version, against the
 * environment the workspace gives them (envFrom sources it lacks answered by the cluster: `outside`).
 */
function missingEnvOf(
  canary: Canary,
  wanted: ReadonlySet<string>,
  workspace: ManifestWorkspace,
  outside: OutsideKeys,
  code: NewVersionCode,
  settings: EngineSettings,
): BlockingFinding[] {
  const texts = new Map<string, string | undefined>();
  const codeText = (file: string): string | undefined => {
    if (!texts.has(file)) {
      const decoded = fs.existsSync(file) ? decodeFile(fs.readFileSync(file)) : undefined;
      texts.set(file, decoded?.ok ? decoded.text : undefined);
    }
    return texts.get(file);
  };
  const out: BlockingFinding[] = [];
  for (const mapping of code.workloads) {
    if (!wanted.has(`${mapping.kind}/${mapping.namespace ?? canary.namespace}/${mapping.name}`)) continue;
    const context: WorkloadsContext = { workloads: [mapping], configDir: code.configDir, codeText };
    for (const file of sourceFiles(code.configDir, mapping.source).filter((f) => runsInWorkload(context, f))) {
      const text = codeText(file);
      if (text === undefined) continue;
      const lines = new LineIndex(text);
      const findings = lintText({
        fileName: file,
        text,
        settings,
        workspace,
        workloads: { ...context, outside },
        sqlInCode: false,
      });
      for (const finding of findings) {
        if (finding.rule !== 'missing-env' || finding.severity !== 'error') continue;
        out.push({
          rule: finding.rule,
          file: path.relative(code.configDir, file).split(path.sep).join('/'),
          line: lines.position(finding.start).line + 1,
          workload: `${mapping.kind} ${mapping.name}`,
          message: finding.message,
          // The read's token: NAME of process.env.NAME, or the string 'NAME' of process.env['NAME'] and requireEnv('NAME').
          needs: text.slice(finding.start, finding.end).replace(/^['"`]|['"`]$/g, ''),
        });
      }
    }
  }
  return out;
}

/** The TS/JS files below the folders a `source:` list starts from (a glob's folder before its first wildcard). */
function sourceFiles(configDir: string, sources: readonly string[]): string[] {
  const files = new Set<string>();
  const walk = (folder: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(full);
      else if (entry.isFile() && fileKind(entry.name) === 'code') files.add(full);
    }
  };
  for (const source of sources) {
    const fixed = source.split('/').findIndex((part) => /[*?[{]/.test(part));
    walk(path.join(configDir, ...(fixed < 0 ? source.split('/') : source.split('/').slice(0, fixed))));
  }
  return [...files].sort();
}
