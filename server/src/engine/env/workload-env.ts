/**
 * Which environment variables a workload's containers get, for missing-env. The rule asks a
 * WorkloadEnvSource; the workspace's manifests answer (workspaceEnv), through the same lookups as
 * the manifest rules (deploy units first, generated ConfigMaps and Secrets included). An envFrom
 * source the workspace does not hold is unknown, never missing: `outside` (the live cluster's
 * ConfigMaps and Secrets, when one is configured) may answer for it.
 */
import type { EnvSource, OutsideKeys, WorkloadEnvSource } from './types';
import { generatedInfo, renderedSource } from '../kustomize/render';
import { Lookup, scopeOf, type NamespaceScope } from '../manifests/lookup';
import { asArray, asRecord, asString, containers, podTemplate } from '../manifests/model';
import { keysOf } from '../manifests/rules/dangling-config-reference';
import { SECRET_SOURCES } from '../manifests/references';
import { fileKey, type ManifestWorkspace } from '../manifests/workspace';
import { rangeAt, type ManifestObject, type Path } from '../manifests/yaml';
import type { RelatedLocation } from '../types';

/** The workspace's answer; its lookups are added to `uses` (so a change of the manifests re-checks the code). */
export function workspaceEnv(workspace: ManifestWorkspace, uses: Set<string>, outside?: OutsideKeys): WorkloadEnvSource {
  return {
    envOf(workload) {
      const copies = new Lookup(workspace, uses).all(workload.kind, workload.namespace).filter((o) => o.name === workload.name);
      const units = workspace.units();
      const renderings = copies.map((object) => units.renderings.find((r) => r.objects.includes(object)));
      // Copies in several deploy units (overlays) are told apart by their folders below the one they share.
      const roots = renderings.map((r) => (r ? r.root.dir.split(/[\\/]/) : []));
      let shared = 0;
      while (copies.length > 1 && roots.every((r) => r.length > shared + 1 && r[shared] === roots[0]![shared])) shared++;
      return copies.flatMap((object, i) => {
        const rendering = renderings[i];
        // A rendered copy changes with any file of its unit (a generator's literal, a patch).
        for (const file of rendering?.files ?? []) uses.add(fileKey(file));
        const env = environmentOf(object, new Lookup(workspace, uses, rendering?.objects), scopeOf(object) ?? workload.namespace, outside);
        if (!env) return [];
        const unit = copies.length > 1 && rendering ? ` in ${roots[i]!.slice(shared).join('/')}` : '';
        const namespace = object.namespaceWritten ? object.namespace : workload.namespace;
        return [
          {
            names: env.names,
            unknown: env.unknown,
            description: `${object.kind} ${namespace ? `${namespace}/` : ''}${object.name}${unit}`,
            location: locate(workspace, env.written, env.at),
          },
        ];
      });
    },
  };
}

function environmentOf(
  object: ManifestObject,
  lookup: Lookup,
  scope: NamespaceScope,
  outside: OutsideKeys | undefined,
): { names: Set<string>; unknown: EnvSource[]; at: Path; written: ManifestObject } | undefined {
  // An Argo Rollout with a workloadRef runs the referenced Deployment's pod template.
  const ref = object.kind === 'Rollout' ? asRecord(asRecord(object.data.spec).workloadRef) : {};
  const referenced = asString(ref.name) ? lookup.find(asString(ref.kind) ?? 'Deployment', scope, asString(ref.name)!) : undefined;
  const template = podTemplate(object) ?? (referenced && podTemplate(referenced));
  if (!template) return undefined;
  const names = new Set<string>();
  const unknown: EnvSource[] = [];
  const list = containers(template);
  for (const { container } of list) {
    for (const env of asArray(container.env)) {
      const name = asString(asRecord(env).name);
      if (name) names.add(name);
    }
    for (const source of asArray(container.envFrom)) {
      const prefix = asString(asRecord(source).prefix) ?? '';
      for (const [field, kind] of [
        ['configMapRef', 'ConfigMap'],
        ['secretRef', 'Secret'],
      ] as const) {
        const name = asString(asRecord(asRecord(source)[field]).name);
        if (!name) continue;
        const keys = sourceKeys(lookup, kind, scope, name, outside);
        if (keys) for (const key of keys) names.add(prefix + key);
        else unknown.push({ kind, ...(scope ? { namespace: scope } : {}), name });
      }
    }
  }
  const withEnv = list.find((c) => c.container.env !== undefined || c.container.envFrom !== undefined);
  const at: Path = withEnv ? [...withEnv.path, withEnv.container.env !== undefined ? 'env' : 'envFrom'] : ['metadata', 'name'];
  return { names, unknown, at, written: podTemplate(object) ? object : referenced! };
}

/** The keys of an envFrom source: from the workspace, else from outside; undefined when unknown. */
function sourceKeys(
  lookup: Lookup,
  kind: 'ConfigMap' | 'Secret',
  scope: NamespaceScope,
  name: string,
  outside: OutsideKeys | undefined,
): ReadonlySet<string> | undefined {
  const kinds = kind === 'ConfigMap' ? ['ConfigMap'] : SECRET_SOURCES;
  for (const k of kinds) {
    const found = lookup.find(k, scope, name);
    if (!found) continue;
    // A SealedSecret or ExternalSecret, or generated from a file the workspace does not hold: keys unknown.
    return found.kind === kind && !generatedInfo(found)?.keysUnknown ? keysOf(found) : undefined;
  }
  return scope ? outside?.(kind, scope, name) : undefined;
}

/** A path of a workspace object (or of a rendered one: where it was written) as a related location. */
function locate(workspace: ManifestWorkspace, object: ManifestObject, path: Path): RelatedLocation {
  const source = renderedSource(object, path) ?? { object, path };
  const range = rangeAt(source.object, source.path, 'key');
  return {
    file: source.object.file,
    start: workspace.position(source.object.file, range.start),
    end: workspace.position(source.object.file, range.end),
    message: `${object.kind} ${object.name}: the environment its containers get`,
  };
}
