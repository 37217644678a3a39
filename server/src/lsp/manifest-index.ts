/**
 * Unopened YAML files in the graph for cross-file checks: their total size is bounded
 * (rolloutGuard.maxIndexedMegabytes) so a workspace of huge generated files cannot exhaust the
 * server's memory, and only their objects stay in memory (the text is released). Open documents
 * are always checked, over the bound too.
 */
import { isKustomizeInput, type ManifestWorkspace } from '../engine';

export const DEFAULT_MAX_INDEXED_MEGABYTES = 48;
/** Objects of unopened files in the graph: many tiny documents are bounded too. */
export const MAX_INDEXED_OBJECTS = 200_000;

export class ManifestIndexBounds {
  maxIndexedBytes = DEFAULT_MAX_INDEXED_MEGABYTES * 1024 * 1024;
  /** Files left out since the last count started (see startCount). */
  leftOut = 0;
  private readonly indexedBytes = new Map<string, number>();
  private totalIndexedBytes = 0;
  private readonly indexedObjects = new Map<string, number>();
  private totalIndexedObjects = 0;

  constructor(private readonly manifests: ManifestWorkspace) {}

  /** Adds an unopened YAML file to the graph when the bounds allow; false when it was left out. */
  add(uri: string, text: string): string[] | false {
    const before = this.indexedBytes.get(uri) ?? 0;
    if (this.totalIndexedBytes - before + text.length > this.maxIndexedBytes) {
      this.leftOut++;
      return false;
    }
    const dependents = this.manifests.update(uri, text);
    const objects = this.manifests.objects(uri).length;
    if (objects === 0 && !/^\s*(apiVersion|kind):/m.test(text) && !isKustomizeInput(uri, text)) {
      // Not a manifest (a CI workflow, Helm values, docs): nothing for cross-file checks, nothing kept.
      // A kustomization (with or without apiVersion and kind) and a JSON 6902 patch stay: deploy units read them.
      // A broken manifest stays, with its syntax errors.
      this.forget(uri);
      return [...dependents, ...this.manifests.remove(uri)];
    }
    if (this.totalIndexedObjects - (this.indexedObjects.get(uri) ?? 0) + objects > MAX_INDEXED_OBJECTS) {
      this.leftOut++;
      this.forget(uri);
      this.manifests.remove(uri);
      return false;
    }
    this.indexedBytes.set(uri, text.length);
    this.totalIndexedBytes += text.length - before;
    this.totalIndexedObjects += objects - (this.indexedObjects.get(uri) ?? 0);
    this.indexedObjects.set(uri, objects);
    // Nobody has it open: keep its objects, not its text (read again for its lint).
    this.manifests.release(uri);
    return dependents;
  }

  /** Stops counting a file (removed, opened or left out). */
  forget(uri: string): void {
    this.totalIndexedBytes -= this.indexedBytes.get(uri) ?? 0;
    this.totalIndexedObjects -= this.indexedObjects.get(uri) ?? 0;
    this.indexedBytes.delete(uri);
    this.indexedObjects.delete(uri);
  }
}
