import type { ManifestRule } from '../rule';
import { canaryWeightsSum } from './canary-weights-sum';
import { danglingService } from './dangling-service';
import { missingRetries } from './missing-retries';
import { retryBudgetExceedsTimeout } from './retry-budget-exceeds-timeout';
import { rolloutDanglingReference } from './rollout-dangling-reference';
import { serviceSessionAffinity } from './service-session-affinity';
import { subsetSelectsNoPods } from './subset-selects-no-pods';
import { unknownDestinationHost } from './unknown-destination-host';
import { unknownSubset } from './unknown-subset';

/** The Service, Istio and Argo Rollouts traffic rules. */
export const trafficRules: readonly ManifestRule[] = [
  danglingService,
  serviceSessionAffinity,
  canaryWeightsSum,
  unknownSubset,
  unknownDestinationHost,
  subsetSelectsNoPods,
  missingRetries,
  retryBudgetExceedsTimeout,
  rolloutDanglingReference,
];
