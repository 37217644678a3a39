/** Kubernetes knowledge shared by the manifest rules: pod templates, selectors, Istio hosts. */
import type { ManifestObject, Path } from './yaml';

export type Json = Record<string, unknown>;

export const asRecord = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Value at a path of plain data. */
export function get(data: unknown, path: Path): unknown {
  let value: unknown = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** Where each workload kind keeps its pod template spec. */
const POD_SPEC_PATHS: Record<string, Path> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Rollout: ['spec', 'template', 'spec'],
};

export const WORKLOAD_KINDS = Object.keys(POD_SPEC_PATHS).filter((k) => k !== 'Pod');
/** Kinds that serve traffic for a long time: probes and drains matter (not Jobs). */
export const SERVING_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Rollout'];

export interface PodTemplate {
  /** Path of the pod spec inside the object. */
  path: Path;
  spec: Json;
  /** Labels the pods get. */
  labels: Record<string, string>;
}

/** The pod template of a workload, or undefined (e.g. a Rollout with workloadRef, a Service). */
export function podTemplate(object: ManifestObject): PodTemplate | undefined {
  const path = POD_SPEC_PATHS[object.kind];
  if (!path) return undefined;
  const spec = get(object.data, path);
  if (!spec || typeof spec !== 'object') return undefined;
  const labelsPath = object.kind === 'Pod' ? ['metadata', 'labels'] : [...path.slice(0, -1), 'metadata', 'labels'];
  return { path, spec: spec as Json, labels: stringMap(get(object.data, labelsPath)) };
}

export interface ContainerRef {
  path: Path;
  container: Json;
  name: string;
  init: boolean;
}

/** Containers of a pod spec (init containers flagged), with their paths. */
export function containers(template: PodTemplate, withInit = false): ContainerRef[] {
  const out: ContainerRef[] = [];
  const add = (key: string, init: boolean): void =>
    asArray(template.spec[key]).forEach((c, i) =>
      out.push({ path: [...template.path, key, i], container: asRecord(c), name: asString(asRecord(c).name) ?? `#${i}`, init }),
    );
  add('containers', false);
  if (withInit) add('initContainers', true);
  return out;
}

export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(value))) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

/** Whether labels satisfy a Kubernetes selector (`matchLabels`/`matchExpressions`, or a plain map for Services). */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const s = asRecord(selector);
  const isLabelSelector = 'matchLabels' in s || 'matchExpressions' in s;
  const matchLabels = isLabelSelector ? stringMap(s.matchLabels) : stringMap(s);
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  for (const e of asArray(s.matchExpressions)) {
    const { key, operator, values } = asRecord(e) as { key?: string; operator?: string; values?: unknown[] };
    const has = key !== undefined && key in labels;
    const value = key !== undefined ? labels[key] : undefined;
    const list = asArray(values).map(String);
    if (operator === 'In' && !(has && list.includes(value!))) return false;
    if (operator === 'NotIn' && has && list.includes(value!)) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** True for a selector that selects nothing useful (no labels at all). */
export function isEmptySelector(selector: unknown): boolean {
  const s = asRecord(selector);
  if ('matchLabels' in s || 'matchExpressions' in s) return Object.keys(asRecord(s.matchLabels)).length === 0 && asArray(s.matchExpressions).length === 0;
  return Object.keys(s).length === 0;
}

const IP_ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]+)$/i;

/**
 * The Service an Istio host names, as Istio reads it from an object in `namespace` (a short name
 * is a Service of that namespace): `reviews`, `reviews.prod`, `reviews.prod.svc`,
 * `reviews.prod.svc.cluster.local` (a DNS name: any case, an optional trailing dot). Undefined for
 * hosts that name no one Service of the cluster: wildcards, IP addresses, other domains
 * (`api.example.com`, `reviews.prod.svc.other.domain`). The linter and the cluster discovery
 * both resolve hosts here.
 */
export function serviceOfHost(host: string, namespace: string, clusterDomain = 'cluster.local'): { name: string; namespace: string } | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name.includes('*') || IP_ADDRESS.test(name)) return undefined;
  const parts = name.split('.');
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 1) return { name: parts[0]!, namespace };
  if (parts.length === 2 || (parts[2] === 'svc' && (parts.length === 3 || parts.slice(3).join('.') === clusterDomain))) {
    return { name: parts[0]!, namespace: parts[1]! };
  }
  return undefined;
}

export const isIstio = (object: ManifestObject): boolean => object.apiVersion.startsWith('networking.istio.io/');
export const isArgo = (object: ManifestObject): boolean => object.apiVersion.startsWith('argoproj.io/');
