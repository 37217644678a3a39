import type { ManifestRule } from '../rule';
import { podRules } from './_pod-rules';
import { trafficRules } from './_traffic-rules';
import { hpaReplicasConflict } from './hpa-replicas-conflict';
import { invalidType } from './invalid-type';
import { missingPodDisruptionBudget } from './missing-pod-disruption-budget';
import { pdbBlocksRollout } from './pdb-blocks-rollout';
import { progressDeadlineTooShort } from './progress-deadline-too-short';
import { removedApiVersion } from './removed-api-version';
import { unknownField } from './unknown-field';
import { unknownKind } from './unknown-kind';
import { unknownTargetPort } from './unknown-target-port';
import { yamlBooleanString } from './yaml-boolean-string';

/** Every manifest rule, one per file in this folder. */
export const manifestRules: readonly ManifestRule[] = [
  ...podRules,
  ...trafficRules,
  unknownField,
  invalidType,
  removedApiVersion,
  unknownKind,
  unknownTargetPort,
  pdbBlocksRollout,
  missingPodDisruptionBudget,
  hpaReplicasConflict,
  progressDeadlineTooShort,
  yamlBooleanString,
];
