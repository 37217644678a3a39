/**
 * Cluster access and canaries, vscode-free: used by the CLI (`rollout-guard canary …`, `gate check
 * --rollback-on-fail`) and by the extension's Rollouts view.
 *
 *   const client = ClusterClient.fromKubeconfig({ kubeconfig, context, trusted });
 *   const canary = await readCanary(client, 'shop/reviews');          // Canary (routes, weights, workloads)
 *   const target = canaryTarget(canary, selectRoute(canary, route));  // what gates evaluate
 *   await setCanaryWeight(client, 'shop/reviews', 25, { route });      // optimistic concurrency + retries
 *   await stepCanary(client, 'shop/reviews', { gateCheck, override }); // refused on fail / no-data
 *   await rollbackCanary(client, 'shop/reviews');                      // 0 %, never gated
 *   const watcher = new CanaryWatcher(client, ['shop']); watcher.onDidChange(e => …); await watcher.start(); … watcher.dispose();
 *
 * Every failure is a ClusterError: kind 'kubeconfig' | 'unreachable' | 'unauthorized' | 'forbidden' |
 * 'not-found' (connection problems, `isConnectionProblem`) or 'conflict' | 'invalid' | 'refused' | 'server';
 * a bad .rollout-guard.yaml is a ConfigError (canaryConfigFrom).
 */
export {
  ClusterClient,
  DEFAULT_REQUEST_TIMEOUT_MS,
  RESOURCE_TYPES,
  type ClusterClientOptions,
  type CanaryKind,
  type KubeObject,
  type ObjectList,
  type JsonPatchOperation,
  type ServedResource,
} from './client';
export { ClusterError, toClusterError, httpStatusOf, type ClusterErrorKind, type RequestContext } from './errors';
export { loadKubeconfig, kubeconfigFiles, type KubeconfigOptions, type LoadedKubeconfig } from './kubeconfig';
export {
  DEFAULT_STEPS,
  type ArgoRolloutInfo,
  type Canary,
  type CanaryDestination,
  type CanaryRoute,
  type CanaryTarget,
  type DestinationRole,
  type GateCheck,
  type GateCheckResult,
  type Workload,
} from './model';
export {
  buildCanaries,
  canaryTarget,
  hostShortName,
  imageTag,
  rolloutInfo,
  routeLabel,
  selectRoute,
  serviceOfHost,
  RouteSelectionError,
  type ClusterSnapshot,
} from './discovery';
export { listCanaries, parseCanaryRef, readCanary, readCanaryObject, readSnapshot, type CanaryRef } from './read';
export {
  changeCanaryWeight,
  distributeWeights,
  nextStep,
  overrideMatches,
  promoteCanary,
  rollbackCanary,
  setCanaryWeight,
  stepCanary,
  validatePercent,
  validateSteps,
  type WeightAction,
  type WeightChangeOptions,
  type WeightChangeResult,
} from './weights';
export { abortRollout, promoteRollout, retryRollout, type PromoteOptions } from './argo';
export { changeCanary, describeChange, rollbackToStable, type CanaryAction, type CanaryChange, type CanaryChangeOptions, type RollbackResult } from './change';
export { attentionOf, sortByAttention, type Attention } from './attention';
export { CanaryWatcher, type CanaryWatcherEvent, type CanaryWatcherOptions, type WatchState } from './watcher';
export { clusterContractGuard, contractReasons, type ContractGuardTargets } from './contract-guard';
export { canaryConfigFrom, type CanaryConfig } from './config';
export { readClusterSnapshot, resolveReferences, type ResolvedReference, type Resolution, type ResolveOptions } from './references';
export {
  CANARY_BLOCKING_RULES,
  describeFinding,
  folderNewVersionCheck,
  newVersionCheck,
  newVersionCodeOf,
  readManifestFolder,
  type BlockingFinding,
  type NewVersionCheck,
  type NewVersionCode,
} from './new-version';
