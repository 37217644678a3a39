/**
 * The OpenFeature Operator's FeatureFlag resource (core.openfeature.dev/v1beta1) as the place a
 * flagd flag definition lives: `spec.flagSpec` holds `flags` (and `$evaluators`) in flagd's
 * flag-definition format, and flagd sidecars the operator injects serve it. Read with a GET, written
 * with a merge patch of only the changed keys carrying the resourceVersion it was computed from, so
 * a write that raced another one is a 409 from the API server, and the change is computed again.
 */
import type { ClusterClient, KubeObject } from '../cluster/client';
import { ClusterError } from '../cluster/errors';
import { checkedDocument, type FlagdDocument, type FlagdEdit, type FlagdSource } from './flagd';
import { FlagServiceError, type FlagServiceFailure } from './provider';

/** `namespace/name` of a FeatureFlag, as flags.featureFlag writes it. */
/**
 * Connects to the cluster a FeatureFlag is in (the caller's kubeconfig and context), at the first
 * request: the Kubernetes client is loaded only by those who need it (`check` reads an Unleash
 * service without it).
 */
export type ClusterConnector = () => Promise<ClusterClient>;

export const FEATURE_FLAG_REFERENCE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/;

export class FeatureFlagSource implements FlagdSource {
  readonly name: string;
  readonly displayUrl: string;
  private readonly namespace: string;
  private readonly resourceName: string;
  private cluster?: ClusterClient;
  private readonly versions = new WeakMap<FlagdDocument, string>();

  /** The FeatureFlag `namespace/name` in the cluster `connect` reaches. */
  constructor(
    reference: string,
    private readonly connect: ClusterConnector,
  ) {
    const [, namespace, , name] = FEATURE_FLAG_REFERENCE.exec(reference) ?? [];
    if (!namespace || !name) throw new Error(`a FeatureFlag reference is namespace/name, got "${reference}"`);
    this.namespace = namespace;
    this.resourceName = name;
    this.displayUrl = `FeatureFlag ${reference}`;
    this.name = `the FeatureFlag ${reference}`;
  }

  private async client(): Promise<ClusterClient> {
    try {
      return (this.cluster ??= await this.connect());
    } catch (error) {
      throw FeatureFlagSource.failure(error, this.name);
    }
  }

  async read(): Promise<FlagdDocument> {
    let object: KubeObject;
    try {
      object = await (await this.client()).get('FeatureFlag', this.namespace, this.resourceName);
    } catch (error) {
      throw FeatureFlagSource.failure(error, this.name);
    }
    const document = checkedDocument((object.spec as { flagSpec?: unknown } | undefined)?.flagSpec, `${this.name}'s spec.flagSpec`);
    this.versions.set(document, object.metadata.resourceVersion ?? '');
    return document;
  }

  async write(edits: FlagdEdit[], from: FlagdDocument): Promise<boolean> {
    const flags: Record<string, Record<string, unknown>> = {};
    // In a merge patch null removes a key.
    for (const {
      path: [key, field],
      value,
    } of edits)
      (flags[key] ??= {})[field] = value === undefined ? null : value;
    const client = await this.client();
    try {
      await client.mergePatch('FeatureFlag', this.namespace, this.resourceName, {
        metadata: { resourceVersion: this.versions.get(from) },
        spec: { flagSpec: { flags } },
      });
      return true;
    } catch (error) {
      if (error instanceof ClusterError && error.kind === 'conflict') return false;
      throw FeatureFlagSource.failure(error, this.name);
    }
  }

  /** A cluster failure as the flag service's: the same kinds, the message naming the FeatureFlag. */
  private static failure(error: unknown, name: string): FlagServiceError {
    if (!(error instanceof ClusterError)) return new FlagServiceError('server', `${name}: ${error instanceof Error ? error.message : String(error)}`);
    const kinds: Partial<Record<ClusterError['kind'], FlagServiceFailure>> = {
      kubeconfig: 'unreachable',
      unreachable: 'unreachable',
      unauthorized: 'unauthorized',
      forbidden: 'unauthorized',
      'not-found': 'not-found',
      refused: 'refused',
    };
    return new FlagServiceError(kinds[error.kind] ?? 'server', `${name}: ${error.message}`);
  }
}
