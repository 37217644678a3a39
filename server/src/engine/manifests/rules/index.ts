import type { ManifestRule } from '../rule';
import { podRules } from './_pod-rules';
import { trafficRules } from './_traffic-rules';

/** Every manifest rule, one per file in this folder. */
export const manifestRules: readonly ManifestRule[] = [...podRules, ...trafficRules];
