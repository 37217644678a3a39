/**
 * The commands that reach a cluster, Prometheus or a database. The CLI bundle loads them from a
 * bundle of their own only when one runs (scripts/build.mjs): `check`, the command CI runs most,
 * starts without parsing the Kubernetes and PostgreSQL clients.
 */
export { migrate } from './migrate';
export { gate, gateCheckFor } from './gate';
export { canary } from './canary';
export { flag } from './flag';
export { trace } from './trace';
export { clusterCheck, type ClusterCheckOptions } from './check-cluster';
export { requestTimeoutOf } from './request-timeout';
export { ClusterClient } from '../../operations/cluster';
