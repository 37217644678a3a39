/**
 * Deploy units: each kustomization that no other kustomization includes is rendered, and its
 * rendered objects stand for the files it read (resources, bases, patches), which are then never
 * linted as whole objects on their own. Files outside every kustomization are plain manifests.
 */
import { renderKustomization, type KustomizeFiles, type Rendering } from '../kustomize/render';
import type { Kustomization } from '../kustomize/kustomization';
import type { ManifestObject } from './yaml';

export class DeployUnits {
  /** The renderings of the kustomizations no other one includes. */
  readonly renderings: Rendering[];
  private readonly byFile = new Map<string, Rendering[]>();
  /** Patch files of kustomizations no unit renders (a component nobody uses): fragments, checked field by field only. */
  readonly unusedPatches = new Set<string>();

  constructor(kustomizations: readonly Kustomization[], files: KustomizeFiles) {
    const all = kustomizations.map((k) => renderKustomization(k, files));
    const included = new Set(all.flatMap((r) => [...r.included]));
    // A component only changes the kustomization that uses it: never a unit of its own.
    this.renderings = all.filter((r) => !included.has(r.root.file) && r.root.data.kind !== 'Component');
    for (const rendering of this.renderings) {
      for (const file of rendering.files) this.byFile.set(file, [...(this.byFile.get(file) ?? []), rendering]);
    }
    for (const rendering of all) for (const file of rendering.patchFiles) if (!this.byFile.has(file)) this.unusedPatches.add(file);
  }

  /** The renderings that read a file (none: a plain manifest). */
  renderingsOf(file: string): readonly Rendering[] {
    return this.byFile.get(file) ?? [];
  }

  /** Files rendered by some unit: their objects are known only as rendered. */
  isRendered(file: string): boolean {
    return this.byFile.has(file);
  }

  get renderedObjects(): ManifestObject[] {
    return this.renderings.flatMap((r) => r.objects);
  }
}
