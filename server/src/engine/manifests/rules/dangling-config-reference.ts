import { asRecord } from '../model';
import type { ManifestReport, ManifestRule } from '../rule';
import { generatedInfo } from '../../kustomize/render';
import { scopeOf } from '../lookup';
import {
  clusterNamespaceOf,
  configReferences,
  findInWorkspace,
  PUBLISHED_CONFIGMAPS,
  SECRET_SOURCES,
  referenceId,
  REFERRING_KINDS,
  type ClusterAnswer,
  type ClusterView,
  type ConfigReference,
  type ReferencedKind,
} from '../references';
import type { ManifestObject, Path } from '../yaml';
import { describeObject } from './_pod';

const PLURAL: Record<ReferencedKind, string> = {
  ConfigMap: 'ConfigMaps',
  Secret: 'Secrets',
  ServiceAccount: 'ServiceAccounts',
  PersistentVolumeClaim: 'PersistentVolumeClaims',
};

export const danglingConfigReference: ManifestRule = {
  id: 'dangling-config-reference',
  severity: 'error',
  summary:
    'A pod references a ConfigMap or Secret (or a key of one) that is not in the workspace (with --cluster: nor in the cluster, and also ServiceAccounts, PVCs, pull and TLS secrets): the new pods never start.',
  kinds: REFERRING_KINDS,
  check(object, ctx, report) {
    const scope = scopeOf(object);
    const cluster = ctx.lookup.cluster;
    // Many repositories keep Secrets out of git; without a cluster, only check them where the deploy unit manages Secrets
    // (another app of the repository keeping its Secrets in git says nothing of this one's).
    const secretsManaged = cluster !== undefined || SECRET_SOURCES.some((kind) => ctx.lookup.unitHas(kind, scope));
    for (const ref of configReferences(object)) {
      if (ref.optional || (!cluster && (ref.clusterOnly || (ref.kind === 'Secret' && !secretsManaged) || isPublished(ref)))) continue;
      const target = findInWorkspace(ctx.lookup, ref, scope);
      if (target) {
        if (target.kind !== ref.kind) continue; // a SealedSecret/ExternalSecret: its keys are not readable here
        if (generatedInfo(target)?.keysUnknown) continue; // generated from a file the workspace does not hold
        const available = keysOf(target);
        for (const { key, path } of ref.keys) {
          if (available.has(key)) continue;
          report(missingKey(object, ref, key, path, target, available));
        }
      } else if (cluster) checkInCluster(object, ref, cluster, report);
      else
        report({
          path: ref.namePath,
          message: `${describeObject(object)} uses ${ref.kind} ${ref.name}, which is not in the workspace${scope ? ` (namespace ${scope})` : ''}: new pods stay in CreateContainerConfigError (or ContainerCreating for a volume) and the rollout stalls. Add the ${ref.kind}, fix the name, or mark the reference optional.`,
        });
    }
  },
};

/** A ConfigMap every namespace has (see PUBLISHED_CONFIGMAPS): only a cluster can say otherwise. */
const isPublished = (ref: ConfigReference): boolean => ref.kind === 'ConfigMap' && PUBLISHED_CONFIGMAPS.has(ref.name);

/** After the workspace, the live namespace (and, for a Gateway credential, the gateway's). */
function checkInCluster(object: ManifestObject, ref: ConfigReference, cluster: ClusterView, report: (finding: ManifestReport) => void): void {
  const answers = [clusterNamespaceOf(object, cluster), ...(ref.alsoIn ?? [])].map((namespace) => ({
    namespace,
    answer: cluster.lookup(ref.kind, namespace, ref.name),
  }));
  const found = answers.find((a): a is { namespace: string; answer: Extract<ClusterAnswer, { state: 'found' }> } => a.answer.state === 'found');
  const where = (namespace: string): string => `cluster ${cluster.context}/${namespace}`;
  if (found) {
    const keys = found.answer.keys;
    if (!keys) return;
    for (const { key, path } of ref.keys) {
      if (keys.includes(key)) continue;
      report({
        path,
        message: `${describeObject(object)} reads key \`${key}\` of ${ref.kind} ${ref.name}: not in the workspace, and ${ref.kind} ${ref.name} in ${where(found.namespace)} has no key \`${key}\`${keys.length ? ` (it has: ${keys.join(', ')})` : ' (it has no keys)'}: new pods fail to start. Add the key or fix the reference.`,
      });
    }
    return;
  }
  const unknown = answers.filter((a) => a.answer.state === 'unknown');
  if (unknown.length) {
    // What cannot be read is never "missing": one note per kind and namespace, on its first reference.
    for (const { namespace, answer } of unknown)
      if (answer.state === 'unknown' && answer.noticeAt === referenceId(object, ref))
        report({
          path: ref.namePath,
          severity: 'info',
          message: `cannot check ${PLURAL[ref.kind]} in ${namespace} (${where(namespace)}): ${answer.reason}. References to them were not checked against the cluster.`,
        });
    return;
  }
  report({
    path: ref.namePath,
    message: `${describeObject(object)} uses ${ref.kind} ${ref.name}: not in the workspace, nor in ${answers.map((a) => where(a.namespace)).join(' or ')}: new pods stay in CreateContainerConfigError (or ContainerCreating for a volume) and the rollout stalls. Create the ${ref.kind}, fix the name, or mark the reference optional.`,
  });
}

function missingKey(object: ManifestObject, ref: ConfigReference, key: string, path: Path, target: ManifestObject, available: Set<string>): ManifestReport {
  // A generated ConfigMap by the name its generator gives (the hash suffix here is not kustomize's).
  const name = generatedInfo(target)?.name ?? ref.name;
  return {
    path,
    message: `${describeObject(object)} reads key \`${key}\` of ${ref.kind} ${name}, which has no such key${available.size ? ` (it has: ${[...available].join(', ')})` : ''}: new pods fail to start. Add the key or fix the reference.`,
    related: [{ object: target, path: ['metadata', 'name'], message: `${ref.kind} ${name}` }],
  };
}

export function keysOf(target: ManifestObject): Set<string> {
  const data = target.data;
  return new Set([...Object.keys(asRecord(data.data)), ...Object.keys(asRecord(data.binaryData)), ...Object.keys(asRecord(data.stringData))]);
}
