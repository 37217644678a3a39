import { asArray, asRecord, asString, type Json } from '../model';
import type { ManifestContext, ManifestReport } from '../rule';
import { generatedInfo } from '../../kustomize/render';
import { scopeOf } from '../lookup';
import type { ManifestObject, Path } from '../yaml';
import { containersOf, describeObject, podTemplateRule } from './_pod';

interface Reference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  namePath: Path;
  optional: boolean;
  /** Keys the reference needs, with where each is written. */
  keys: { key: string; path: Path }[];
}

/** Objects that become a Secret of the same name (sealed-secrets, external-secrets). */
export const SECRET_SOURCES = ['Secret', 'SealedSecret', 'ExternalSecret'];

export const danglingConfigReference = podTemplateRule({
  id: 'dangling-config-reference',
  severity: 'error',
  summary: 'A pod references a ConfigMap or Secret (or a key of one) that is not in the workspace: the new pods never start.',
  check({ object, template, ctx, report }) {
    const scope = scopeOf(object);
    // Many repositories keep Secrets out of git; only check them where the workspace manages Secrets.
    const secretsManaged = SECRET_SOURCES.some((kind) => ctx.lookup.all(kind, scope).length > 0);
    for (const ref of references(template.path, template.spec)) {
      if (ref.optional || (ref.kind === 'Secret' && !secretsManaged)) continue;
      const target = ref.kind === 'ConfigMap' ? ctx.lookup.find('ConfigMap', scope, ref.name) : findSecret(ctx, scope, ref.name);
      if (!target) {
        report({
          path: ref.namePath,
          message: `${describeObject(object)} uses ${ref.kind} ${ref.name}, which is not in the workspace${scope ? ` (namespace ${scope})` : ''}: new pods stay in CreateContainerConfigError (or ContainerCreating for a volume) and the rollout stalls. Add the ${ref.kind}, fix the name, or mark the reference optional.`,
        });
        continue;
      }
      if (target.kind !== ref.kind) continue; // a SealedSecret/ExternalSecret: its keys are not readable here
      if (generatedInfo(target)?.keysUnknown) continue; // generated from a file the workspace does not hold
      const available = keysOf(target);
      for (const { key, path } of ref.keys) {
        if (available.has(key)) continue;
        report(missingKey(object, ref, key, path, target, available));
      }
    }
  },
});

function missingKey(object: ManifestObject, ref: Reference, key: string, path: Path, target: ManifestObject, available: Set<string>): ManifestReport {
  return {
    path,
    message: `${describeObject(object)} reads key \`${key}\` of ${ref.kind} ${ref.name}, which has no such key${available.size ? ` (it has: ${[...available].join(', ')})` : ''}: new pods fail to start. Add the key or fix the reference.`,
    related: [{ object: target, path: ['metadata', 'name'], message: `${ref.kind} ${ref.name}` }],
  };
}

function findSecret(ctx: ManifestContext, scope: string | undefined, name: string): ManifestObject | undefined {
  for (const kind of SECRET_SOURCES) {
    const found = ctx.lookup.find(kind, scope, name);
    if (found) return found;
  }
  return undefined;
}

export function keysOf(target: ManifestObject): Set<string> {
  const data = target.data;
  return new Set([...Object.keys(asRecord(data.data)), ...Object.keys(asRecord(data.binaryData)), ...Object.keys(asRecord(data.stringData))]);
}

/** Every ConfigMap/Secret reference of a pod spec, with paths. */
function references(specPath: Path, spec: Json): Reference[] {
  const out: Reference[] = [];
  const template = { path: specPath, spec, labels: {} };
  for (const c of containersOf(template, true)) {
    asArray(c.container.env).forEach((env, i) => {
      const valueFrom = asRecord(asRecord(env).valueFrom);
      for (const [field, kind] of [
        ['configMapKeyRef', 'ConfigMap'],
        ['secretKeyRef', 'Secret'],
      ] as const) {
        const ref = asRecord(valueFrom[field]);
        const name = asString(ref.name);
        if (!name) continue;
        const at: Path = [...c.path, 'env', i, 'valueFrom', field];
        const key = asString(ref.key);
        out.push({ kind, name, namePath: [...at, 'name'], optional: ref.optional === true, keys: key ? [{ key, path: [...at, 'key'] }] : [] });
      }
    });
    asArray(c.container.envFrom).forEach((source, i) => {
      for (const [field, kind] of [
        ['configMapRef', 'ConfigMap'],
        ['secretRef', 'Secret'],
      ] as const) {
        const ref = asRecord(asRecord(source)[field]);
        const name = asString(ref.name);
        if (name) out.push({ kind, name, namePath: [...c.path, 'envFrom', i, field, 'name'], optional: ref.optional === true, keys: [] });
      }
    });
  }
  asArray(spec.volumes).forEach((volume, i) => {
    const v = asRecord(volume);
    const at: Path = [...specPath, 'volumes', i];
    volumeSource(out, asRecord(v.configMap), 'ConfigMap', 'name', [...at, 'configMap']);
    volumeSource(out, asRecord(v.secret), 'Secret', 'secretName', [...at, 'secret']);
    asArray(asRecord(v.projected).sources).forEach((source, j) => {
      const s = asRecord(source);
      volumeSource(out, asRecord(s.configMap), 'ConfigMap', 'name', [...at, 'projected', 'sources', j, 'configMap']);
      volumeSource(out, asRecord(s.secret), 'Secret', 'name', [...at, 'projected', 'sources', j, 'secret']);
    });
  });
  return out;
}

function volumeSource(out: Reference[], source: Json, kind: 'ConfigMap' | 'Secret', nameField: string, at: Path): void {
  const name = asString(source[nameField]);
  if (!name) return;
  const keys = asArray(source.items)
    .map((item, k) => ({ key: asString(asRecord(item).key), path: [...at, 'items', k, 'key'] as Path }))
    .filter((k): k is { key: string; path: Path } => k.key !== undefined);
  out.push({ kind, name, namePath: [...at, nameField], optional: source.optional === true, keys });
}
