import { schemaRule } from './_schema';

export const unknownField = schemaRule(
  'unknown-field',
  'error',
  'A field that does not exist in the schema of its kind (a typo, or the wrong level): Kubernetes drops it silently or rejects the object.',
);
