/**
 * Which built-in Kubernetes apiVersion/kind pairs exist and which are no longer served, from
 * Kubernetes' Deprecated API Migration Guide (kubernetes.io/docs/reference/using-api/deprecation-guide).
 * Read by removed-api-version, unknown-kind and the schema rules (a removed apiVersion is validated
 * against its replacement's schema).
 */

export interface RemovedApi {
  /** Minor version of Kubernetes 1.x that stopped serving it. */
  removedIn: number;
  /** The apiVersion to use instead; undefined when the API is gone for good (PodSecurityPolicy). */
  replacement?: string;
  /** What changes besides the apiVersion line; absent when only the apiVersion changes. */
  changes?: string;
}

const APPS_V1 = 'spec.selector is required (use the template labels) and immutable';
const INGRESS_V1 = 'backend.serviceName/servicePort become backend.service.name and service.port.number/name, and each path needs a pathType';
const HPA_V2 = 'metrics targets are written as target: { type, averageUtilization | averageValue | value }';

/** `apiVersion/kind` → what replaces it. */
const REMOVED: Record<string, RemovedApi> = {};
function removed(removedIn: number, apiVersions: string[], kinds: string[], replacement: string | undefined, changes?: string): void {
  for (const apiVersion of apiVersions) for (const kind of kinds) REMOVED[`${apiVersion}/${kind}`] = { removedIn, replacement, changes };
}
// v1.16
removed(16, ['extensions/v1beta1', 'apps/v1beta2'], ['Deployment', 'DaemonSet', 'ReplicaSet'], 'apps/v1', APPS_V1);
removed(16, ['apps/v1beta1'], ['Deployment'], 'apps/v1', APPS_V1);
removed(16, ['apps/v1beta1', 'apps/v1beta2'], ['StatefulSet'], 'apps/v1', APPS_V1);
removed(16, ['apps/v1beta1', 'apps/v1beta2'], ['ControllerRevision'], 'apps/v1');
removed(16, ['extensions/v1beta1'], ['NetworkPolicy'], 'networking.k8s.io/v1');
removed(16, ['extensions/v1beta1'], ['PodSecurityPolicy'], undefined);
// v1.22
removed(22, ['extensions/v1beta1', 'networking.k8s.io/v1beta1'], ['Ingress'], 'networking.k8s.io/v1', INGRESS_V1);
removed(22, ['networking.k8s.io/v1beta1'], ['IngressClass'], 'networking.k8s.io/v1');
removed(
  22,
  ['admissionregistration.k8s.io/v1beta1'],
  ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
  'admissionregistration.k8s.io/v1',
  'webhooks[*].admissionReviewVersions and sideEffects are required',
);
removed(
  22,
  ['apiextensions.k8s.io/v1beta1'],
  ['CustomResourceDefinition'],
  'apiextensions.k8s.io/v1',
  'every version needs a structural schema under versions[*].schema.openAPIV3Schema',
);
removed(22, ['apiregistration.k8s.io/v1beta1'], ['APIService'], 'apiregistration.k8s.io/v1');
removed(22, ['authentication.k8s.io/v1beta1'], ['TokenReview'], 'authentication.k8s.io/v1');
removed(22, ['authorization.k8s.io/v1beta1'], ['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview'], 'authorization.k8s.io/v1');
removed(22, ['certificates.k8s.io/v1beta1'], ['CertificateSigningRequest'], 'certificates.k8s.io/v1', 'spec.signerName is required');
removed(22, ['coordination.k8s.io/v1beta1'], ['Lease'], 'coordination.k8s.io/v1');
removed(22, ['rbac.authorization.k8s.io/v1beta1'], ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], 'rbac.authorization.k8s.io/v1');
removed(22, ['scheduling.k8s.io/v1beta1'], ['PriorityClass'], 'scheduling.k8s.io/v1');
removed(22, ['storage.k8s.io/v1beta1'], ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], 'storage.k8s.io/v1');
// v1.25
removed(25, ['batch/v1beta1'], ['CronJob'], 'batch/v1');
removed(25, ['discovery.k8s.io/v1beta1'], ['EndpointSlice'], 'discovery.k8s.io/v1', 'endpoints[*].topology becomes nodeName and zone');
removed(25, ['events.k8s.io/v1beta1'], ['Event'], 'events.k8s.io/v1');
removed(25, ['autoscaling/v2beta1'], ['HorizontalPodAutoscaler'], 'autoscaling/v2', HPA_V2);
removed(25, ['policy/v1beta1'], ['PodDisruptionBudget'], 'policy/v1', 'an empty spec.selector selects every pod of the namespace');
removed(25, ['policy/v1beta1'], ['PodSecurityPolicy'], undefined);
removed(25, ['node.k8s.io/v1beta1'], ['RuntimeClass'], 'node.k8s.io/v1');
// v1.26, v1.27, v1.29, v1.32
removed(
  26,
  ['flowcontrol.apiserver.k8s.io/v1beta1'],
  ['FlowSchema', 'PriorityLevelConfiguration'],
  'flowcontrol.apiserver.k8s.io/v1',
  'assuredConcurrencyShares becomes nominalConcurrencyShares (v1.29+; v1beta3 before)',
);
removed(26, ['autoscaling/v2beta2'], ['HorizontalPodAutoscaler'], 'autoscaling/v2');
removed(27, ['storage.k8s.io/v1beta1'], ['CSIStorageCapacity'], 'storage.k8s.io/v1');
removed(
  29,
  ['flowcontrol.apiserver.k8s.io/v1beta2'],
  ['FlowSchema', 'PriorityLevelConfiguration'],
  'flowcontrol.apiserver.k8s.io/v1',
  'assuredConcurrencyShares becomes nominalConcurrencyShares (v1.29+; v1beta3 before)',
);
removed(32, ['flowcontrol.apiserver.k8s.io/v1beta3'], ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1');

/** The removal of an apiVersion/kind, whatever the configured Kubernetes version. */
export const removedApi = (apiVersion: string, kind: string): RemovedApi | undefined =>
  Object.hasOwn(REMOVED, `${apiVersion}/${kind}`) ? REMOVED[`${apiVersion}/${kind}`] : undefined;

/** Minor version of a `1.30` setting. */
export const kubernetesMinor = (version: string): number => Number(version.split('.')[1]);

/**
 * The kinds of every built-in group/version a current (1.30+) API server serves as GA. A kind
 * outside these lists does not exist there; group/versions not listed (CRDs, alpha and beta
 * versions) are not judged.
 */
const BUILT_IN: Record<string, string[]> = {
  v1: [
    'Binding',
    'ComponentStatus',
    'ConfigMap',
    'Endpoints',
    'Event',
    'LimitRange',
    'List',
    'Namespace',
    'Node',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'Pod',
    'PodTemplate',
    'ReplicationController',
    'ResourceQuota',
    'Secret',
    'Service',
    'ServiceAccount',
  ],
  'apps/v1': ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
  'batch/v1': ['CronJob', 'Job'],
  'autoscaling/v1': ['HorizontalPodAutoscaler'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'policy/v1': ['Eviction', 'PodDisruptionBudget'],
  'networking.k8s.io/v1': ['Ingress', 'IngressClass', 'NetworkPolicy'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  'scheduling.k8s.io/v1': ['PriorityClass'],
  'storage.k8s.io/v1': ['CSIDriver', 'CSINode', 'CSIStorageCapacity', 'StorageClass', 'VolumeAttachment'],
  'coordination.k8s.io/v1': ['Lease'],
  'certificates.k8s.io/v1': ['CertificateSigningRequest'],
  'discovery.k8s.io/v1': ['EndpointSlice'],
  'events.k8s.io/v1': ['Event'],
  'node.k8s.io/v1': ['RuntimeClass'],
  'admissionregistration.k8s.io/v1': [
    'MutatingWebhookConfiguration',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
    'ValidatingWebhookConfiguration',
  ],
  'apiextensions.k8s.io/v1': ['CustomResourceDefinition'],
  'apiregistration.k8s.io/v1': ['APIService'],
  'flowcontrol.apiserver.k8s.io/v1': ['FlowSchema', 'PriorityLevelConfiguration'],
  'authentication.k8s.io/v1': ['SelfSubjectReview', 'TokenRequest', 'TokenReview'],
  'authorization.k8s.io/v1': ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'],
};

/** The kinds of a built-in group/version, or undefined for one this table does not judge. */
export const builtInKinds = (apiVersion: string): readonly string[] | undefined => (Object.hasOwn(BUILT_IN, apiVersion) ? BUILT_IN[apiVersion] : undefined);

/** The built-in group/versions that serve a kind (`Ingress` → networking.k8s.io/v1). */
export const apiVersionsOfKind = (kind: string): string[] => Object.keys(BUILT_IN).filter((apiVersion) => BUILT_IN[apiVersion]!.includes(kind));
