/**
 * The canary model: what a VirtualService's weighted routes look like once each destination is
 * mapped to the workloads that serve it. Plain data, built by discovery, read by the CLI, the
 * tree view and the gates.
 */

/** A workload that serves a destination: a Deployment, or an Argo Rollout (which owns pods itself). */
export interface Workload {
  kind: 'Deployment' | 'Rollout';
  namespace: string;
  name: string;
  /** spec.replicas (1 when unset, as the API server defaults it). */
  desired: number;
  /** status.readyReplicas (0 when unset). */
  ready: number;
  /** Images of the pod template's containers. */
  images: string[];
  /** Tag (or digest) of the first container's image; "latest" when the image has none. */
  imageTag: string;
}

export type DestinationRole = 'stable' | 'canary';

/** One weighted destination of a route. */
export interface CanaryDestination {
  /** The destination host as written in the VirtualService. */
  host: string;
  subset?: string;
  port?: number;
  /** Weight in percent (an absent weight counts as 0 in a weighted route). */
  weight: number;
  role: DestinationRole;
  /** The Service the host names, when it is a cluster-local Service that exists. */
  service?: { namespace: string; name: string };
  /** Pod labels this destination selects: the Service selector plus the subset's labels. */
  selector?: Record<string, string>;
  workloads: Workload[];
  /** Why no workload could be found, when none was. */
  problem?: string;
}

/** An http route of the VirtualService with two or more destinations. */
export interface CanaryRoute {
  /** Position in spec.http (0-based). */
  index: number;
  /** spec.http[index].name, when set. */
  name?: string;
  destinations: CanaryDestination[];
  /** Sum of the canary destinations' weights. */
  canaryWeight: number;
}

/** An Argo Rollout that drives this VirtualService (or exists beside it). */
export interface ArgoRolloutInfo {
  namespace: string;
  name: string;
  /** status.phase (Healthy, Progressing, Paused, Degraded…), or "Unknown". */
  phase: string;
  message?: string;
  paused: boolean;
  aborted: boolean;
  /** status.currentStepIndex (0 when unset and the strategy has steps). */
  currentStepIndex?: number;
  stepCount: number;
  /** setWeight of the current step, or of the last setWeight step before it. */
  setWeight?: number;
  /** The VirtualService and routes it manages (spec.strategy.canary.trafficRouting.istio). */
  virtualServices: { name: string; routes: string[] }[];
  canarySubset?: string;
  stableSubset?: string;
  canaryService?: string;
  stableService?: string;
  workload: Workload;
}

/** A VirtualService with at least one weighted route. */
export interface Canary {
  /** namespace/name of the VirtualService. */
  id: string;
  namespace: string;
  name: string;
  resourceVersion: string;
  hosts: string[];
  routes: CanaryRoute[];
  /** The Argo Rollout whose trafficRouting names this VirtualService, if any. */
  rollout?: ArgoRolloutInfo;
  /** Things discovery could not resolve (missing DestinationRule, subset or Service). */
  warnings: string[];
}

/** What gates are evaluated for (the same shape as the gates' target), plus the weight now. */
export interface CanaryTarget {
  /** namespace/name of the VirtualService. */
  name: string;
  namespace: string;
  /** Short name of the stable destination's Service (or host). */
  service: string;
  /** Subset names (or host short names for a host split). */
  subsets: { stable: string; canary: string };
  canaryWeight: number;
}

/** The answer of a gate check before a step or promote. */
export interface GateCheckResult {
  verdict: 'pass' | 'fail' | 'no-data' | 'not-configured';
  reason: string;
}

export type GateCheck = (canary: Canary, route: CanaryRoute) => Promise<GateCheckResult>;

export const DEFAULT_STEPS: readonly number[] = [5, 10, 25, 50, 100];
