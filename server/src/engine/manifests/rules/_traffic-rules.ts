import type { ManifestRule } from '../rule';
import { danglingService } from './dangling-service';
import { serviceSessionAffinity } from './service-session-affinity';

/** The Service, Istio and Argo Rollouts traffic rules. */
export const trafficRules: readonly ManifestRule[] = [danglingService, serviceSessionAffinity];
