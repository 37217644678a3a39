import type { ManifestRule } from '../rule';

/** Every manifest rule, one per file in this folder. */
export const manifestRules: readonly ManifestRule[] = [];
