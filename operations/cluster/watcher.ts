/**
 * CanaryWatcher: list + watch of the objects canaries are made of, in the namespaces asked for
 * (and the Services, DestinationRules and workloads of other namespaces their routes lead to),
 * emitting the current canaries (most urgent first) on every change. Reconnects with backoff,
 * lists again when the API server says the resourceVersion is too old (410 Gone), and reports an
 * unreachable cluster or denied access as a state instead of throwing. dispose() stops every watch.
 */
import { Watch } from '@kubernetes/client-node';
import type { CanaryKind, ClusterClient, KubeObject } from './client';
import { sortByAttention } from './attention';
import { buildCanaries, routedNamespaces, type ClusterSnapshot } from './discovery';
import { ClusterError, httpStatusOf, toClusterError } from './errors';
import type { Canary } from './model';

export type WatchState =
  | { kind: 'connecting' }
  | { kind: 'ready' }
  /** Retrying after the error; the last canaries stay as they were. */
  | { kind: 'unreachable' | 'forbidden' | 'unauthorized' | 'error'; message: string }
  | { kind: 'disposed' };

export interface CanaryWatcherEvent {
  canaries: Canary[];
  state: WatchState;
}

export interface CanaryWatcherOptions {
  /** Delay before reconnect attempt n (1-based); default 250 ms · 2^(n-1), at most 30 s. */
  backoffMs?: (attempt: number) => number;
  /** Ask the server for BOOKMARK events (default true). */
  bookmarks?: boolean;
}

const KINDS: CanaryKind[] = ['VirtualService', 'DestinationRule', 'Service', 'Deployment', 'Rollout'];
/** What a route into another namespace needs from there (its VirtualServices are not canaries asked for). */
const ROUTED_KINDS: CanaryKind[] = ['DestinationRule', 'Service', 'Deployment', 'Rollout'];
const SNAPSHOT_FIELD: Record<CanaryKind, Exclude<keyof ClusterSnapshot, 'unreadable'>> = {
  VirtualService: 'virtualServices',
  DestinationRule: 'destinationRules',
  Service: 'services',
  Deployment: 'deployments',
  Rollout: 'rollouts',
};

interface Stream {
  namespace: string;
  kind: CanaryKind;
  objects: Map<string, KubeObject>;
  resourceVersion?: string;
  abort?: AbortController;
  timer?: ReturnType<typeof setTimeout>;
  failures: number;
  error?: ClusterError;
  listed: boolean;
  /** In a namespace a route leads to, not one asked for: its errors leave the view's state alone. */
  routed: boolean;
}

export class CanaryWatcher {
  private readonly listeners = new Set<(event: CanaryWatcherEvent) => void>();
  private readonly streams: Stream[] = [];
  private readonly watch: Watch;
  private disposed = false;
  private started = false;
  private emitQueued = false;
  private current: CanaryWatcherEvent = { canaries: [], state: { kind: 'connecting' } };

  constructor(
    private readonly client: ClusterClient,
    readonly namespaces: readonly string[],
    private readonly options: CanaryWatcherOptions = {},
  ) {
    this.watch = new Watch(client.kc);
  }

  /** The latest canaries and state. */
  get snapshot(): CanaryWatcherEvent {
    return this.current;
  }

  /** Calls `listener` on every change (and once at once with the current value when `replay`). */
  onDidChange(listener: (event: CanaryWatcherEvent) => void, replay = false): { dispose(): void } {
    this.listeners.add(listener);
    if (replay) listener(this.current);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Starts listing and watching; resolves when the first attempt at every list has settled. */
  async start(): Promise<void> {
    if (this.started || this.disposed) return;
    this.started = true;
    // Rollouts too: whether their CRD is installed is asked at each (re)list, so an unreachable
    // cluster at start does not leave them out for good.
    for (const namespace of this.namespaces) for (const kind of KINDS) this.streams.push(newStream(namespace, kind, false));
    await Promise.all(this.streams.map((s) => this.list(s)));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.streams) {
      s.abort?.abort();
      s.abort = undefined;
      if (s.timer) clearTimeout(s.timer);
    }
    this.current = { canaries: this.current.canaries, state: { kind: 'disposed' } };
    this.listeners.clear();
  }

  private async list(stream: Stream): Promise<void> {
    if (this.disposed) return;
    try {
      if (stream.kind === 'Rollout' && !(await this.client.resource('Rollout'))) {
        stream.objects = new Map();
        stream.listed = true;
        stream.error = undefined;
        this.changed();
        return;
      }
      const list = await this.client.list(stream.kind, stream.namespace);
      if (this.disposed) return;
      stream.objects = new Map(list.items.map((o) => [o.metadata.name, o]));
      stream.resourceVersion = list.resourceVersion;
      stream.listed = true;
      stream.error = undefined;
      this.changed();
      await this.startWatch(stream);
    } catch (error) {
      // A cluster that does not serve DestinationRules (or Rollouts) simply has none.
      if ((stream.kind === 'DestinationRule' || stream.kind === 'Rollout') && error instanceof ClusterError && error.kind === 'not-found') {
        stream.objects = new Map();
        stream.listed = true;
        stream.error = undefined;
        this.changed();
        return;
      }
      this.failed(stream, error, 'list');
    }
  }

  private async startWatch(stream: Stream): Promise<void> {
    if (this.disposed) return;
    let relist = false;
    let path: string;
    try {
      path = await this.client.collectionPath(stream.kind, stream.namespace);
    } catch (error) {
      this.failed(stream, error, 'watch');
      return;
    }
    const startedAt = Date.now();
    // done() may run before watch() resolves (connection refused): keep the controller out of its TDZ.
    const handle: { controller?: AbortController; finished: boolean } = { finished: false };
    const controller = await this.watch.watch(
      path,
      { resourceVersion: stream.resourceVersion, allowWatchBookmarks: this.options.bookmarks ?? true },
      (type: string, object: KubeObject) => {
        if (this.disposed) return;
        const rv = object?.metadata?.resourceVersion;
        if (type === 'ERROR') {
          // In-stream error: 410 Gone means our resourceVersion is too old; list again.
          if ((object as { code?: number }).code === 410) relist = true;
          return;
        }
        if (rv) stream.resourceVersion = rv;
        stream.failures = 0;
        if (type === 'BOOKMARK') return;
        if (type === 'DELETED') stream.objects.delete(object.metadata.name);
        else if (type === 'ADDED' || type === 'MODIFIED') stream.objects.set(object.metadata.name, object);
        this.changed();
      },
      (error: unknown) => {
        handle.finished = true;
        if (handle.controller && stream.abort === handle.controller) stream.abort = undefined;
        if (this.disposed) return;
        if (relist || httpStatusOf(error) === 410) {
          stream.listed = false;
          void this.list(stream);
        } else if (error && !(error instanceof Error && error.name === 'AbortError')) this.failed(stream, error, 'watch');
        // A clean end (the server's watch timeout): watch again from the last resourceVersion,
        // at once unless the watch ended as soon as it began (then back off, not spin).
        else if (Date.now() - startedAt > 1000) this.schedule(stream, () => this.startWatch(stream), 0);
        else this.schedule(stream, () => this.startWatch(stream), this.options.backoffMs?.(1) ?? 1000);
      },
    );
    handle.controller = controller;
    if (this.disposed) controller.abort();
    else if (!handle.finished) stream.abort = controller;
  }

  private failed(stream: Stream, error: unknown, verb: string): void {
    if (this.disposed) return;
    stream.error = toClusterError(error, { verb, resource: this.client.describe(stream.kind, stream.namespace), server: this.client.server });
    stream.failures++;
    const delay = this.options.backoffMs?.(stream.failures) ?? Math.min(30_000, 250 * 2 ** (stream.failures - 1));
    // After an error the resourceVersion may be gone: list again, which also catches up on missed events.
    this.schedule(stream, () => this.list(stream), delay);
    this.changed();
  }

  private schedule(stream: Stream, run: () => Promise<void>, delay: number): void {
    if (stream.timer) clearTimeout(stream.timer);
    stream.timer = setTimeout(() => {
      stream.timer = undefined;
      void run();
    }, delay);
  }

  /** Starts watching the namespaces routes lead to that are not watched yet. */
  private followRoutes(snapshot: ClusterSnapshot): void {
    for (const vs of snapshot.virtualServices)
      for (const namespace of routedNamespaces(vs)) {
        if (this.streams.some((s) => s.namespace === namespace)) continue;
        for (const kind of ROUTED_KINDS) {
          const stream = newStream(namespace, kind, true);
          this.streams.push(stream);
          void this.list(stream);
        }
      }
  }

  private state(): WatchState {
    // A namespace a route leads to may well be closed to this user: its canaries then show unresolved.
    const asked = this.streams.filter((s) => !s.routed);
    const errors = asked.map((s) => s.error).filter((e): e is ClusterError => !!e);
    const worst =
      errors.find((e) => e.kind === 'unreachable') ?? errors.find((e) => e.kind === 'unauthorized') ?? errors.find((e) => e.kind === 'forbidden') ?? errors[0];
    if (worst) {
      const kind = worst.kind === 'unreachable' || worst.kind === 'forbidden' || worst.kind === 'unauthorized' ? worst.kind : 'error';
      return { kind, message: worst.message };
    }
    return asked.every((s) => s.listed) ? { kind: 'ready' } : { kind: 'connecting' };
  }

  /** Coalesces the changes of one tick into one event. */
  private changed(): void {
    if (this.emitQueued || this.disposed) return;
    this.emitQueued = true;
    queueMicrotask(() => {
      this.emitQueued = false;
      if (this.disposed) return;
      const snapshot: ClusterSnapshot = { virtualServices: [], destinationRules: [], services: [], deployments: [], rollouts: [] };
      for (const s of this.streams) snapshot[SNAPSHOT_FIELD[s.kind]].push(...s.objects.values());
      this.followRoutes(snapshot);
      // A route into a namespace that cannot be read says why (the view's state covers the ones asked for).
      snapshot.unreadable = new Map(this.streams.flatMap((s) => (s.routed && s.error ? [[s.namespace, s.error.message] as const] : [])));
      this.current = { canaries: sortByAttention(buildCanaries(snapshot)), state: this.state() };
      for (const listener of this.listeners) listener(this.current);
    });
  }
}

const newStream = (namespace: string, kind: CanaryKind, routed: boolean): Stream => ({
  namespace,
  kind,
  objects: new Map(),
  failures: 0,
  listed: false,
  routed,
});
