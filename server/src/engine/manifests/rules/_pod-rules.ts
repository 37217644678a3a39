import type { ManifestRule } from '../rule';
import { danglingConfigReference } from './dangling-config-reference';
import { identicalProbes } from './identical-probes';
import { latestImageTag } from './latest-image-tag';
import { missingLivenessProbe } from './missing-liveness-probe';
import { missingPrestopHook } from './missing-prestop-hook';
import { missingReadinessProbe } from './missing-readiness-probe';
import { missingResources } from './missing-resources';
import { probePortNotExposed } from './probe-port-not-exposed';
import { selectorMismatch } from './selector-mismatch';
import { terminationGraceTooShort } from './termination-grace-too-short';
import { unsafeRollingUpdate } from './unsafe-rolling-update';

/** The pod-template rules. */
export const podRules: readonly ManifestRule[] = [
  missingReadinessProbe,
  missingLivenessProbe,
  identicalProbes,
  probePortNotExposed,
  missingPrestopHook,
  terminationGraceTooShort,
  unsafeRollingUpdate,
  missingResources,
  latestImageTag,
  selectorMismatch,
  danglingConfigReference,
];
