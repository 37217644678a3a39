/**
 * `check --cluster`: the workspace's references resolved against the live cluster after the
 * workspace (operations/cluster/references), and with `--dry-run-server` every object sent to the
 * API server as a server-side apply with dryRun=All. Loaded with the other cluster commands
 * (cli/src/operations.ts), so a plain `check` never parses the Kubernetes client.
 */
import { ClusterClient, ClusterError, type KubeObject } from '../../operations/cluster';
import { resolveReferences } from '../../operations/cluster/references';
import type { Finding, ManifestWorkspace, OutsideKeys } from '../../server/src/engine';
import { rangeAt, type ManifestObject } from '../../server/src/engine/manifests/yaml';
import type { CliIo } from './io';

export interface ClusterCheckOptions {
  kubeconfig?: string;
  context?: string;
  /** Namespace of manifests that write none (default: the context's, else default). */
  namespace?: string;
  requestTimeoutMs?: number;
  dryRunServer: boolean;
}

/** The field manager named in dry-run applies (what the API server would record as the writer). */
const FIELD_MANAGER = 'rollout-guard';

/**
 * Gives the workspace its cluster view and returns the cluster's key names for missing-env; with
 * --dry-run-server, the API server's answer for every object as findings by file. A connection problem (unreachable, 401, bad kubeconfig) is exit 2
 * with the message on stderr.
 */
export async function clusterCheck(
  workspace: ManifestWorkspace,
  options: ClusterCheckOptions,
  io: CliIo,
): Promise<{ exit: number } | { dryRunFindings: Map<string, Finding[]>; outside: OutsideKeys }> {
  try {
    const client = ClusterClient.fromKubeconfig({
      kubeconfig: options.kubeconfig,
      context: options.context,
      env: io.env,
      cwd: io.cwd,
      trusted: true,
      requestTimeoutMs: options.requestTimeoutMs,
    });
    const { view } = await resolveReferences(client, workspace, { namespace: options.namespace });
    workspace.setCluster(view);
    const dryRunFindings = new Map<string, Finding[]>();
    if (options.dryRunServer) await dryRun(client, workspace, options.namespace ?? client.defaultNamespace ?? 'default', dryRunFindings);
    return { dryRunFindings, outside: (kind, namespace, name) => view.keysOf(kind, namespace, name) };
  } catch (error) {
    if (error instanceof ClusterError && error.isConnectionProblem) {
      io.stderr.write(`rollout-guard: --cluster: ${error.message}\n`);
      return { exit: 2 };
    }
    throw error;
  }
}

/** Each object of the checked files (as written; kustomize overlays as rendered) applied with dryRun=All, one at a time. */
async function dryRun(client: ClusterClient, workspace: ManifestWorkspace, defaultNamespace: string, out: Map<string, Finding[]>): Promise<void> {
  const units = workspace.units();
  const objects = [...workspace.fileNames.filter((f) => !units.isRendered(f)).flatMap((f) => workspace.objects(f)), ...units.renderedObjects];
  const add = (object: ManifestObject, finding: Omit<Finding, 'start' | 'end' | 'rule'>): void => {
    const at = rangeAt(object, ['metadata', 'name']);
    out.set(object.file, [...(out.get(object.file) ?? []), { rule: 'server-dry-run', start: at.start, end: at.end, ...finding }]);
  };
  // The user may not patch a kind in a namespace (RBAC): one note there, not one error per object.
  const unauthorized = new Set<string>();
  for (const object of objects) {
    if (!object.name || !object.kind) continue;
    const namespace = object.namespaceWritten ? object.namespace : defaultNamespace;
    const scope = `${object.kind}/${namespace}`;
    if (unauthorized.has(scope)) continue;
    const metadata = (object.data.metadata ?? {}) as KubeObject['metadata'];
    const body = { ...object.data, metadata: { ...metadata, namespace } } as KubeObject;
    try {
      await client.applyDryRun(body, FIELD_MANAGER);
    } catch (error) {
      if (!(error instanceof ClusterError) || error.kind === 'unreachable' || error.kind === 'unauthorized' || error.kind === 'kubeconfig') throw error;
      // The authorizer's wording ("User … cannot patch resource …"), as opposed to admission or quota refusals.
      if (error.kind === 'forbidden' && /\bcannot patch resource\b/.test(error.message)) {
        unauthorized.add(scope);
        add(object, {
          severity: 'info',
          message: `cannot dry-run ${object.kind} objects in ${namespace} on ${client.context}: the kubeconfig user may not patch them there (${error.message}). They were not checked by the API server.`,
        });
        continue;
      }
      add(object, { severity: 'error', message: `The API server (${client.context}) would refuse ${object.kind} ${object.name}: ${error.message}` });
    }
  }
}
