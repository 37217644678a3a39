/**
 * Deploy units: each kustomization that no other kustomization includes is rendered, and its
 * rendered objects stand for the files it read (resources, bases, patches), which are then never
 * linted as whole objects on their own. Files outside every kustomization are plain manifests.
 *
 * Kept up to date file by file: a change renders again only the kustomizations that read the
 * changed file (or asked for it and did not find it), so editing a base re-renders the overlays
 * over it, not the whole repository.
 */
import { renderKustomization, type KustomizeFiles, type Rendering } from '../kustomize/render';
import { dirOf, isKustomizationFile, type Kustomization } from '../kustomize/kustomization';
import type { ManifestObject } from './yaml';

interface Rendered {
  rendering: Rendering;
  /** Every file and kustomization folder the rendering asked for, found or not. */
  asked: Set<string>;
}

/** What a change did to the units: the roots rendered before and after it. */
export interface UnitsChange {
  removed: Rendering[];
  added: Rendering[];
}

export class DeployUnits {
  /** The renderings of the kustomizations no other one includes. */
  renderings: Rendering[] = [];
  /** Patch files of kustomizations no unit renders (a component nobody uses): fragments, checked field by field only. */
  unusedPatches = new Set<string>();
  /** Every kustomization's rendering, the included ones too (they say what is included), by kustomization file. */
  private readonly all = new Map<string, Rendered>();
  private byFile = new Map<string, Rendering[]>();

  constructor(
    kustomizations: readonly Kustomization[],
    private readonly files: KustomizeFiles,
  ) {
    for (const k of kustomizations) this.all.set(k.file, this.render(k));
    this.settle();
  }

  /**
   * Renders again what reads one of `changed` (files added, updated or removed); `kustomizationOf`
   * gives a changed kustomization file's new content (undefined: gone). Returns the roots replaced.
   */
  update(changed: readonly string[], kustomizationOf: (file: string) => Kustomization | undefined): UnitsChange {
    const before = new Set(this.renderings);
    const stale = new Set<string>();
    for (const file of changed) {
      // A kustomization appearing or going away answers the folder lookups of those that include it.
      const folder = isKustomizationFile(file) ? folderKey(dirOf(file)) : undefined;
      for (const [root, { asked }] of this.all) if (asked.has(file) || (folder && asked.has(folder))) stale.add(root);
      if (isKustomizationFile(file)) stale.add(file);
    }
    if (stale.size === 0) return { removed: [], added: [] };
    for (const root of stale) {
      const k = kustomizationOf(root);
      if (k) this.all.set(root, this.render(k));
      else this.all.delete(root);
    }
    this.settle();
    return { removed: [...before].filter((r) => !this.renderings.includes(r)), added: this.renderings.filter((r) => !before.has(r)) };
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

  private render(k: Kustomization): Rendered {
    const asked = new Set<string>();
    const files = this.files;
    const recording: KustomizeFiles = {
      objects: (file) => (asked.add(file), files.objects(file)),
      text: (file) => (asked.add(file), files.text(file)),
      documents: (file) => (asked.add(file), files.documents(file)),
      kustomization: (dir) => (asked.add(folderKey(dir)), files.kustomization(dir)),
    };
    return { rendering: renderKustomization(k, recording), asked };
  }

  /** Roots, the file → units map and unused patches, from the renderings (cheap: no rendering). */
  private settle(): void {
    const all = [...this.all.values()].map((r) => r.rendering);
    const included = new Set(all.flatMap((r) => [...r.included]));
    // A component only changes the kustomization that uses it: never a unit of its own.
    this.renderings = all.filter((r) => !included.has(r.root.file) && r.root.data.kind !== 'Component');
    this.byFile = new Map();
    for (const rendering of this.renderings) {
      for (const file of rendering.files) this.byFile.set(file, [...(this.byFile.get(file) ?? []), rendering]);
    }
    this.unusedPatches = new Set();
    for (const rendering of all) for (const file of rendering.patchFiles) if (!this.byFile.has(file)) this.unusedPatches.add(file);
  }
}

/** A kustomization folder asked for, kept apart from file names. */
const folderKey = (dir: string): string => `${dir}\0kustomization`;
