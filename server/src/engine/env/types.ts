/** The vocabulary of missing-env: the workloads that run code, and what answers for their environment. */
import type { RelatedLocation } from '../types';

/** One `workloads:` entry: the workload whose containers run the code of `source`. */
export interface WorkloadMapping {
  kind: string;
  /** Unset: the workload's namespace as the manifests write it (or any). */
  namespace?: string;
  name: string;
  /** Folders or globs, relative to the configuration file's folder. */
  source: string[];
}

/** The environment of one copy of a workload (a workload rendered by two overlays has two). */
export interface WorkloadEnv {
  /** `Deployment shop/checkout-v2`, and the deploy unit when it is rendered (`in overlays/prod`). */
  description: string;
  /** Names its containers get: `env`, and the keys of `envFrom` sources (with their prefix). */
  names: Set<string>;
  /**
   * envFrom sources whose keys are not known (not in the workspace, a SealedSecret, generated from a
   * file it does not hold): any name may come from them. What `outside` is asked for.
   */
  unknown: EnvSource[];
  /** Where its environment is written: the first container's env list, else the workload's name. */
  location: RelatedLocation;
}

/** A ConfigMap or Secret of an envFrom; `namespace` unset when neither the workload nor `workloads:` says it. */
export interface EnvSource {
  kind: 'ConfigMap' | 'Secret';
  namespace?: string;
  name: string;
}

/** Answers for missing-env: the copies of a workload and their environment; none when no copy is known. */
export interface WorkloadEnvSource {
  envOf(workload: WorkloadMapping): WorkloadEnv[];
}

/** Keys of a ConfigMap or Secret the workspace does not hold (the live cluster's), or undefined when unknown. */
export type OutsideKeys = (kind: 'ConfigMap' | 'Secret', namespace: string, name: string) => ReadonlySet<string> | undefined;
