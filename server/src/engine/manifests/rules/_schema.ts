/** unknown-field and invalid-type share one validation pass per object. */
import type { Severity } from '../../types';
import { removedApi } from '../api-versions';
import type { ManifestRule } from '../rule';
import { hasSchema, validateAgainstSchema, type SchemaProblem, type SchemaRule } from '../schema';
import type { ManifestObject } from '../yaml';

const problemsByObject = new WeakMap<ManifestObject, SchemaProblem[]>();

function problemsOf(object: ManifestObject): SchemaProblem[] {
  let problems = problemsByObject.get(object);
  if (!problems) problemsByObject.set(object, (problems = validateAgainstSchema(schemaApiVersion(object), object.kind, object.data)));
  return problems;
}

/** A removed apiVersion (removed-api-version) is validated as its replacement, where there is one. */
function schemaApiVersion(object: ManifestObject): string {
  return hasSchema(object.apiVersion, object.kind) ? object.apiVersion : (removedApi(object.apiVersion, object.kind)?.replacement ?? object.apiVersion);
}

export function schemaRule(id: SchemaRule, severity: Severity, summary: string): ManifestRule {
  return {
    id,
    severity,
    summary,
    kinds: ['*'],
    check(object, ctx, report) {
      // `off`, or `auto` where another extension (Red Hat YAML) already validates this file.
      if (ctx.settings.schemaValidation === 'off') return;
      for (const problem of problemsOf(object)) if (problem.rule === id) report({ path: problem.path, on: problem.on, message: problem.message });
    },
  };
}
