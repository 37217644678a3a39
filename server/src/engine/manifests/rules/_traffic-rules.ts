import type { ManifestRule } from '../rule';

/** The Service, Istio and Argo Rollouts traffic rules. */
export const trafficRules: readonly ManifestRule[] = [];
