/**
 * A small typed door to the API server over @kubernetes/client-node: the resources canaries are
 * made of, read and patched by kind, with every failure turned into a ClusterError naming the
 * verb, the resource and the server.
 */
import {
  ApisApi,
  AuthorizationV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  createConfiguration,
  CustomObjectsApi,
  PatchStrategy,
  ServerConfiguration,
  setHeaderOptions,
  type Configuration,
  type KubeConfig,
  type RequestContext,
} from '@kubernetes/client-node';
import { ClusterError, toClusterError } from './errors';
import { loadKubeconfig, type KubeconfigOptions, type LoadedKubeconfig } from './kubeconfig';

export type CanaryKind = 'Service' | 'Deployment' | 'VirtualService' | 'DestinationRule' | 'Rollout';
/** The kinds this client reads and writes: a canary's, and the OpenFeature Operator's FeatureFlag (flags.featureFlag). */
export type ResourceKind = CanaryKind | 'FeatureFlag';

interface ResourceType {
  group: string;
  /** Versions to try, preferred first (Istio serves v1 since 1.22, v1beta1 before). */
  versions: string[];
  plural: string;
}

export const RESOURCE_TYPES: Record<ResourceKind, ResourceType> = {
  Service: { group: '', versions: ['v1'], plural: 'services' },
  Deployment: { group: 'apps', versions: ['v1'], plural: 'deployments' },
  VirtualService: { group: 'networking.istio.io', versions: ['v1', 'v1beta1', 'v1alpha3'], plural: 'virtualservices' },
  DestinationRule: { group: 'networking.istio.io', versions: ['v1', 'v1beta1', 'v1alpha3'], plural: 'destinationrules' },
  Rollout: { group: 'argoproj.io', versions: ['v1alpha1'], plural: 'rollouts' },
  FeatureFlag: { group: 'core.openfeature.dev', versions: ['v1beta1'], plural: 'featureflags' },
};

export type CoreListKind = 'ConfigMap' | 'Secret' | 'ServiceAccount' | 'PersistentVolumeClaim';

export const CORE_PLURALS: Record<CoreListKind, string> = {
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  ServiceAccount: 'serviceaccounts',
  PersistentVolumeClaim: 'persistentvolumeclaims',
};

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
}

export type JsonPatchOperation =
  { op: 'test' | 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string } | { op: 'move' | 'copy'; from: string; path: string };

/** Resolved group/version/plural of a kind on this cluster, or null when the cluster does not serve it. */
export interface ServedResource {
  group: string;
  version: string;
  plural: string;
}

/** A request to an API server that never answers fails after this long (the CLI's --request-timeout). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface ClusterClientOptions {
  /** Per-request timeout in ms (default 30 s). */
  requestTimeoutMs?: number;
}

export class ClusterClient {
  readonly kc: KubeConfig;
  readonly server: string;
  readonly context: string;
  /** The namespace of the kubeconfig context, if set. */
  readonly defaultNamespace?: string;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly served = new Map<ResourceKind, Promise<ServedResource | null>>();

  /** How long one API request may take, connecting included (watches are not requests). */
  readonly requestTimeoutMs: number;

  constructor(loaded: LoadedKubeconfig, options: ClusterClientOptions = {}) {
    this.kc = loaded.kc;
    this.server = loaded.server;
    this.context = loaded.context;
    this.defaultNamespace = loaded.namespace;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.custom = this.api(CustomObjectsApi);
    this.core = this.api(CoreV1Api);
  }

  static fromKubeconfig(options: KubeconfigOptions & ClusterClientOptions = {}): ClusterClient {
    return new ClusterClient(loadKubeconfig(options), options);
  }

  /** An API client like kc.makeApiClient's, whose every request is aborted after requestTimeoutMs. */
  private api<T>(type: new (configuration: Configuration) => T): T {
    const kc = this.kc;
    const timeoutMs = this.requestTimeoutMs;
    return new type(
      createConfiguration({
        baseServer: new ServerConfiguration(this.server, {}),
        authMethods: {
          default: {
            getName: () => 'kubeconfig',
            async applySecurityAuthentication(context: RequestContext): Promise<void> {
              await kc.applySecurityAuthentication(context);
              context.setSignal(AbortSignal.timeout(timeoutMs));
            },
          },
        },
      }),
    );
  }

  /** Which version of a kind the cluster serves (discovery, cached); null when its CRD is not installed. */
  resource(kind: ResourceKind): Promise<ServedResource | null> {
    let found = this.served.get(kind);
    if (!found) {
      found = this.discover(kind);
      this.served.set(kind, found);
      found.catch(() => this.served.delete(kind));
    }
    return found;
  }

  private async discover(kind: ResourceKind): Promise<ServedResource | null> {
    const type = RESOURCE_TYPES[kind];
    const assumed = { group: type.group, version: type.versions[0]!, plural: type.plural };
    if (type.group === '' || type.group === 'apps') return assumed;
    let groups;
    try {
      groups = await this.api(ApisApi).getAPIVersions();
    } catch (error) {
      const failure = toClusterError(error, { verb: 'discover', resource: 'API groups (/apis)', server: this.server, timeoutMs: this.requestTimeoutMs });
      // Connection and access problems are real; a server without discovery (or an odd answer) is asked directly.
      if (failure.isConnectionProblem && failure.kind !== 'not-found') throw failure;
      return assumed;
    }
    // An answer that lists no groups at all is not a discovery document to trust.
    if (!Array.isArray(groups?.groups) || groups.groups.length === 0) return assumed;
    const group = groups.groups.find((g) => g.name === type.group);
    if (!group) return null;
    const offered = [group.preferredVersion?.version, ...(group.versions ?? []).map((v) => v.version)].filter((v): v is string => !!v);
    const candidates = type.versions.filter((v) => offered.includes(v)).sort((a, b) => offered.indexOf(a) - offered.indexOf(b));
    for (const version of candidates) {
      try {
        const list = await this.custom.getAPIResources({ group: type.group, version });
        if (list.resources.some((r) => r.name === type.plural)) return { group: type.group, version, plural: type.plural };
      } catch (error) {
        const failure = toClusterError(error, {
          verb: 'discover',
          resource: `/apis/${type.group}/${version}`,
          server: this.server,
          timeoutMs: this.requestTimeoutMs,
        });
        if (failure.isConnectionProblem && failure.kind !== 'not-found') throw failure;
        // The group is there but its resource list cannot be read: use the version it prefers.
        return { group: type.group, version, plural: type.plural };
      }
    }
    return null;
  }

  private async served_(kind: ResourceKind): Promise<ServedResource> {
    const served = await this.resource(kind);
    if (!served)
      throw new ClusterError(
        'not-found',
        `the cluster ${this.server} does not serve ${RESOURCE_TYPES[kind].plural}.${RESOURCE_TYPES[kind].group} (is its CRD installed?)`,
        404,
      );
    return served;
  }

  /** The URL path of a kind's collection in a namespace (for watches). */
  async collectionPath(kind: CanaryKind, namespace: string): Promise<string> {
    const r = await this.served_(kind);
    return `${r.group ? `/apis/${r.group}` : '/api'}/${r.version}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`;
  }

  describe(kind: ResourceKind, namespace: string, name?: string): string {
    const t = RESOURCE_TYPES[kind];
    const plural = t.group ? `${t.plural}.${t.group}` : t.plural;
    return name ? `${plural} ${namespace}/${name}` : `${plural} in namespace ${namespace}`;
  }

  private fail(error: unknown, verb: string, kind: ResourceKind, namespace: string, name?: string): ClusterError {
    return toClusterError(error, { verb, resource: this.describe(kind, namespace, name), server: this.server, timeoutMs: this.requestTimeoutMs });
  }

  /** Core-group kinds read whole to resolve references (operations/cluster/references). */
  async listCore(kind: CoreListKind, namespace: string): Promise<KubeObject[]> {
    const core = this.core;
    try {
      const list =
        kind === 'ConfigMap'
          ? await core.listNamespacedConfigMap({ namespace })
          : kind === 'Secret'
            ? await core.listNamespacedSecret({ namespace })
            : kind === 'ServiceAccount'
              ? await core.listNamespacedServiceAccount({ namespace })
              : await core.listNamespacedPersistentVolumeClaim({ namespace });
      return list.items as KubeObject[];
    } catch (error) {
      throw toClusterError(error, {
        verb: 'list',
        resource: `${CORE_PLURALS[kind]} in namespace ${namespace}`,
        server: this.server,
        timeoutMs: this.requestTimeoutMs,
      });
    }
  }

  /** A SelfSubjectAccessReview: may the kubeconfig's user `verb` the resource (e.g. list secrets) in the namespace? */
  async canI(verb: string, resource: string, namespace: string, group = ''): Promise<boolean> {
    try {
      const review = await this.api(AuthorizationV1Api).createSelfSubjectAccessReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb, resource, group, namespace } } },
      });
      return review.status?.allowed === true;
    } catch (error) {
      throw toClusterError(error, {
        verb: 'create',
        resource: `selfsubjectaccessreviews (may I ${verb} ${resource} in ${namespace}?)`,
        server: this.server,
        timeoutMs: this.requestTimeoutMs,
      });
    }
  }

  /** Server-side apply with dryRun=All: what the API server (admission, validation, quota) says of the object, nothing written. */
  async applyDryRun(object: KubeObject, fieldManager: string): Promise<KubeObject> {
    try {
      return (await this.api(KubernetesObjectApi).patch(object, undefined, 'All', fieldManager, true, PatchStrategy.ServerSideApply)) as KubeObject;
    } catch (error) {
      const where = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
      throw toClusterError(error, {
        verb: 'apply (dry run)',
        resource: `${object.kind ?? 'object'} ${where}${object.metadata.name}`,
        server: this.server,
        timeoutMs: this.requestTimeoutMs,
      });
    }
  }

  /** Namespace names, sorted (for a namespace picker). */
  async listNamespaces(): Promise<string[]> {
    try {
      const list = await this.core.listNamespace();
      return list.items
        .map((n) => n.metadata?.name ?? '')
        .filter(Boolean)
        .sort();
    } catch (error) {
      throw toClusterError(error, { verb: 'list', resource: 'namespaces', server: this.server, timeoutMs: this.requestTimeoutMs });
    }
  }

  async list(kind: ResourceKind, namespace: string, labelSelector?: string): Promise<ObjectList> {
    const r = await this.served_(kind);
    try {
      // CustomObjectsApi builds /apis/<group>/<version>/…, which the core group (/api/v1) is not.
      if (kind === 'Service') {
        const services = await this.core.listNamespacedService({ namespace, labelSelector });
        return { items: services.items as KubeObject[], resourceVersion: services.metadata?.resourceVersion ?? '' };
      }
      const list = (await this.custom.listNamespacedCustomObject({ group: r.group, version: r.version, namespace, plural: r.plural, labelSelector })) as {
        items?: KubeObject[];
        metadata?: { resourceVersion?: string };
      };
      return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
    } catch (error) {
      throw this.fail(error, 'list', kind, namespace);
    }
  }

  async get(kind: ResourceKind, namespace: string, name: string): Promise<KubeObject> {
    const r = await this.served_(kind);
    try {
      if (kind === 'Service') return (await this.core.readNamespacedService({ namespace, name })) as KubeObject;
      return (await this.custom.getNamespacedCustomObject({ group: r.group, version: r.version, namespace, plural: r.plural, name })) as KubeObject;
    } catch (error) {
      throw this.fail(error, 'get', kind, namespace, name);
    }
  }

  /** RFC 6902 JSON patch (the client's default content type for custom objects). */
  async jsonPatch(kind: ResourceKind, namespace: string, name: string, operations: JsonPatchOperation[]): Promise<KubeObject> {
    const r = await this.served_(kind);
    try {
      return (await this.custom.patchNamespacedCustomObject(
        { group: r.group, version: r.version, namespace, plural: r.plural, name, body: operations },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      )) as KubeObject;
    } catch (error) {
      throw this.fail(error, 'patch', kind, namespace, name);
    }
  }

  /** RFC 7386 merge patch, of the object or of its status subresource. */
  async mergePatch(kind: ResourceKind, namespace: string, name: string, patch: object, subresource?: 'status'): Promise<KubeObject> {
    const r = await this.served_(kind);
    const param = { group: r.group, version: r.version, namespace, plural: r.plural, name, body: patch };
    const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    try {
      return (await (subresource === 'status'
        ? this.custom.patchNamespacedCustomObjectStatus(param, options)
        : this.custom.patchNamespacedCustomObject(param, options))) as KubeObject;
    } catch (error) {
      throw this.fail(error, subresource ? `patch ${subresource} of` : 'patch', kind, namespace, name);
    }
  }
}
