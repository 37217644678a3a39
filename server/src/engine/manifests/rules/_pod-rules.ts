import type { ManifestRule } from '../rule';
import { missingReadinessProbe } from './missing-readiness-probe';

/** The pod-template rules. */
export const podRules: readonly ManifestRule[] = [missingReadinessProbe];
