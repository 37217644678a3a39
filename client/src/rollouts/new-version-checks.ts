/**
 * The Rollouts view's configuration check of canaries not yet started (0 %): with
 * rolloutGuard.manifests.checkAgainstCluster on, the workspace folder's manifests (and the code
 * `workloads:` maps them to) are each canary's new version, checked against the cluster
 * (operations newVersionCheck) once per VirtualService version, so the view can mark it before the
 * first step.
 */
import * as vscode from 'vscode';
import { folderNewVersionCheck, type BlockingFinding, type Canary, type ClusterClient, type NewVersionCheck } from '../../../operations/cluster';

/**
 * With rolloutGuard.manifests.checkAgainstCluster: the workspace folder's manifests are the new
 * version, and its configuration file's `workloads:` the code they run (the one the language
 * server reads: rolloutGuard.configFile, else .rollout-guard.yaml).
 */
export function workspaceNewVersionCheck(client: ClusterClient, folder: string | undefined): NewVersionCheck | undefined {
  const settings = vscode.workspace.getConfiguration('rolloutGuard');
  if (!folder || !settings.get<boolean>('manifests.checkAgainstCluster', false)) return undefined;
  return folderNewVersionCheck(client, folder, settings.get<string>('configFile'));
}

export class NewVersionChecks {
  private readonly results = new Map<string, { resourceVersion: string; findings: BlockingFinding[] }>();
  private readonly running = new Set<string>();

  constructor(
    private readonly workspaceFolder: () => string | undefined,
    private readonly log: (line: string) => void,
    private readonly changed: () => void,
  ) {}

  /** Findings by canary id (only canaries at 0 % with findings). */
  get findings(): ReadonlyMap<string, readonly BlockingFinding[]> {
    return new Map([...this.results].filter(([, r]) => r.findings.length).map(([id, r]) => [id, r.findings]));
  }

  /** Checks the canaries at 0 % whose VirtualService changed since their last check. */
  sync(canaries: readonly Canary[], client: ClusterClient | undefined): void {
    const waiting = canaries.filter((c) => c.routes[0]?.canaryWeight === 0);
    const check = client && workspaceNewVersionCheck(client, this.workspaceFolder());
    if (!check) {
      if (this.results.size) this.results.clear();
      return;
    }
    const ids = new Set(waiting.map((c) => c.id));
    for (const id of this.results.keys()) if (!ids.has(id)) this.results.delete(id);
    for (const canary of waiting) {
      if (this.running.has(canary.id) || this.results.get(canary.id)?.resourceVersion === canary.resourceVersion) continue;
      this.running.add(canary.id);
      check(canary).then(
        (findings) => {
          this.results.set(canary.id, { resourceVersion: canary.resourceVersion, findings });
          this.running.delete(canary.id);
          this.changed();
        },
        (error: unknown) => {
          this.running.delete(canary.id);
          this.log(`configuration check of ${canary.id}: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    }
  }
}
