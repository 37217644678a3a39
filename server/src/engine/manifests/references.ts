/**
 * The objects a manifest needs to exist before its pods (or its gateway) work: ConfigMaps,
 * Secrets and their keys, ServiceAccounts, PersistentVolumeClaims. One list, read by the
 * `dangling-config-reference` rule (workspace, then cluster) and by operations/cluster/references
 * (which kinds and namespaces to read from a cluster).
 */
import { asArray, asRecord, asString, containers, get, podTemplate, type Json } from './model';
import type { ManifestObject, Path } from './yaml';

export type ReferencedKind = 'ConfigMap' | 'Secret' | 'ServiceAccount' | 'PersistentVolumeClaim';

export interface ConfigReference {
  kind: ReferencedKind;
  name: string;
  /** Where the name is written in the object. */
  namePath: Path;
  optional: boolean;
  /** Keys the reference needs, with where each is written. */
  keys: { key: string; path: Path }[];
  /** envFrom: the whole object becomes environment variables, each key with this prefix. */
  envFrom?: { prefix: string };
  /** Namespaces, besides the referring object's own, where the object may live (an Istio Gateway's credential: the gateway workload's). */
  alsoIn?: string[];
  /** Only checked against a cluster: the workspace-only check has always left these alone. */
  clusterOnly: boolean;
}

/** Objects that become a Secret of the same name (sealed-secrets, external-secrets). */
export const SECRET_SOURCES = ['Secret', 'SealedSecret', 'ExternalSecret'];

/** Kinds whose references configReferences reads. */
export const REFERRING_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Rollout', 'Ingress', 'Gateway'];

/** Namespace the Istio ingress gateway runs in unless a Gateway says otherwise (its own namespace is tried first). */
const ISTIO_GATEWAY_NAMESPACE = 'istio-system';

/** Every reference of a workload's pod template, an Ingress's TLS secrets, an Istio Gateway's credentials. */
export function configReferences(object: ManifestObject): ConfigReference[] {
  if (object.kind === 'Ingress') return ingressReferences(object);
  if (object.kind === 'Gateway' && object.apiVersion.startsWith('networking.istio.io/')) return gatewayReferences(object);
  const template = podTemplate(object);
  return template ? podReferences(template.path, template.spec) : [];
}

function podReferences(specPath: Path, spec: Json): ConfigReference[] {
  const out: ConfigReference[] = [];
  const template = { path: specPath, spec, labels: {} };
  for (const c of containers(template, true)) {
    asArray(c.container.env).forEach((env, i) => {
      const valueFrom = asRecord(asRecord(env).valueFrom);
      for (const [field, kind] of [
        ['configMapKeyRef', 'ConfigMap'],
        ['secretKeyRef', 'Secret'],
      ] as const) {
        const ref = asRecord(valueFrom[field]);
        const name = asString(ref.name);
        if (!name) continue;
        const at: Path = [...c.path, 'env', i, 'valueFrom', field];
        const key = asString(ref.key);
        out.push({
          kind,
          name,
          namePath: [...at, 'name'],
          optional: ref.optional === true,
          keys: key ? [{ key, path: [...at, 'key'] }] : [],
          clusterOnly: false,
        });
      }
    });
    asArray(c.container.envFrom).forEach((source, i) => {
      const prefix = asString(asRecord(source).prefix) ?? '';
      for (const [field, kind] of [
        ['configMapRef', 'ConfigMap'],
        ['secretRef', 'Secret'],
      ] as const) {
        const ref = asRecord(asRecord(source)[field]);
        const name = asString(ref.name);
        if (name)
          out.push({
            kind,
            name,
            namePath: [...c.path, 'envFrom', i, field, 'name'],
            optional: ref.optional === true,
            keys: [],
            envFrom: { prefix },
            clusterOnly: false,
          });
      }
    });
  }
  asArray(spec.volumes).forEach((volume, i) => {
    const v = asRecord(volume);
    const at: Path = [...specPath, 'volumes', i];
    volumeSource(out, asRecord(v.configMap), 'ConfigMap', 'name', [...at, 'configMap']);
    volumeSource(out, asRecord(v.secret), 'Secret', 'secretName', [...at, 'secret']);
    asArray(asRecord(v.projected).sources).forEach((source, j) => {
      const s = asRecord(source);
      volumeSource(out, asRecord(s.configMap), 'ConfigMap', 'name', [...at, 'projected', 'sources', j, 'configMap']);
      volumeSource(out, asRecord(s.secret), 'Secret', 'name', [...at, 'projected', 'sources', j, 'secret']);
    });
    const claimName = asString(asRecord(v.persistentVolumeClaim).claimName);
    if (claimName)
      out.push({
        kind: 'PersistentVolumeClaim',
        name: claimName,
        namePath: [...at, 'persistentVolumeClaim', 'claimName'],
        optional: false,
        keys: [],
        clusterOnly: true,
      });
  });
  asArray(spec.imagePullSecrets).forEach((entry, i) => {
    const name = asString(asRecord(entry).name);
    if (name) out.push({ kind: 'Secret', name, namePath: [...specPath, 'imagePullSecrets', i, 'name'], optional: false, keys: [], clusterOnly: true });
  });
  const account = asString(spec.serviceAccountName);
  // `default` exists in every namespace (the controller creates it).
  if (account && account !== 'default')
    out.push({ kind: 'ServiceAccount', name: account, namePath: [...specPath, 'serviceAccountName'], optional: false, keys: [], clusterOnly: true });
  return out;
}

function volumeSource(out: ConfigReference[], source: Json, kind: 'ConfigMap' | 'Secret', nameField: string, at: Path): void {
  const name = asString(source[nameField]);
  if (!name) return;
  const keys = asArray(source.items)
    .map((item, k) => ({ key: asString(asRecord(item).key), path: [...at, 'items', k, 'key'] as Path }))
    .filter((k): k is { key: string; path: Path } => k.key !== undefined);
  out.push({ kind, name, namePath: [...at, nameField], optional: source.optional === true, keys, clusterOnly: false });
}

function ingressReferences(object: ManifestObject): ConfigReference[] {
  const out: ConfigReference[] = [];
  asArray(asRecord(object.data.spec).tls).forEach((tls, i) => {
    const name = asString(asRecord(tls).secretName);
    if (name) out.push({ kind: 'Secret', name, namePath: ['spec', 'tls', i, 'secretName'], optional: false, keys: [], clusterOnly: true });
  });
  return out;
}

function gatewayReferences(object: ManifestObject): ConfigReference[] {
  const out: ConfigReference[] = [];
  asArray(asRecord(object.data.spec).servers).forEach((server, i) => {
    const name = asString(asRecord(asRecord(server).tls).credentialName);
    if (!name) return;
    out.push({
      kind: 'Secret',
      name,
      namePath: ['spec', 'servers', i, 'tls', 'credentialName'],
      optional: false,
      keys: [],
      alsoIn: [ISTIO_GATEWAY_NAMESPACE],
      clusterOnly: true,
    });
  });
  return out;
}

/** What a cluster says about one object. Keys are names only: a Secret's values are never read into it. */
export type ClusterAnswer =
  | { state: 'found'; keys?: readonly string[] }
  | { state: 'missing' }
  /**
   * Could not be read (forbidden): never reported as missing. `noticeAt` names the one reference
   * (referenceId) that carries the info finding for this kind and namespace.
   */
  | { state: 'unknown'; reason: string; noticeAt: string };

/** The objects of a live cluster, read before linting (operations/cluster/references builds one). */
export interface ClusterView {
  /** Context name for messages ("prod-eu"). */
  readonly context: string;
  /** Namespace of objects that do not write one (kubectl's -n, the context's namespace, else default). */
  readonly defaultNamespace: string;
  lookup(kind: ReferencedKind, namespace: string, name: string): ClusterAnswer;
}

/** The namespace a reference's object is looked up in, in a cluster. */
export const clusterNamespaceOf = (object: ManifestObject, view: ClusterView): string => (object.namespaceWritten ? object.namespace : view.defaultNamespace);

/** The environment variable names an envFrom reference adds, given the keys of its object. */
export const envNamesFrom = (reference: ConfigReference, keys: Iterable<string>): string[] =>
  reference.envFrom ? [...keys].map((key) => `${reference.envFrom!.prefix}${key}`) : [];

/** Identifies one reference across lints of the same workspace (file, document, object, path). */
export const referenceId = (object: ManifestObject, reference: ConfigReference): string =>
  `${object.file}#${object.index}#${object.kind}/${object.namespace}/${object.name}#${reference.namePath.join('/')}`;

/**
 * ConfigMaps a controller publishes into every namespace: the cluster's CA bundle (kube-controller-manager,
 * Kubernetes 1.20+) and Istio's root certificate (istiod, wherever Istio runs). Never in a repository.
 */
export const PUBLISHED_CONFIGMAPS = new Set(['kube-root-ca.crt', 'istio-ca-root-cert']);

/** What findInWorkspace asks of the workspace (a Lookup). */
interface ObjectFinder {
  find(kind: string, scope: string | undefined, name: string): ManifestObject | undefined;
  all(kind: string, scope: string | undefined): readonly ManifestObject[];
}

/**
 * The workspace object a reference names (a Secret may come from a SealedSecret or ExternalSecret,
 * an ExternalSecret's `target.name`, or a Secrets Store CSI SecretProviderClass's `secretObjects`),
 * in its scope or another it may live in.
 */
export function findInWorkspace(lookup: ObjectFinder, ref: ConfigReference, scope: string | undefined): ManifestObject | undefined {
  const kinds = ref.kind === 'Secret' ? SECRET_SOURCES : [ref.kind];
  for (const namespace of [scope, ...(ref.alsoIn ?? [])]) {
    for (const kind of kinds) {
      const found = lookup.find(kind, namespace, ref.name);
      if (found) return found;
    }
    if (ref.kind !== 'Secret') continue;
    const synced =
      lookup.all('ExternalSecret', namespace).find((o) => asString(get(o.data, ['spec', 'target', 'name'])) === ref.name) ??
      lookup
        .all('SecretProviderClass', namespace)
        .find((o) => asArray(get(o.data, ['spec', 'secretObjects'])).some((s) => asRecord(s).secretName === ref.name));
    if (synced) return synced;
  }
  return undefined;
}
