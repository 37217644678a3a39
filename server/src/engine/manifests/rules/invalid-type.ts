import { schemaRule } from './_schema';

export const invalidType = schemaRule(
  'invalid-type',
  'error',
  'A value of the wrong type for its field (a string for a number, a map for a list): the API server rejects the object.',
);
