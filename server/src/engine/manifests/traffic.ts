/**
 * Traffic knowledge shared by the Service, Istio and Argo Rollouts rules and the route hover:
 * VirtualService routes and destinations, how an Istio host names a Service, DestinationRule
 * subsets, the pods a selector picks (Argo's canary/stable/experiment pods included), durations.
 * Every cross-file question goes through a Lookup, so it is recorded as a dependency.
 */
import {
  asArray,
  asRecord,
  asString,
  get,
  isArgo,
  isIstio,
  podTemplate,
  selectorMatches,
  serviceOfHost,
  stringMap,
  WORKLOAD_KINDS,
  type Json,
  type PodTemplate,
} from './model';
import { scopeOf, type Lookup, type NamespaceScope } from './lookup';
import type { ManifestObject, Path } from './yaml';

/* ---------- Per-lint memo ---------- */

const memos = new WeakMap<Lookup, Map<string, unknown>>();

/**
 * A value computed once per Lookup (one lint of one file): the Lookup recorded its dependencies
 * the first time, so reusing the answer for the file's other objects is safe.
 */
function memo<T>(lookup: Lookup, key: string, compute: () => T): T {
  let values = memos.get(lookup);
  if (!values) memos.set(lookup, (values = new Map()));
  if (!values.has(key)) values.set(key, compute());
  return values.get(key) as T;
}

const scopeKey = (scope: NamespaceScope): string => scope ?? '*';

const listCaches = new Map<string, { lists: readonly (readonly unknown[])[]; value: unknown }>();

/**
 * A value derived from lists of objects, reused while the lists hold the same objects (an edit
 * parses new objects, so it rebuilds): files re-checked after an edit share one index instead of
 * each building its own. The workspace hands out the same list until something changes, so the
 * usual check is by identity; after a change, equal contents keep the value too.
 */
function derived<T>(key: string, lists: readonly (readonly unknown[])[], build: () => T): T {
  const hit = listCaches.get(key);
  if (hit && hit.lists.length === lists.length) {
    if (hit.lists.every((list, i) => list === lists[i])) return hit.value as T;
    if (hit.lists.every((list, i) => list.length === lists[i]!.length && list.every((o, j) => o === lists[i]![j]))) {
      listCaches.set(key, { lists, value: hit.value });
      return hit.value as T;
    }
  }
  const value = build();
  listCaches.set(key, { lists, value });
  return value;
}

/* ---------- Services and Istio hosts ---------- */

/** Namespace an object looks up its references in (one owner: lookup.ts). */
export { scopeOf };

/** A core Kubernetes Service (not a Knative Service, which shares the kind). */
export const isCoreService = (object: ManifestObject): boolean => object.kind === 'Service' && (object.apiVersion === 'v1' || object.apiVersion === '');

/** The Service an Istio host names, with the namespace scope to find it in. */
export interface HostService {
  name: string;
  /** Namespace of the Service; undefined when a short name is used in an object without namespace. */
  scope: NamespaceScope;
  /** `short` (reviews), `namespaced` (reviews.prod), `fqdn` (reviews.prod.svc…). */
  form: 'short' | 'namespaced' | 'fqdn';
}

/** The Service a host names, as seen from `from` (see serviceOfHost), or undefined for hosts outside the cluster. */
export function hostService(host: string, from: ManifestObject): HostService | undefined {
  const service = serviceOfHost(host, from.namespace);
  if (!service) return undefined;
  const parts = host.replace(/\.$/, '').split('.').length;
  if (parts === 1) return { name: service.name, scope: scopeOf(from), form: 'short' };
  return { name: service.name, scope: service.namespace, form: parts === 2 ? 'namespaced' : 'fqdn' };
}

/** Two namespace scopes that can be the same namespace. */
export const scopesOverlap = (a: NamespaceScope, b: NamespaceScope): boolean => a === undefined || b === undefined || a === b;

/** Core Services in a scope (asked once per lint). */
export function servicesIn(lookup: Lookup, scope: NamespaceScope): ManifestObject[] {
  return memo(lookup, `core-services:${scopeKey(scope)}`, () => {
    const services = lookup.all('Service', scope);
    return derived(`core-services:${scopeKey(scope)}`, [services], () => services.filter(isCoreService));
  });
}

/**
 * The Services in a scope whose selector may select pods labelled `labels`: each Service is
 * filed under one pair of its selector, so only Services sharing a label are compared (a
 * namespace with thousands of Services and workloads stays linear). Callers still match the selector.
 */
export function servicesMaySelect(lookup: Lookup, scope: NamespaceScope, labels: Record<string, string>): ManifestObject[] {
  const services = lookup.all('Service', scope);
  const byPair = derived(`services-by-selector:${scopeKey(scope)}`, [services], () => {
    const index = new Map<string, ManifestObject[]>();
    for (const service of services) {
      const selector = stringMap(asRecord(service.data.spec).selector);
      const first = Object.entries(selector).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))[0];
      if (!first) continue;
      const key = `${first[0]}=${first[1]}`;
      const list = index.get(key);
      if (list) list.push(service);
      else index.set(key, [service]);
    }
    return index;
  });
  const out: ManifestObject[] = [];
  for (const [k, v] of Object.entries(labels)) for (const service of byPair.get(`${k}=${v}`) ?? []) out.push(service);
  return out;
}

/** Core Services named `name` in a scope. */
export function findServices(lookup: Lookup, name: string, scope: NamespaceScope): ManifestObject[] {
  const byName = memo(lookup, `services:${scopeKey(scope)}`, () => {
    const services = lookup.all('Service', scope);
    return derived(`services:${scopeKey(scope)}`, [services], () => {
      const map = new Map<string, ManifestObject[]>();
      for (const o of services) if (isCoreService(o)) map.set(o.name, [...(map.get(o.name) ?? []), o]);
      return map;
    });
  });
  return byName.get(name) ?? [];
}

/**
 * Whether the workspace knows namespace `ns` (a Namespace object, or a Service written in it): a
 * two-part host `name.ns` is only read as a Service when it does, since `httpbin.org` looks the same.
 */
export function namespaceKnown(lookup: Lookup, ns: string): boolean {
  if (lookup.find('Namespace', undefined, ns)) return true;
  const services = lookup.all('Service', ns);
  return derived(`service-namespaces:${ns}`, [services], () => services.some((o) => o.namespaceWritten && o.namespace === ns));
}

/** `*.example.com` covers `a.example.com`; `*` covers everything. */
function wildcardCovers(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  return pattern.startsWith('*.') && host.toLowerCase().endsWith(pattern.slice(1).toLowerCase());
}

/**
 * A test for "does a host written in another object name the same destination as `host` written
 * in `from`", with `from`'s side resolved once (it runs against every DestinationRule).
 */
export function hostMatcher(host: string, from: ManifestObject): (other: string, object: ManifestObject) => boolean {
  const lower = host.toLowerCase();
  const scope = scopeOf(from);
  const service = hostService(host, from);
  return (other, object) => {
    if (lower === other.toLowerCase() && (host.includes('.') || scopesOverlap(scope, scopeOf(object)))) return true;
    if (other.includes('*')) {
      if (wildcardCovers(other, host)) return true;
      // `*.prod.svc.cluster.local` covers reviews in prod (or anywhere, for an unknown namespace).
      const suffix = /^\*\.([^.]+)\.svc\./.exec(other);
      return !!service && (other === '*' || (!!suffix && (service.scope === undefined || service.scope === suffix[1])));
    }
    const theirs = cachedHostService(other, object);
    return !!service && !!theirs && service.name === theirs.name && scopesOverlap(service.scope, theirs.scope);
  };
}

/** Whether a host written in `a` and a host written in `b` name the same destination. */
export function sameHost(hostA: string, a: ManifestObject, hostB: string, b: ManifestObject): boolean {
  return hostMatcher(hostA, a)(hostB, b);
}

const hostCache = new WeakMap<ManifestObject, Map<string, HostService | undefined>>();

/** hostService, remembered per object (objects never change: an edit parses new ones). */
function cachedHostService(host: string, object: ManifestObject): HostService | undefined {
  let byHost = hostCache.get(object);
  if (!byHost) hostCache.set(object, (byHost = new Map()));
  if (!byHost.has(host)) byHost.set(host, hostService(host, object));
  return byHost.get(host);
}

/* ---------- VirtualService routes ---------- */

export type RouteProtocol = 'http' | 'tcp' | 'tls';
export const ROUTE_PROTOCOLS: readonly RouteProtocol[] = ['http', 'tcp', 'tls'];

export interface RouteDestination {
  /** Index in the route's `route` list. */
  index: number;
  /** Path of the item in `route` (the map holding `destination` and `weight`). */
  path: Path;
  host: string | undefined;
  subset: string | undefined;
  /** The weight as written (undefined when absent). */
  weight: unknown;
}

export interface IstioRoute {
  protocol: RouteProtocol;
  index: number;
  /** Path of the route in spec.http / spec.tcp / spec.tls. */
  path: Path;
  route: Json;
  name: string | undefined;
  destinations: RouteDestination[];
}

/** The http, tcp and tls routes of an Istio VirtualService (none for other kinds). */
export function istioRoutes(object: ManifestObject): IstioRoute[] {
  if (object.kind !== 'VirtualService' || !isIstio(object)) return [];
  const out: IstioRoute[] = [];
  for (const protocol of ROUTE_PROTOCOLS) {
    asArray(get(object.data, ['spec', protocol])).forEach((item, index) => {
      const route = asRecord(item);
      const path = ['spec', protocol, index];
      const destinations = asArray(route.route).map((d, i) => {
        const destination = asRecord(asRecord(d).destination);
        return { index: i, path: [...path, 'route', i], host: asString(destination.host), subset: asString(destination.subset), weight: asRecord(d).weight };
      });
      out.push({ protocol, index, path, route, name: asString(route.name), destinations });
    });
  }
  return out;
}

/** Every destination of a VirtualService, mirrors included, with the path of its `destination` map. */
export function allDestinations(object: ManifestObject): { path: Path; host: string | undefined; subset: string | undefined }[] {
  const out: { path: Path; host: string | undefined; subset: string | undefined }[] = [];
  const add = (path: Path, value: unknown): void => {
    const d = asRecord(value);
    if (Object.keys(d).length) out.push({ path, host: asString(d.host), subset: asString(d.subset) });
  };
  for (const route of istioRoutes(object)) {
    for (const d of route.destinations) add([...d.path, 'destination'], asRecord(get(route.route, ['route', d.index])).destination);
    if (route.protocol !== 'http') continue;
    if (route.route.mirror) add([...route.path, 'mirror'], route.route.mirror);
    asArray(route.route.mirrors).forEach((m, i) => add([...route.path, 'mirrors', i, 'destination'], asRecord(m).destination));
  }
  return out;
}

/** A weight as a number: integers and numeric strings; undefined when absent or not a number. */
export function weightValue(weight: unknown): number | undefined {
  if (typeof weight === 'number' && Number.isFinite(weight)) return weight;
  if (typeof weight === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(weight)) return Number(weight);
  return undefined;
}

/** A route that splits traffic: two or more destinations. */
export const isSplit = (route: IstioRoute): boolean => route.destinations.length >= 2;

/* ---------- DestinationRules ---------- */

export interface Subset {
  index: number;
  name: string;
  labels: Record<string, string>;
  hasLabels: boolean;
}

export function subsetsOf(rule: ManifestObject): Subset[] {
  return asArray(get(rule.data, ['spec', 'subsets'])).flatMap((s, index) => {
    const subset = asRecord(s);
    const name = asString(subset.name);
    return name === undefined ? [] : [{ index, name, labels: stringMap(subset.labels), hasLabels: Object.keys(asRecord(subset.labels)).length > 0 }];
  });
}

const drHostKey = (host: string): string => `DestinationRule-host/${host.toLowerCase()}`;
const drServiceKey = (name: string): string => `DestinationRule-service/${name}`;
const DR_WILDCARD_KEY = 'DestinationRule-wildcard';

/** The dependency keys a DestinationRule provides: its host, the Service it names, or "wildcard". */
export function destinationRuleKeys(rule: ManifestObject): string[] {
  const host = asString(get(rule.data, ['spec', 'host']));
  if (host === undefined) return [];
  if (host.includes('*')) return [DR_WILDCARD_KEY];
  const service = cachedHostService(host, rule);
  return service ? [drHostKey(host), drServiceKey(service.name)] : [drHostKey(host)];
}

/** Istio DestinationRules whose host is the host written in `from`. */
export function destinationRulesFor(lookup: Lookup, host: string, from: ManifestObject): ManifestObject[] {
  // Index the DestinationRules by the Service their host names, by their exact host, and wildcards.
  // The dependency is on the DestinationRules of this host only (see destinationRuleKeys), not on all of them:
  // an edit to one DestinationRule re-checks only the routes of its host.
  const rules = memo(lookup, 'destination-rules', () => lookup.untracked('DestinationRule'));
  const index = derived('destination-rules', [rules], () => {
    const all = rules.filter(isIstio);
    const byService = new Map<string, ManifestObject[]>();
    const byHost = new Map<string, ManifestObject[]>();
    const wildcards: ManifestObject[] = [];
    for (const dr of all) {
      const drHost = asString(get(dr.data, ['spec', 'host']));
      if (drHost === undefined) continue;
      if (drHost.includes('*')) wildcards.push(dr);
      byHost.set(drHost.toLowerCase(), [...(byHost.get(drHost.toLowerCase()) ?? []), dr]);
      const service = cachedHostService(drHost, dr);
      if (service) byService.set(service.name, [...(byService.get(service.name) ?? []), dr]);
    }
    return { order: new Map(all.map((dr, i) => [dr, i])), byService, byHost, wildcards };
  });
  const service = hostService(host, from);
  lookup.track(drHostKey(host));
  lookup.track(DR_WILDCARD_KEY);
  if (service) lookup.track(drServiceKey(service.name));
  const candidates = new Set([
    ...(index.byHost.get(host.toLowerCase()) ?? []),
    ...(service ? (index.byService.get(service.name) ?? []) : []),
    ...index.wildcards,
  ]);
  const matches = hostMatcher(host, from);
  return [...candidates].filter((dr) => matches(asString(get(dr.data, ['spec', 'host']))!, dr)).sort((a, b) => index.order.get(a)! - index.order.get(b)!);
}

/* ---------- Pods ---------- */

/**
 * Labels set by controllers on the pods they create (ReplicaSet hashes, Argo's
 * rollouts-pod-template-hash, StatefulSet pod names, Job names): a selector may name them, but
 * they never appear in a pod template, so they are left out when matching templates.
 */
const CONTROLLER_LABELS = new Set([
  'pod-template-hash',
  'rollouts-pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'job-name',
  'batch.kubernetes.io/job-name',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
]);

/** A selector (plain map or LabelSelector) without the controller-set labels. */
export function withoutControllerLabels(selector: unknown): Json {
  const s = asRecord(selector);
  const strip = (map: unknown): Json => Object.fromEntries(Object.entries(asRecord(map)).filter(([k]) => !CONTROLLER_LABELS.has(k)));
  if ('matchLabels' in s || 'matchExpressions' in s) {
    return {
      matchLabels: strip(s.matchLabels),
      matchExpressions: asArray(s.matchExpressions).filter((e) => !CONTROLLER_LABELS.has(String(asRecord(e).key))),
    };
  }
  return strip(s);
}

/** Pods a selector may pick: a workload's pod template, or a variant of it that Argo creates. */
export interface PodSource {
  /** The object owning the pods (a Rollout for a Rollout with workloadRef). */
  object: ManifestObject;
  labels: Record<string, string>;
  /** Where the pod spec comes from (the referenced Deployment for a workloadRef). */
  template?: PodTemplate;
  /** Undefined for a workload's ordinary pods; else e.g. `canary pods`, `experiment canary-preview`. */
  variant?: string;
}

/** The Deployment (or other workload) a Rollout's workloadRef names, looked up in the Rollout's scope. */
export function workloadRefTarget(lookup: Lookup, rollout: ManifestObject): ManifestObject | undefined {
  const ref = asRecord(get(rollout.data, ['spec', 'workloadRef']));
  const name = asString(ref.name);
  if (!name) return undefined;
  return lookup.find(asString(ref.kind) ?? 'Deployment', scopeOf(rollout), name);
}

/** Extra label sets the pods of an Argo Rollout can carry: canary/stable/active/preview metadata, experiment templates. */
function rolloutVariants(rollout: ManifestObject): { variant: string; labels: Record<string, string> }[] {
  const strategy = asRecord(get(rollout.data, ['spec', 'strategy']));
  const canary = asRecord(strategy.canary);
  const blueGreen = asRecord(strategy.blueGreen);
  const out: { variant: string; labels: Record<string, string> }[] = [];
  const meta = (variant: string, value: unknown): void => {
    const labels = stringMap(asRecord(value).labels);
    if (Object.keys(labels).length) out.push({ variant, labels });
  };
  meta('canary pods', canary.canaryMetadata);
  meta('stable pods', canary.stableMetadata);
  meta('active pods', blueGreen.activeMetadata);
  meta('preview pods', blueGreen.previewMetadata);
  for (const step of asArray(canary.steps)) {
    for (const t of asArray(asRecord(asRecord(step).experiment).templates)) {
      const template = asRecord(t);
      meta(`experiment ${asString(template.name) ?? ''}`.trim(), template.metadata);
    }
  }
  return out;
}

const POD_KINDS = ['Pod', ...WORKLOAD_KINDS];
const templateCache = new WeakMap<ManifestObject, PodTemplate | null>();

/** podTemplate, remembered per object (objects never change: an edit parses new ones). */
export function cachedPodTemplate(object: ManifestObject): PodTemplate | undefined {
  let template = templateCache.get(object);
  if (template === undefined) templateCache.set(object, (template = podTemplate(object) ?? null));
  return template ?? undefined;
}

/**
 * Objects with a pod template in a scope, asked of the Lookup per workload kind (recording those
 * kinds as dependencies) and kept for the rest of the lint: the rules ask once per Service and subset.
 */
export function workloadsIn(lookup: Lookup, scope: NamespaceScope): { object: ManifestObject; template: PodTemplate }[] {
  return memo(lookup, `workloads:${scopeKey(scope)}`, () => {
    const lists = POD_KINDS.map((kind) => lookup.all(kind, scope));
    return derived(`workloads:${scopeKey(scope)}`, lists, () => {
      const out: { object: ManifestObject; template: PodTemplate }[] = [];
      for (const object of lists.flat()) {
        const template = cachedPodTemplate(object);
        if (template) out.push({ object, template });
      }
      return out;
    });
  });
}

/** A selector (plain map or LabelSelector) as a test on labels, equivalent to selectorMatches. */
export /**
 * The workloads a selector can match: for a plain label selector, only those carrying its rarest
 * label (an index by label, built once per scope and lint) — Services and subsets ask this often.
 */
function workloadCandidates(lookup: Lookup, selector: Json, scope: NamespaceScope): { object: ManifestObject; template: PodTemplate }[] {
  const all = workloadsIn(lookup, scope);
  if (asArray(selector.matchExpressions).length) return all;
  const pairs = Object.entries(stringMap('matchLabels' in selector ? selector.matchLabels : selector));
  if (!pairs.length) return all;
  const key = `workloads-by-label:${scopeKey(scope)}`;
  const byLabel = memo(lookup, key, () =>
    derived(key, [all], () => {
      const index = new Map<string, { object: ManifestObject; template: PodTemplate }[]>();
      for (const workload of all) {
        for (const [k, v] of Object.entries(workload.template.labels)) {
          const label = `${k}=${v}`;
          const list = index.get(label);
          if (list) list.push(workload);
          else index.set(label, [workload]);
        }
      }
      return index;
    }),
  );
  return pairs.map(([k, v]) => byLabel.get(`${k}=${v}`) ?? []).reduce((a, b) => (b.length < a.length ? b : a));
}

function compileSelector(selector: unknown): (labels: Record<string, string>) => boolean {
  const s = asRecord(selector);
  if (asArray(s.matchExpressions).length) return (labels) => selectorMatches(s, labels);
  const pairs = Object.entries(stringMap('matchLabels' in s ? s.matchLabels : s));
  return (labels) => pairs.every(([k, v]) => labels[k] === v);
}

/**
 * Workloads whose pods a selector picks (Deployments, StatefulSets, Rollouts, …), plus the pods
 * Argo Rollouts create with other labels (canaryMetadata, experiment templates, Experiments), and
 * a Rollout's workloadRef pods. Controller-set labels in the selector are ignored.
 */
export function podsSelectedBy(lookup: Lookup, selector: unknown, scope: NamespaceScope): PodSource[] {
  const plain = withoutControllerLabels(selector);
  const matches = compileSelector(plain);
  const out: PodSource[] = [];
  const { owners, bases, experiments } = memo(lookup, `argo-pods:${scopeKey(scope)}`, () => {
    // A Rollout with workloadRef takes its pod template from a Deployment: those pods are the Rollout's.
    const owners = new Map<ManifestObject, ManifestObject>();
    const bases = new Map<ManifestObject, PodTemplate>();
    for (const rollout of lookup.all('Rollout', scope).filter(isArgo)) {
      const own = cachedPodTemplate(rollout);
      const target = own ? undefined : workloadRefTarget(lookup, rollout);
      const base = own ?? (target ? cachedPodTemplate(target) : undefined);
      if (target) owners.set(target, rollout);
      if (base) bases.set(rollout, base);
    }
    return { owners, bases, experiments: lookup.all('Experiment', scope).filter(isArgo) };
  });
  for (const { object, template } of workloadCandidates(lookup, plain, scope)) {
    if (!matches(template.labels)) continue;
    const owner = owners.get(object);
    if (owner && out.some((p) => p.object === owner)) continue;
    out.push({ object: owner ?? object, labels: template.labels, template });
  }
  for (const [rollout, base] of bases) {
    if (out.some((p) => p.object === rollout)) continue;
    for (const { variant, labels } of rolloutVariants(rollout)) {
      const merged = { ...base.labels, ...labels };
      if (matches(merged)) {
        out.push({ object: rollout, labels: merged, template: base, variant });
        break;
      }
    }
  }
  for (const experiment of experiments) {
    for (const t of asArray(get(experiment.data, ['spec', 'templates']))) {
      const template = asRecord(t);
      const labels = stringMap(get(template, ['template', 'metadata', 'labels']));
      if (Object.keys(labels).length && matches(labels)) {
        out.push({ object: experiment, labels, variant: `template ${asString(template.name) ?? ''}`.trim() });
        break;
      }
    }
  }
  return out;
}

/** Images of the (non-init) containers of a pod template. */
export function containerImages(template: PodTemplate): string[] {
  return asArray(template.spec.containers).map((c) => asString(asRecord(c).image) ?? '');
}

/**
 * Whether objects describe a namespace scope: for a namespace, one of them is written in it (objects
 * without namespace can go anywhere, so they do not show that the workspace describes it).
 */
export function describesScope(objects: readonly ManifestObject[], scope: NamespaceScope): boolean {
  return scope === undefined ? objects.length > 0 : objects.some((o) => o.namespaceWritten && o.namespace === scope);
}

/** The folder of a file path or URI (`a/b/c.yaml` → `a/b`). */
const folderOf = (file: string): string =>
  file
    .replace(/\\/g, '/')
    .replace(/\/[^/]*$/, '')
    .replace(/^[^/]*$/, '');

/** One folder holds the other (or they are the same): one app's manifests and its subfolders. */
const nestedFolders = (a: string, b: string): boolean => a === b || a === '' || b === '' || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/**
 * Whether the workspace owns the namespace a reference written in `from` points into, so that a
 * Service missing there is missing, not merely unseen: it creates the Namespace, or Services of
 * that namespace sit in `from`'s folder or one nested with it (the same app). Another folder's
 * objects in a shared namespace (the istio-system addons beside a VirtualService for istiod, which
 * istioctl installs) do not make it owned. Without a namespace, any Service describes the scope.
 */
export function ownsNamespace(lookup: Lookup, services: readonly ManifestObject[], scope: NamespaceScope, from: ManifestObject): boolean {
  if (scope === undefined) return services.length > 0;
  if (lookup.find('Namespace', undefined, scope)) return true;
  const folder = folderOf(from.file);
  return services.some((o) => o.namespaceWritten && o.namespace === scope && nestedFolders(folderOf(o.file), folder));
}

/** Whether the workspace describes the workloads of a scope (else a selector cannot be judged). */
export function hasWorkloads(lookup: Lookup, scope: NamespaceScope): boolean {
  return memo(lookup, `has-workloads:${scopeKey(scope)}`, () => {
    const workloads = workloadsIn(lookup, scope);
    const experiments = lookup.all('Experiment', scope);
    return derived(`has-workloads:${scopeKey(scope)}`, [workloads, experiments], () =>
      describesScope([...workloads.map((w) => w.object), ...experiments.filter(isArgo)], scope),
    );
  });
}

/** `app=checkout, version=v2` for messages. */
export function describeLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : '(no labels)';
}

/** A selector (plain map or LabelSelector) for messages. */
export function describeSelector(selector: unknown): string {
  const s = asRecord(selector);
  if (!('matchLabels' in s || 'matchExpressions' in s)) return describeLabels(stringMap(s));
  const parts = Object.entries(stringMap(s.matchLabels)).map(([k, v]) => `${k}=${v}`);
  for (const e of asArray(s.matchExpressions)) {
    const { key, operator, values } = asRecord(e);
    parts.push(`${String(key)} ${String(operator)}${asArray(values).length ? ` (${asArray(values).map(String).join(', ')})` : ''}`);
  }
  return parts.join(', ') || '(empty)';
}

/* ---------- Argo Rollouts ---------- */

/** The Services an Argo Rollout points at, by role. */
export function rolloutServices(rollout: ManifestObject): { role: string; name: string; path: Path }[] {
  const out: { role: string; name: string; path: Path }[] = [];
  const add = (role: string, path: Path): void => {
    const name = asString(get(rollout.data, path));
    if (name) out.push({ role, name, path });
  };
  add('canaryService', ['spec', 'strategy', 'canary', 'canaryService']);
  add('stableService', ['spec', 'strategy', 'canary', 'stableService']);
  add('pingService', ['spec', 'strategy', 'canary', 'pingPong', 'pingService']);
  add('pongService', ['spec', 'strategy', 'canary', 'pingPong', 'pongService']);
  add('activeService', ['spec', 'strategy', 'blueGreen', 'activeService']);
  add('previewService', ['spec', 'strategy', 'blueGreen', 'previewService']);
  return out;
}

/** `name` or `name.namespace` (Argo accepts both for VirtualServices and DestinationRules). */
export function splitArgoName(value: string, rollout: ManifestObject): { name: string; scope: NamespaceScope } {
  const dot = value.indexOf('.');
  return dot > 0 ? { name: value.slice(0, dot), scope: value.slice(dot + 1) } : { name: value, scope: scopeOf(rollout) };
}

/* ---------- Durations ---------- */

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** An Istio (Go / protobuf) duration in milliseconds: `1.5s`, `250ms`, `1m30s`, `2h`. Undefined when invalid. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '0') return 0;
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|\u00b5s|ns)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const m = pattern.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = pattern.lastIndex;
  }
  return at > 0 ? total : undefined;
}

/** Milliseconds as an Istio duration: `8s`, `1500ms`, `2m`. */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}
