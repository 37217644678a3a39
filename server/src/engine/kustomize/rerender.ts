/**
 * What a re-rendering left as it was. Editing one file re-renders every kustomization that reads
 * it, but most of their objects come out the same (an edited base Deployment leaves the overlay's
 * Services, ConfigMaps and other Deployments as they were): their findings need not be checked
 * again, nor their files re-published.
 */
import type { ManifestObject } from '../manifests/yaml';
import { isKustomizationFile } from './kustomization';
import { generatedInfo, renderedFiles, type Rendering } from './render';

/**
 * The objects of `after` that are those of `before` again (new → old), after a change of
 * `changedFile` (not a kustomization: its transformers touch objects without writing in their
 * files). An object's values come from the files it records (its source, patches, generator
 * files) and from the renames whose references were rewritten in it, so an object with no value
 * written in the changed file, the same files, the same renames and the same generator facts is
 * the same object, at the same positions. Paired by position: rendering is deterministic.
 */
export function unchangedObjects(before: Rendering, after: Rendering, changedFile: string): Map<ManifestObject, ManifestObject> {
  const same = new Map<ManifestObject, ManifestObject>();
  if (
    isKustomizationFile(changedFile) ||
    before.root !== after.root ||
    before.incomplete !== after.incomplete ||
    before.renames.join('\n') !== after.renames.join('\n')
  )
    return same;
  after.objects.forEach((now, i) => {
    const was = before.objects[i];
    if (!was || was.kind !== now.kind || was.name !== now.name || was.namespace !== now.namespace || was.file !== now.file || was.index !== now.index) return;
    const files = renderedFiles(now);
    if (files.has(changedFile) || !sameFiles(files, renderedFiles(was)) || JSON.stringify(generatedInfo(now)) !== JSON.stringify(generatedInfo(was))) return;
    same.set(now, was);
  });
  return same;
}

function sameFiles(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const file of a) if (!b.has(file)) return false;
  return true;
}
