/** Pod-template rules as one reusable check (kube-linter's templates): every workload kind gets them, Argo Rollouts included. */
import type { Severity } from '../../types';
import { asArray, asRecord, containers, podTemplate, selectorMatches, SERVING_KINDS, WORKLOAD_KINDS, type ContainerRef, type PodTemplate } from '../model';
import { scopeOf } from '../lookup';
import { rolloutServices, servicesMaySelect } from '../traffic';
import type { ManifestContext, ManifestReport, ManifestRule } from '../rule';
import type { ManifestObject } from '../yaml';

export interface PodCheck {
  object: ManifestObject;
  template: PodTemplate;
  ctx: ManifestContext;
  report: (finding: ManifestReport) => void;
}

/** A rule over the pod template of every workload (Pod, Deployment, …, Rollout). */
export function podTemplateRule(options: {
  id: string;
  severity: Severity;
  summary: string;
  /** Long-running workloads only (not Jobs, CronJobs, bare Pods). */
  servingOnly?: boolean;
  check(check: PodCheck): void;
}): ManifestRule {
  return {
    id: options.id,
    severity: options.severity,
    summary: options.summary,
    kinds: options.servingOnly ? SERVING_KINDS : ['Pod', ...WORKLOAD_KINDS],
    check(object, ctx, report) {
      const template = podTemplate(object);
      if (template) options.check({ object, template, ctx, report });
    },
  };
}

/** The containers of a pod template with the path of each one's name (where container findings go). */
/**
 * The containers the per-container advice reads. A container written with `image: auto` is left
 * out: Istio's injection webhook fills it in (gateway injection gives it its image, probes and
 * resources), so what is written is not what runs.
 */
export function containersOf(template: PodTemplate, withInit = false): (ContainerRef & { namePath: (string | number)[] })[] {
  return containers(template, withInit)
    .filter((c) => c.container.image !== ISTIO_INJECTED_IMAGE)
    .map((c) => ({ ...c, namePath: [...c.path, 'name'] }));
}

const ISTIO_INJECTED_IMAGE = 'auto';

/** `deployment/checkout` for messages. */
export const describeObject = (object: ManifestObject): string => `${object.kind} ${object.name || '(unnamed)'}`;

/** Seconds a container's preStop hook sleeps (`sleep N` exec, `sh -c "sleep N"`, or the sleep action), if any. */
export function preStopSleepSeconds(container: Record<string, unknown>): number | undefined {
  const preStop = asRecord(asRecord(container.lifecycle).preStop);
  const action = asRecord(preStop.sleep).seconds;
  if (typeof action === 'number') return action;
  const command = asArray(asRecord(preStop.exec).command).map(String).join(' ');
  const match = /(?:^|[\s;&|/])sleep\s+(\d+(?:\.\d+)?)/.exec(command);
  return match ? Number(match[1]) : undefined;
}

/** terminationGracePeriodSeconds of a pod spec (Kubernetes' default is 30). */
export const gracePeriodSeconds = (template: PodTemplate): number =>
  typeof template.spec.terminationGracePeriodSeconds === 'number' ? template.spec.terminationGracePeriodSeconds : 30;

/** Kinds whose pods with ports are taken to serve when no Service can tell; a DaemonSet's are node agents unless a Service selects them. */
const SERVING_BY_PORTS = new Set(SERVING_KINDS.filter((kind) => kind !== 'DaemonSet'));

/**
 * Why a workload's pods take traffic (for messages), or undefined when, as far as the workspace
 * shows, they do not: a Service selects them; a Rollout names the Services it shifts traffic
 * through; or, when the workspace has no Service in their namespace at all (it cannot tell: the
 * Services may be deployed from elsewhere), a serving kind whose containers declare ports, since a
 * declared port says the app listens. Where Services are present and none selects the pods (a load
 * generator, a queue worker) they take no traffic.
 */
export function trafficSource(check: PodCheck): string | undefined {
  const { object, template, ctx } = check;
  const scope = scopeOf(object);
  const selecting = servicesMaySelect(ctx.lookup, scope, template.labels).find((s) => {
    const selector = asRecord(s.data.spec).selector;
    return selector !== undefined && Object.keys(asRecord(selector)).length > 0 && selectorMatches(selector, template.labels);
  });
  if (selecting) return `Service ${selecting.name} selects its pods`;
  const routed = object.kind === 'Rollout' ? rolloutServices(object)[0] : undefined;
  if (routed) return `its ${routed.role} ${routed.name} sends traffic to it`;
  if (ctx.lookup.all('Service', scope).length > 0 || !SERVING_BY_PORTS.has(object.kind)) return undefined;
  const port = containers(template).flatMap((c) => asArray(c.container.ports).map(asRecord))[0];
  return port ? `it declares port ${String(port.name ?? port.containerPort)} (no Service of its namespace is in the workspace to tell otherwise)` : undefined;
}

/**
 * The containers of a pod that traffic reaches: those that declare ports; when none does (a Service's
 * numeric targetPort reaches whichever listens), those with a readiness probe (the others are sidecars:
 * a database proxy beside a probed server), else all.
 */
export function servingContainers(template: PodTemplate): ReturnType<typeof containersOf> {
  const all = containersOf(template);
  const declaring = all.filter((c) => asArray(c.container.ports).length > 0);
  const probed = all.filter((c) => c.container.readinessProbe);
  return declaring.length ? declaring : probed.length ? probed : all;
}
