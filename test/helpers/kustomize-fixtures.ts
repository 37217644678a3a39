/** The kustomize fixtures (test/fixtures/kustomize) read from disk, as the workspace would hold them. */
import fs from 'node:fs';
import path from 'node:path';
import { documentObjects, parseKustomization, KUSTOMIZATION_FILE_NAMES, type Kustomization } from '../../server/src/engine/kustomize/kustomization';
import type { KustomizeFiles } from '../../server/src/engine/kustomize/render';
import { parseYamlFile } from '../../server/src/engine/manifests/yaml';

export const kustomizeFixtures = path.resolve(__dirname, '../../test/fixtures/kustomize');

/** Every file below a folder, by absolute path, with its text. */
export function readTree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(full, fs.readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

/** KustomizeFiles over texts by path: YAML files have objects, kustomizations are found by folder. */
export function filesOf(texts: Map<string, string>): KustomizeFiles {
  return {
    objects: (file) => {
      const text = texts.get(file);
      return text !== undefined && /\.ya?ml$/.test(file) && !KUSTOMIZATION_FILE_NAMES.includes(path.basename(file))
        ? parseYamlFile(file, text).objects
        : undefined;
    },
    text: (file) => texts.get(file),
    documents: (file) => {
      const text = texts.get(file);
      return text === undefined ? undefined : documentObjects(file, text);
    },
    kustomization: (dir): Kustomization | undefined => {
      for (const name of KUSTOMIZATION_FILE_NAMES) {
        const text = texts.get(`${dir}/${name}`);
        if (text !== undefined) return parseKustomization(`${dir}/${name}`, text);
      }
      return undefined;
    },
  };
}
