import type { ManifestRule } from '../rule';
import { podRules } from './_pod-rules';
import { trafficRules } from './_traffic-rules';
import { invalidType } from './invalid-type';
import { unknownField } from './unknown-field';

/** Every manifest rule, one per file in this folder. */
export const manifestRules: readonly ManifestRule[] = [...podRules, ...trafficRules, unknownField, invalidType];
