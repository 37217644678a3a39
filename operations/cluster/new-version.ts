/**
 * A canary's new version, checked before traffic reaches it: the workspace manifests of the
 * canary's workloads (its canary destinations' Deployments and Rollouts) linted against the live
 * cluster. Findings of the rules in CANARY_BLOCKING_RULES refuse a move past 0 % (changeCanary).
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeFile, defaultSettings, fileKind, LineIndex, ManifestWorkspace, type EngineSettings } from '../../server/src/engine';
import type { ClusterClient } from './client';
import type { Canary } from './model';
import { resolveReferences } from './references';

/** Rules whose findings on a canary's new version stop it from getting traffic (error findings only). */
export const CANARY_BLOCKING_RULES: readonly string[] = ['dangling-config-reference'];

export interface BlockingFinding {
  rule: string;
  /** Path of the manifest, as given. */
  file: string;
  /** 1-based. */
  line: number;
  /** "Deployment reviews-v2", the workload the finding is on. */
  workload: string;
  message: string;
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
 * The blocking findings (CANARY_BLOCKING_RULES, errors) on the canary's canary-side workloads as
 * the workspace writes them, with references resolved against the cluster.
 */
export function newVersionCheck(client: ClusterClient, workspace: ManifestWorkspace, settings: EngineSettings = defaultSettings): NewVersionCheck {
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
    return out;
  };
}
