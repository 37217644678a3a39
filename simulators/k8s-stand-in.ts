/**
 * A Kubernetes API server stand-in over HTTP for tests and the playground. It follows the API
 * conventions the real client relies on: discovery (/api, /apis, resource lists), namespaced
 * list with resourceVersion and labelSelector, get, create, PUT with a resourceVersion
 * precondition, PATCH (JSON patch with `test`, merge patch, strategic merge for built-in kinds),
 * delete, watch (replay from a resourceVersion, 410 Gone when it is compacted away, bookmarks),
 * the status subresource of Argo Rollouts, Status objects for every error, bearer-token
 * authorization with SelfSubjectAccessReview, server-side apply and `dryRun=All` (validated,
 * never stored: immutable fields, required fields and admission answer 422/403 as on a real
 * server) and fault hooks (conflicting writers, a stopped server, an admission policy).
 *
 * One generic handler over a resource table; no test-framework imports.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { temporaryDirectory } from './temp';

export interface ResourceType {
  group: string;
  versions: string[];
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  /** Writes to the object leave status alone; /status writes change only status. */
  statusSubresource?: boolean;
  /** Built-in kinds take strategic merge patches; custom resources answer 415. */
  builtIn: boolean;
  shortNames?: string[];
  /** Served only when the Argo Rollouts CRDs are installed. */
  argo?: boolean;
  /** Served only when the OpenFeature Operator's CRDs are installed. */
  openFeature?: boolean;
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCE_TABLE: ResourceType[] = [
  { group: '', versions: ['v1'], kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, builtIn: true, shortNames: ['ns'] },
  { group: '', versions: ['v1'], kind: 'Service', plural: 'services', singular: 'service', namespaced: true, builtIn: true, shortNames: ['svc'] },
  { group: '', versions: ['v1'], kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, builtIn: true, shortNames: ['po'] },
  { group: '', versions: ['v1'], kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true, builtIn: true, shortNames: ['cm'] },
  { group: '', versions: ['v1'], kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true, builtIn: true },
  {
    group: '',
    versions: ['v1'],
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    namespaced: true,
    builtIn: true,
    shortNames: ['sa'],
  },
  {
    group: '',
    versions: ['v1'],
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    namespaced: true,
    builtIn: true,
    statusSubresource: true,
    shortNames: ['pvc'],
  },
  {
    group: 'networking.k8s.io',
    versions: ['v1'],
    kind: 'Ingress',
    plural: 'ingresses',
    singular: 'ingress',
    namespaced: true,
    builtIn: true,
    statusSubresource: true,
    shortNames: ['ing'],
  },
  {
    group: 'apps',
    versions: ['v1'],
    kind: 'Deployment',
    plural: 'deployments',
    singular: 'deployment',
    namespaced: true,
    builtIn: true,
    statusSubresource: true,
    shortNames: ['deploy'],
  },
  {
    group: 'apps',
    versions: ['v1'],
    kind: 'ReplicaSet',
    plural: 'replicasets',
    singular: 'replicaset',
    namespaced: true,
    builtIn: true,
    statusSubresource: true,
    shortNames: ['rs'],
  },
  {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'VirtualService',
    plural: 'virtualservices',
    singular: 'virtualservice',
    namespaced: true,
    builtIn: false,
    shortNames: ['vs'],
  },
  {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'DestinationRule',
    plural: 'destinationrules',
    singular: 'destinationrule',
    namespaced: true,
    builtIn: false,
    shortNames: ['dr'],
  },
  {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'Gateway',
    plural: 'gateways',
    singular: 'gateway',
    namespaced: true,
    builtIn: false,
    shortNames: ['gw'],
  },
  {
    group: 'argoproj.io',
    versions: ['v1alpha1'],
    kind: 'Rollout',
    plural: 'rollouts',
    singular: 'rollout',
    namespaced: true,
    builtIn: false,
    statusSubresource: true,
    shortNames: ['ro'],
    argo: true,
  },
  {
    group: 'argoproj.io',
    versions: ['v1alpha1'],
    kind: 'AnalysisTemplate',
    plural: 'analysistemplates',
    singular: 'analysistemplate',
    namespaced: true,
    builtIn: false,
    argo: true,
  },
  {
    group: 'core.openfeature.dev',
    versions: ['v1beta1'],
    kind: 'FeatureFlag',
    plural: 'featureflags',
    singular: 'featureflag',
    namespaced: true,
    builtIn: false,
    openFeature: true,
  },
];

type Json = Record<string, unknown>;
export interface StoredObject extends Json {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion: string;
    uid: string;
    generation: number;
    creationTimestamp: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, as the event log (and watches) see it. */
export interface ChangeEvent {
  resourceVersion: number;
  type: WatchEventType;
  type_: ResourceType;
  namespace: string;
  name: string;
  object: StoredObject;
}

/** One request as the stand-in received it (never with the token). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  user?: string;
  status: number;
  body?: unknown;
}

/** What a user may do: verbs × resources ("virtualservices", "rollouts/status", or "*"). */
export interface AccessRule {
  verbs: string[] | '*';
  resources: string[] | '*';
  namespaces?: string[];
}

export interface StandInOptions {
  /** Serve the Argo Rollouts CRDs (rollouts, analysistemplates). Default true. */
  argoRollouts?: boolean;
  /** Serve the OpenFeature Operator's FeatureFlag CRD (featureflags.core.openfeature.dev). Default false. */
  openFeatureOperator?: boolean;
  /** Bearer token → user and rules. Without it every request is allowed. */
  users?: Record<string, { name: string; rules: AccessRule[] }>;
  /** Oldest resourceVersion a watch may start from is `latest - keepEvents` (default 10,000). */
  keepEvents?: number;
  /** Answer the discovery paths (/api, /apis, resource lists). Default true; false mimics a minimal server. */
  discovery?: boolean;
  /** Serve HTTPS with a self-signed certificate for 127.0.0.1 (made by openssl); the kubeconfig carries it as the CA. */
  tls?: boolean;
  /**
   * A validating admission policy: a message denies the write (403, as a webhook's denial is
   * reported), dry runs included.
   */
  admission?: (object: Json, operation: 'CREATE' | 'UPDATE') => string | undefined;
  /** Kinds this server does not serve (an older or trimmed API server): their paths answer 404. */
  omitKinds?: string[];
  /** Answer SelfSubjectAccessReviews. Default true; false mimics a server without the authorization API (404). */
  accessReviews?: boolean;
  /** ResourceQuotas on object counts (`count/<plural>.<group>`): a create beyond `max` in the namespace is 403, dry runs included. */
  quotas?: { namespace: string; kind: string; max: number }[];
}

let selfSigned: { key: string; cert: string } | undefined;

/** A self-signed certificate for 127.0.0.1 and localhost, made once per process with openssl. */
function selfSignedCertificate(): { key: string; cert: string } {
  if (selfSigned) return selfSigned;
  const dir = temporaryDirectory('k8s-stand-in-tls-');
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=kubernetes-stand-in',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    selfSigned = { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
    return selfSigned;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Json,
  ) {
    super(message);
  }
}

const clone = <T>(value: T): T => structuredClone(value);
const isObject = (value: unknown): value is Json => !!value && typeof value === 'object' && !Array.isArray(value);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: Json = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new ApiError(422, 'Invalid', `invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(document: unknown, path: string): { parent: Json | unknown[]; key: string } {
  const parts = pointer(path);
  if (parts.length === 0) throw new ApiError(422, 'Invalid', 'cannot patch the document root');
  let node: unknown = document;
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined;
    if (node === undefined) throw new ApiError(422, 'Invalid', `doc is missing path: "${path}": missing value`);
  }
  if (!Array.isArray(node) && !isObject(node)) throw new ApiError(422, 'Invalid', `doc is missing path: "${path}": missing value`);
  return { parent: node, key: parts[parts.length - 1]! };
}

function valueAt(document: unknown, path: string): unknown {
  let node: unknown = document;
  for (const part of pointer(path)) node = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined;
  return node;
}

const deepEqual = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (isObject(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical(value[k])]),
    );
  return value;
}

/** RFC 6902 JSON patch; a failed `test` is a 422 as the API server answers it. */
export function jsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new ApiError(400, 'BadRequest', 'a JSON patch must be a list of operations');
  const doc = clone(document);
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string')
      throw new ApiError(400, 'BadRequest', `invalid JSON patch operation ${JSON.stringify(raw)}`);
    const { op, path: at } = raw;
    const add = (where: string, value: unknown): void => {
      const { parent, key } = parentOf(doc, where);
      if (Array.isArray(parent)) {
        const index = key === '-' ? parent.length : Number(key);
        if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new ApiError(422, 'Invalid', `index out of bounds at "${where}"`);
        parent.splice(index, 0, clone(value));
      } else parent[key] = clone(value);
    };
    const remove = (where: string): unknown => {
      const { parent, key } = parentOf(doc, where);
      if (Array.isArray(parent)) {
        const index = Number(key);
        if (!(index >= 0 && index < parent.length)) throw new ApiError(422, 'Invalid', `unable to remove nonexistent key: ${where}: missing value`);
        return parent.splice(index, 1)[0];
      }
      if (!(key in parent)) throw new ApiError(422, 'Invalid', `unable to remove nonexistent key: ${key}: missing value`);
      const old = parent[key];
      delete parent[key];
      return old;
    };
    switch (op) {
      case 'add':
        add(at, raw.value);
        break;
      case 'remove':
        remove(at);
        break;
      case 'replace': {
        const { parent, key } = parentOf(doc, at);
        if (Array.isArray(parent) ? !(Number(key) >= 0 && Number(key) < parent.length) : !(key in parent))
          throw new ApiError(422, 'Invalid', `replace operation does not apply: doc is missing key: ${at}: missing value`);
        (parent as Json)[key] = clone(raw.value);
        break;
      }
      case 'test':
        if (!deepEqual(valueAt(doc, at), raw.value)) throw new ApiError(422, 'Invalid', `testing value ${at} failed: test failed`);
        break;
      case 'move':
      case 'copy': {
        if (typeof raw.from !== 'string') throw new ApiError(400, 'BadRequest', `${op} needs "from"`);
        const value = op === 'move' ? remove(raw.from) : clone(valueAt(doc, raw.from));
        add(at, value);
        break;
      }
      default:
        throw new ApiError(400, 'BadRequest', `unknown JSON patch operation "${op}"`);
    }
  }
  return doc;
}

/** Kubernetes label selectors: a=b, a==b, a!=b, a in (x,y), a notin (x), a, !a. */
export function parseLabelSelector(text: string): (labels: Record<string, string>) => boolean {
  const tests: ((labels: Record<string, string>) => boolean)[] = [];
  const parts = text.match(/(?:[^,(]+|\([^)]*\))+/g) ?? [];
  for (const raw of parts.map((p) => p.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(raw))) {
      const [, key, op, list] = m;
      const values = list!.split(',').map((v) => v.trim());
      tests.push((l) => (op === 'in' ? key! in l && values.includes(l[key!]!) : !(key! in l) || !values.includes(l[key!]!)));
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(raw))) {
      const [, key, op, value] = m;
      tests.push((l) => (op === '!=' ? l[key!] !== value : l[key!] === value));
    } else if ((m = /^!([\w./-]+)$/.exec(raw))) {
      const key = m[1]!;
      tests.push((l) => !(key in l));
    } else if ((m = /^([\w./-]+)$/.exec(raw))) {
      const key = m[1]!;
      tests.push((l) => key in l);
    } else throw new ApiError(400, 'BadRequest', `unable to parse requirement: invalid label selector "${raw}"`);
  }
  return (labels) => tests.every((t) => t(labels));
}

interface OpenWatch {
  res: http.ServerResponse;
  type_: ResourceType;
  version: string;
  namespace?: string;
  matches: (labels: Record<string, string>) => boolean;
  bookmarks: boolean;
}

/** Whether access rules let a user do `verb` on `resource` ("secrets", "rollouts/status") in a namespace. */
function allows(rules: AccessRule[], verb: string, resource: string, namespace: string | undefined): boolean {
  return rules.some(
    (rule) =>
      (rule.verbs === '*' || rule.verbs.includes(verb)) &&
      (rule.resources === '*' || rule.resources.includes(resource)) &&
      (!rule.namespaces || (namespace !== undefined && rule.namespaces.includes(namespace))),
  );
}

export class KubernetesStandIn {
  readonly resources: ResourceType[];
  private readonly objects = new Map<string, StoredObject>();
  /** Every change, oldest first (trimmed to keepEvents). */
  readonly events: ChangeEvent[] = [];
  readonly requests: RecordedRequest[] = [];
  private readonly watches = new Set<OpenWatch>();
  private readonly conflicts = new Map<string, number>();
  private revision = 1;
  /** Watches from a resourceVersion below this get 410 Gone. */
  private compactedRevision = 0;
  private server?: http.Server;
  private port = 0;
  private readonly users?: StandInOptions['users'];
  private readonly keepEvents: number;
  private readonly tls?: { key: string; cert: string };
  private readonly serveDiscovery: boolean;
  private readonly admission?: StandInOptions['admission'];
  private readonly quotas: NonNullable<StandInOptions['quotas']>;
  private readonly serveAccessReviews: boolean;

  constructor(options: StandInOptions = {}) {
    this.serveAccessReviews = options.accessReviews !== false;
    this.admission = options.admission;
    this.quotas = options.quotas ?? [];
    this.resources = RESOURCE_TABLE.filter(
      (r) => (options.argoRollouts !== false || !r.argo) && (options.openFeatureOperator === true || !r.openFeature) && !options.omitKinds?.includes(r.kind),
    );
    this.users = options.users;
    this.keepEvents = options.keepEvents ?? 10_000;
    if (options.tls) this.tls = selfSignedCertificate();
    this.serveDiscovery = options.discovery !== false;
  }

  /** Starts listening on 127.0.0.1 (a free port the first time, the same port after stop()). */
  async start(): Promise<this> {
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(req, res).catch((error: unknown) => this.sendError(res, new ApiError(500, 'InternalError', (error as Error).message)));
    };
    const server = this.tls ? https.createServer({ key: this.tls.key, cert: this.tls.cert }, listener) : http.createServer(listener);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops answering: open watches are cut and new connections refused (an unreachable cluster). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const w of this.watches) w.res.destroy();
    this.watches.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    if (!this.port) throw new Error('the stand-in has not been started');
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** Watch connections open now. */
  get openWatchCount(): number {
    return this.watches.size;
  }

  /** Resolves when `count` watch connections are open (optionally of one resource plural); rejects after `timeoutMs`. */
  waitForWatches(count: number, plural?: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const n = [...this.watches].filter((w) => !plural || w.type_.plural === plural).length;
        if (n >= count) resolve();
        else if (Date.now() > deadline)
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} open watches${plural ? ` of ${plural}` : ''} (${n} open)`));
        else setTimeout(check, 5);
      };
      check();
    });
  }

  /** Writes a kubeconfig for this server into `dir`; returns its path. */
  writeKubeconfig(dir: string, options: { token?: string; context?: string; namespace?: string; fileName?: string } = {}): string {
    const context = options.context ?? 'stand-in';
    const file = path.join(dir, options.fileName ?? 'kubeconfig');
    const user: Json = options.token ? { token: options.token } : {};
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': context,
      clusters: [
        {
          name: context,
          // Over HTTPS the client verifies the stand-in's certificate; over plain HTTP the client needs the skip flag.
          cluster: this.tls
            ? { server: this.url, 'certificate-authority-data': Buffer.from(this.tls.cert).toString('base64') }
            : { server: this.url, 'insecure-skip-tls-verify': true },
        },
      ],
      users: [{ name: `${context}-user`, user }],
      contexts: [{ name: context, context: { cluster: context, user: `${context}-user`, ...(options.namespace ? { namespace: options.namespace } : {}) } }],
    };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  }

  // ---- seeding and direct access (no HTTP) ----

  /** Stores every document of a (multi-document) YAML text; namespaces are created as needed. */
  seed(yamlText: string, namespace = 'default'): StoredObject[] {
    const stored: StoredObject[] = [];
    for (const doc of parseAllDocuments(yamlText)) {
      if (doc.errors.length) throw new Error(`seed YAML: ${doc.errors[0]!.message}`);
      const object = doc.toJS() as Json | null;
      if (!object) continue;
      stored.push(this.put(object, namespace));
    }
    return stored;
  }

  /** Creates or replaces an object as a controller would (no precondition); emits the watch event. */
  put(object: Json, namespace = 'default'): StoredObject {
    const type_ = this.typeOfObject(object);
    const metadata = (isObject(object.metadata) ? object.metadata : {}) as Json;
    const name = String(metadata.name ?? '');
    if (!name) throw new Error(`seed: ${type_.kind} without metadata.name`);
    const ns = type_.namespaced ? String(metadata.namespace ?? namespace) : undefined;
    if (ns && !this.objects.has(this.key(this.typeByPlural('', 'namespaces'), undefined, ns)))
      this.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const key = this.key(type_, ns, name);
    const existing = this.objects.get(key);
    const next = { ...clone(object), apiVersion: this.apiVersion(type_, String(object.apiVersion ?? '')), kind: type_.kind } as StoredObject;
    next.metadata = { ...(metadata as StoredObject['metadata']), name, ...(ns ? { namespace: ns } : {}) };
    return this.commit(type_, ns, name, next, existing);
  }

  /** The stored object, or undefined. */
  object(kind: string, namespace: string | undefined, name: string): StoredObject | undefined {
    const type_ = this.typeByKind(kind);
    const found = this.objects.get(this.key(type_, type_.namespaced ? namespace : undefined, name));
    return found && clone(found);
  }

  /** Changes a stored object in place, as a controller would (e.g. status.readyReplicas). */
  update(kind: string, namespace: string | undefined, name: string, change: (object: StoredObject) => void): StoredObject {
    const type_ = this.typeByKind(kind);
    const key = this.key(type_, namespace, name);
    const existing = this.objects.get(key);
    if (!existing) throw new Error(`no ${kind} ${namespace}/${name}`);
    const next = clone(existing);
    change(next);
    return this.commit(type_, namespace, name, next, existing);
  }

  remove(kind: string, namespace: string | undefined, name: string): void {
    const type_ = this.typeByKind(kind);
    const key = this.key(type_, namespace, name);
    const existing = this.objects.get(key);
    if (!existing) return;
    this.objects.delete(key);
    const deleted = { ...clone(existing), metadata: { ...existing.metadata, resourceVersion: String(++this.revision) } };
    this.record({ resourceVersion: this.revision, type: 'DELETED', type_, namespace: namespace ?? '', name, object: deleted });
  }

  // ---- fault hooks ----

  /**
   * The next `writes` writes of the object each find it changed by someone else first: its
   * resourceVersion moves on just before the write is checked, so a precondition on the old
   * one fails (409, or 422 for a JSON patch `test`).
   */
  conflictNextWrites(kind: string, namespace: string, name: string, writes: number): void {
    this.conflicts.set(this.key(this.typeByKind(kind), namespace, name), writes);
  }

  /** Forgets the events up to now: a watch from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.compactedRevision = this.revision;
    this.events.length = 0;
  }

  /** Ends every open watch from the server side, as the API server does at its timeout. */
  closeWatches(): void {
    for (const w of this.watches) w.res.end();
    this.watches.clear();
  }

  /** Sends a BOOKMARK with the current resourceVersion to the watches that asked for them. */
  sendBookmarks(): void {
    for (const w of this.watches)
      if (w.bookmarks)
        w.res.write(
          `${JSON.stringify({ type: 'BOOKMARK', object: { kind: w.type_.kind, apiVersion: this.apiVersion(w.type_, w.version), metadata: { resourceVersion: String(this.revision) } } })}\n`,
        );
  }

  /** The latest resourceVersion. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  // ---- internals ----

  private key(type_: ResourceType, namespace: string | undefined, name: string): string {
    return `${type_.group}/${type_.plural}/${type_.namespaced ? (namespace ?? '') : ''}/${name}`;
  }

  private typeByKind(kind: string): ResourceType {
    const found = this.resources.find((r) => r.kind === kind || r.plural === kind);
    if (!found) throw new Error(`the stand-in does not serve ${kind}`);
    return found;
  }

  private typeByPlural(group: string, plural: string): ResourceType {
    return this.resources.find((r) => r.group === group && r.plural === plural)!;
  }

  private typeOfObject(object: Json): ResourceType {
    const apiVersion = String(object.apiVersion ?? '');
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
    const found = this.resources.find((r) => r.group === group && r.kind === object.kind);
    if (!found) throw new Error(`the stand-in does not serve ${String(object.kind)} of ${apiVersion || 'no apiVersion'}`);
    return found;
  }

  private apiVersion(type_: ResourceType, requested: string): string {
    const version = requested.includes('/') ? requested.split('/')[1]! : requested;
    const v = type_.versions.includes(version) ? version : type_.versions[0]!;
    return type_.group ? `${type_.group}/${v}` : v;
  }

  private commit(type_: ResourceType, namespace: string | undefined, name: string, next: StoredObject, existing: StoredObject | undefined): StoredObject {
    const key = this.key(type_, namespace, name);
    const specChanged = !existing || !deepEqual(existing.spec, next.spec);
    next.metadata = {
      ...next.metadata,
      name,
      ...(namespace && type_.namespaced ? { namespace } : {}),
      uid: existing?.metadata.uid ?? crypto.randomUUID(),
      creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      generation: existing ? existing.metadata.generation + (specChanged ? 1 : 0) : 1,
      resourceVersion: String(++this.revision),
    };
    this.objects.set(key, next);
    this.record({ resourceVersion: this.revision, type: existing ? 'MODIFIED' : 'ADDED', type_, namespace: namespace ?? '', name, object: clone(next) });
    return clone(next);
  }

  private record(event: ChangeEvent): void {
    this.events.push(event);
    if (this.events.length > this.keepEvents) {
      const dropped = this.events.splice(0, this.events.length - this.keepEvents);
      this.compactedRevision = dropped[dropped.length - 1]!.resourceVersion;
    }
    for (const w of this.watches) if (this.watchWants(w, event)) this.sendEvent(w, event);
  }

  private watchWants(w: OpenWatch, event: ChangeEvent): boolean {
    return w.type_ === event.type_ && (!w.namespace || w.namespace === event.namespace) && w.matches(event.object.metadata.labels ?? {});
  }

  private sendEvent(w: OpenWatch, event: ChangeEvent): void {
    w.res.write(`${JSON.stringify({ type: event.type, object: { ...event.object, apiVersion: this.apiVersion(w.type_, w.version) } })}\n`);
  }

  private sendJson(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private status(error: ApiError): Json {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: error.message,
      reason: error.reason,
      ...(error.details ? { details: error.details } : {}),
      code: error.code,
    };
  }

  private sendError(res: http.ServerResponse, error: ApiError): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.sendJson(res, error.code, this.status(error));
  }

  private authorize(
    req: http.IncomingMessage,
    verb: string,
    type_: ResourceType | undefined,
    resource: string,
    namespace: string | undefined,
    name: string | undefined,
  ): string | undefined {
    if (!this.users) return undefined;
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : undefined;
    const user = token ? this.users[token] : undefined;
    if (!user) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    if (!type_) return user.name;
    if (!allows(user.rules, verb, resource, namespace)) {
      const groupText = type_.group ? `${resource}.${type_.group}` : resource;
      throw new ApiError(
        403,
        'Forbidden',
        `${groupText}${name ? ` "${name}"` : ''} is forbidden: User "${user.name}" cannot ${verb} resource "${resource.split('/')[0]}"${resource.includes('/') ? ` (subresource "${resource.split('/')[1]}")` : ''} in API group "${type_.group}"${namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'}`,
        { name, group: type_.group, kind: type_.plural },
      );
    }
    return user.name;
  }

  private async readBody(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return undefined;
    // Server-side apply sends YAML (JSON is YAML too).
    const yaml = (req.headers['content-type'] ?? '').startsWith('application/apply-patch+yaml');
    try {
      return yaml ? parseYaml(text) : JSON.parse(text);
    } catch {
      throw new ApiError(400, 'BadRequest', `the request body is not valid ${yaml ? 'YAML' : 'JSON'}`);
    }
  }

  /** POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews: may the caller do this? (Any authenticated user may ask.) */
  private async accessReview(req: http.IncomingMessage, res: http.ServerResponse, entry: RecordedRequest): Promise<void> {
    const user = this.authorize(req, 'create', undefined, '', undefined, undefined);
    entry.user = user;
    const body = await this.readBody(req);
    entry.body = body;
    const attributes = isObject(body) && isObject(body.spec) && isObject(body.spec.resourceAttributes) ? body.spec.resourceAttributes : undefined;
    if (!attributes)
      throw new ApiError(
        422,
        'Invalid',
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec: Invalid value: resourceAttributes or nonResourceAttributes is required',
      );
    const resource = `${String(attributes.resource ?? '')}${attributes.subresource ? `/${String(attributes.subresource)}` : ''}`;
    const namespace = typeof attributes.namespace === 'string' && attributes.namespace ? attributes.namespace : undefined;
    const rules = this.users && user ? Object.values(this.users).find((u) => u.name === user)?.rules : undefined;
    const allowed = !this.users || (rules !== undefined && allows(rules, String(attributes.verb ?? ''), resource, namespace));
    this.sendJson(res, 201, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: body && isObject(body) ? body.spec : {},
      status: allowed ? { allowed: true, reason: "allowed by the stand-in's rules" } : { allowed: false },
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const query = Object.fromEntries(url.searchParams);
    const entry: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, contentType: req.headers['content-type'], status: 200 };
    this.requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    try {
      await this.route(req, res, url, query, entry);
    } catch (error) {
      if (error instanceof ApiError) this.sendError(res, error);
      else throw error;
    }
  }

  private discovery(pathname: string): unknown {
    const groups = new Map<string, ResourceType[]>();
    for (const r of this.resources) if (r.group) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
    const group = (name: string, types: ResourceType[]): Json => {
      const versions = types[0]!.versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
      return { name, versions, preferredVersion: versions[0] };
    };
    const resourceList = (groupVersion: string, types: ResourceType[]): Json => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion,
      resources: types.flatMap((t) => [
        {
          name: t.plural,
          singularName: t.singular,
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: VERBS,
          ...(t.shortNames ? { shortNames: t.shortNames } : {}),
        },
        ...(t.statusSubresource
          ? [{ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] }]
          : []),
      ]),
    });
    if (pathname === '/version') return { major: '1', minor: '30', gitVersion: 'v1.30.0-stand-in', platform: 'linux/amd64' };
    if (pathname === '/api')
      return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
    if (pathname === '/api/v1')
      return resourceList(
        'v1',
        this.resources.filter((r) => r.group === ''),
      );
    if (pathname === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups].map(([name, types]) => group(name, types)) };
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?\/?$/.exec(pathname);
    if (m) {
      const types = groups.get(m[1]!);
      if (!types) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      if (!m[2]) return { kind: 'APIGroup', apiVersion: 'v1', ...group(m[1]!, types) };
      const served = types.filter((t) => t.versions.includes(m[2]!));
      if (!served.length) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return resourceList(`${m[1]}/${m[2]}`, served);
    }
    return undefined;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, url: URL, query: Record<string, string>, entry: RecordedRequest): Promise<void> {
    const method = req.method ?? 'GET';
    const pathname = url.pathname.replace(/\/+$/, '') || '/';
    if (this.serveAccessReviews && method === 'POST' && pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')
      return this.accessReview(req, res, entry);
    // /api/v1/… or /apis/<group>/<version>/…, then [namespaces/<ns>/]<plural>[/<name>[/<subresource>]]
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.+)$/.exec(pathname);
    let rest = m ? m[4]!.split('/') : [];
    const group = m?.[2] ?? '';
    const version = m ? (m[1] ?? m[3]!) : '';
    let namespace: string | undefined;
    if (m && rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type_ = m ? this.resources.find((r) => r.group === group && r.versions.includes(version) && r.plural === rest[0]) : undefined;
    if (!type_) {
      if (method === 'GET') {
        this.authorize(req, 'get', undefined, '', undefined, undefined);
        const found = this.serveDiscovery ? this.discovery(pathname) : undefined;
        if (found !== undefined) return this.sendJson(res, 200, found);
      }
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const name = rest[1];
    const subresource = rest[2];
    if (type_.namespaced && namespace === undefined && (name || method !== 'GET'))
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (subresource && (subresource !== 'status' || !type_.statusSubresource))
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const resourceName = subresource ? `${type_.plural}/${subresource}` : type_.plural;
    const watching = query.watch === 'true' || query.watch === '1';
    const verb = name
      ? ({ GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method]
      : ({ GET: watching ? 'watch' : 'list', POST: 'create' } as Record<string, string>)[method];
    if (!verb) throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    entry.user = this.authorize(req, verb, type_, resourceName, namespace, name);
    const gv = type_.group ? `${type_.group}/${version}` : version;
    const notFound = (): ApiError =>
      new ApiError(404, 'NotFound', `${type_.group ? `${type_.plural}.${type_.group}` : type_.plural} "${name}" not found`, {
        name,
        group: type_.group,
        kind: type_.plural,
      });
    const out = (o: StoredObject): StoredObject => ({ ...o, apiVersion: gv });

    if (verb === 'list' || verb === 'watch') {
      const matches = query.labelSelector ? parseLabelSelector(query.labelSelector) : () => true;
      if (verb === 'watch') return this.startWatch(res, type_, version, namespace, matches, query);
      const items = [...this.objects.values()]
        .filter((o) => this.typeOfObject(o) === type_ && (!namespace || o.metadata.namespace === namespace) && matches(o.metadata.labels ?? {}))
        .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`))
        .map(out);
      return this.sendJson(res, 200, { apiVersion: gv, kind: `${type_.kind}List`, metadata: { resourceVersion: String(this.revision) }, items });
    }

    const key = name ? this.key(type_, namespace, name) : '';
    const existing = name ? this.objects.get(key) : undefined;
    if (verb === 'get') {
      if (!existing) throw notFound();
      return this.sendJson(res, 200, out(existing));
    }
    if (verb === 'delete') {
      if (!existing) throw notFound();
      this.remove(type_.kind, namespace, name!);
      return this.sendJson(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, group: type_.group, kind: type_.plural, uid: existing.metadata.uid },
      });
    }
    const body = await this.readBody(req);
    entry.body = body;
    if (query.dryRun !== undefined && query.dryRun !== 'All')
      throw new ApiError(400, 'BadRequest', `Invalid dryRun value: ${query.dryRun}; the only supported value is "All"`);
    const dryRun = query.dryRun === 'All';
    const apply = verb === 'patch' && (req.headers['content-type'] ?? '').startsWith('application/apply-patch+yaml');
    if (apply && !query.fieldManager) throw new ApiError(400, 'BadRequest', 'fieldManager is required for apply requests');
    if (apply && (!isObject(body) || !isObject(body.metadata) || body.metadata.name !== name))
      throw new ApiError(
        400,
        'BadRequest',
        `the name of the object (${String(isObject(body) && isObject(body.metadata) ? body.metadata.name : undefined)}) does not match the name on the URL (${name})`,
      );
    // Server-side apply of an object that does not exist creates it.
    if (verb === 'create' || (apply && !existing)) {
      if (!isObject(body) || !isObject(body.metadata) || typeof body.metadata.name !== 'string')
        throw new ApiError(422, 'Invalid', `${type_.kind} is invalid: metadata.name: Required value: name is required`);
      const newName = body.metadata.name;
      if (type_.namespaced && !this.objects.has(this.key(this.typeByPlural('', 'namespaces'), undefined, namespace!)))
        throw new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
      if (this.objects.has(this.key(type_, namespace, newName)))
        throw new ApiError(409, 'AlreadyExists', `${type_.group ? `${type_.plural}.${type_.group}` : type_.plural} "${newName}" already exists`, {
          name: newName,
          group: type_.group,
          kind: type_.plural,
        });
      const candidate = { ...body, apiVersion: gv, kind: type_.kind, metadata: { ...body.metadata, namespace } } as StoredObject;
      this.validate(type_, candidate, undefined);
      if (dryRun) return this.sendJson(res, 201, out(this.preview(type_, namespace, newName, candidate, undefined)));
      return this.sendJson(res, 201, out(this.commit(type_, namespace, newName, candidate, undefined)));
    }
    // update (PUT) and patch
    if (!existing) throw notFound();
    this.injectConflict(type_, namespace, name!);
    const current = this.objects.get(key)!;
    let next: unknown;
    if (verb === 'update') {
      if (!isObject(body) || !isObject(body.metadata)) throw new ApiError(400, 'BadRequest', 'the body of an update must be an object with metadata');
      const rv = body.metadata.resourceVersion;
      if (rv === undefined || rv === '') {
        if (!type_.builtIn)
          throw new ApiError(
            422,
            'Invalid',
            `${type_.kind}.${type_.group} "${name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`,
          );
      } else if (rv !== current.metadata.resourceVersion) throw this.conflict(type_, name!);
      next = { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } };
    } else {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (contentType === 'application/json-patch+json') next = jsonPatch(current, body);
      // Server-side apply, modelled as a merge of the applied configuration (no field ownership).
      else if (apply)
        next = mergePatch(current, {
          ...(body as Json),
          metadata: { ...((body as Json).metadata as Json), resourceVersion: current.metadata.resourceVersion },
        });
      else if (contentType === 'application/merge-patch+json') next = mergePatch(current, body);
      else if (contentType === 'application/strategic-merge-patch+json') {
        if (!type_.builtIn)
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
          );
        next = mergePatch(current, body);
      } else
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${type_.builtIn ? ', application/strategic-merge-patch+json' : ''}`,
        );
      if (!isObject(next) || !isObject(next.metadata)) throw new ApiError(422, 'Invalid', 'the patch removed metadata');
      // A patch that carries a resourceVersion is a precondition, as on the real API server.
      if (next.metadata.resourceVersion !== current.metadata.resourceVersion) throw this.conflict(type_, name!);
    }
    const object = next as StoredObject;
    if (object.metadata.name !== name)
      throw new ApiError(400, 'BadRequest', `the name of the object (${String(object.metadata.name)}) does not match the name on the URL (${name})`);
    // The status subresource: a write to the object keeps its status, a write to /status keeps the rest.
    let result: StoredObject = { ...object, apiVersion: current.apiVersion, kind: type_.kind };
    if (type_.statusSubresource) {
      if (subresource === 'status') result = { ...clone(current), status: object.status } as StoredObject;
      else result = { ...result, status: clone(current.status) } as StoredObject;
      if (result.status === undefined) delete result.status;
    }
    result.metadata = {
      ...result.metadata,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      generation: current.metadata.generation,
      namespace: current.metadata.namespace,
    };
    if (!type_.namespaced) delete result.metadata.namespace;
    if (deepEqual({ ...result, metadata: { ...result.metadata, resourceVersion: '' } }, { ...current, metadata: { ...current.metadata, resourceVersion: '' } }))
      return this.sendJson(res, 200, out(current)); // no change: no new resourceVersion, no event
    this.validate(type_, result, current);
    if (dryRun) return this.sendJson(res, 200, out(this.preview(type_, namespace, name!, result, current)));
    return this.sendJson(res, 200, out(this.commit(type_, namespace, name!, result, current)));
  }

  /** What commit would store, without storing it or recording an event (dryRun=All). */
  private preview(type_: ResourceType, namespace: string | undefined, name: string, next: StoredObject, existing: StoredObject | undefined): StoredObject {
    return clone({
      ...next,
      metadata: {
        ...next.metadata,
        name,
        ...(namespace && type_.namespaced ? { namespace } : {}),
        uid: existing?.metadata.uid ?? crypto.randomUUID(),
        creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        generation: existing ? existing.metadata.generation : 1,
        resourceVersion: existing?.metadata.resourceVersion ?? '',
      },
    });
  }

  /** The API server's checks that a write (dry run or not) must pass: required fields, immutable fields, admission. */
  private validate(type_: ResourceType, next: StoredObject, existing: StoredObject | undefined): void {
    const what = `${type_.kind}${type_.group ? `.${type_.group}` : ''} "${next.metadata.name}"`;
    const invalid = (causes: { field: string; message: string }[]): ApiError =>
      new ApiError(422, 'Invalid', `${what} is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, {
        name: next.metadata.name,
        group: type_.group,
        kind: type_.kind,
        causes: causes.map((c) => ({
          reason: c.message.startsWith('Required') ? 'FieldValueRequired' : 'FieldValueInvalid',
          message: c.message,
          field: c.field,
        })),
      });
    const spec = isObject(next.spec) ? next.spec : {};
    if (type_.kind === 'Deployment') {
      const template = isObject(spec.template) ? spec.template : {};
      const containers = isObject(template.spec) ? template.spec.containers : undefined;
      if (!Array.isArray(containers) || containers.length === 0) throw invalid([{ field: 'spec.template.spec.containers', message: 'Required value' }]);
      if (existing && !deepEqual(spec.selector, (existing.spec as Json | undefined)?.selector))
        throw invalid([{ field: 'spec.selector', message: `Invalid value: ${JSON.stringify(spec.selector)}: field is immutable` }]);
    }
    if ((type_.kind === 'Secret' || type_.kind === 'ConfigMap') && existing?.immutable === true) {
      if (!deepEqual(next.data, existing.data)) throw invalid([{ field: 'data', message: 'Forbidden: field is immutable when `immutable` is set' }]);
      if (next.immutable !== true) throw invalid([{ field: 'immutable', message: 'Forbidden: field is immutable when `immutable` is set' }]);
    }
    const namespace = next.metadata.namespace;
    const quota = existing ? undefined : this.quotas.find((q) => q.kind === type_.kind && q.namespace === namespace);
    if (quota) {
      const used = [...this.objects.values()].filter((o) => o.kind === type_.kind && o.metadata.namespace === namespace).length;
      const resource = `count/${type_.plural}${type_.group ? `.${type_.group}` : ''}`;
      if (used + 1 > quota.max)
        throw new ApiError(
          403,
          'Forbidden',
          `${type_.plural}${type_.group ? `.${type_.group}` : ''} "${next.metadata.name}" is forbidden: exceeded quota: stand-in-quota, requested: ${resource}=1, used: ${resource}=${used}, limited: ${resource}=${quota.max}`,
        );
    }
    const denied = this.admission?.(next, existing ? 'UPDATE' : 'CREATE');
    if (denied) throw new ApiError(403, 'Forbidden', `admission webhook "policy.stand-in.local" denied the request: ${denied}`);
  }

  private conflict(type_: ResourceType, name: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${type_.group ? `${type_.plural}.${type_.group}` : type_.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: type_.group, kind: type_.plural },
    );
  }

  private injectConflict(type_: ResourceType, namespace: string | undefined, name: string): void {
    const key = this.key(type_, namespace, name);
    const left = this.conflicts.get(key);
    if (!left) return;
    if (left <= 1) this.conflicts.delete(key);
    else this.conflicts.set(key, left - 1);
    const current = this.objects.get(key)!;
    // Another writer got there first: same content, new resourceVersion (as a controller's no-op status write would be).
    const annotations = {
      ...((current.metadata.annotations as Record<string, string> | undefined) ?? {}),
      'stand-in/concurrent-writer': String(this.revision + 1),
    };
    this.commit(type_, namespace, name, { ...clone(current), metadata: { ...clone(current.metadata), annotations } }, current);
  }

  private startWatch(
    res: http.ServerResponse,
    type_: ResourceType,
    version: string,
    namespace: string | undefined,
    matches: (labels: Record<string, string>) => boolean,
    query: Record<string, string>,
  ): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const w: OpenWatch = { res, type_, version, namespace, matches, bookmarks: query.allowWatchBookmarks === 'true' };
    const from = query.resourceVersion;
    if (from && from !== '0' && Number(from) < this.compactedRevision) {
      // As the API server does: the stream opens, says 410 Expired, and closes.
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${from} (${this.compactedRevision})`, reason: 'Expired', code: 410 } })}\n`,
      );
      return;
    }
    if (!from || from === '0') {
      for (const o of this.objects.values())
        if (this.typeOfObject(o) === type_ && (!namespace || o.metadata.namespace === namespace) && matches(o.metadata.labels ?? {}))
          this.sendEvent(w, {
            resourceVersion: Number(o.metadata.resourceVersion),
            type: 'ADDED',
            type_,
            namespace: o.metadata.namespace ?? '',
            name: o.metadata.name,
            object: o,
          });
    } else for (const event of this.events) if (event.resourceVersion > Number(from) && this.watchWants(w, event)) this.sendEvent(w, event);
    this.watches.add(w);
    // timeoutSeconds: the server ends the watch cleanly after that long, as the API server does.
    const timeout = Number(query.timeoutSeconds) > 0 ? setTimeout(() => res.end(), Number(query.timeoutSeconds) * 1000) : undefined;
    res.on('close', () => {
      this.watches.delete(w);
      if (timeout) clearTimeout(timeout);
    });
  }
}

/** Starts a stand-in (on a free port) seeded with the given YAML texts. */
export async function startStandIn(options: StandInOptions & { seed?: string[]; namespace?: string } = {}): Promise<KubernetesStandIn> {
  const standIn = new KubernetesStandIn(options);
  for (const text of options.seed ?? []) standIn.seed(text, options.namespace);
  return standIn.start();
}
