/** Pod-template rules as one reusable check (kube-linter's templates): every workload kind gets them, Argo Rollouts included. */
import type { Severity } from '../../types';
import { asArray, asRecord, containers, podTemplate, selectorMatches, SERVING_KINDS, WORKLOAD_KINDS, type ContainerRef, type PodTemplate } from '../model';
import { scopeOf } from '../lookup';
import { servicesMaySelect } from '../traffic';
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
export function containersOf(template: PodTemplate, withInit = false): (ContainerRef & { namePath: (string | number)[] })[] {
  return containers(template, withInit).map((c) => ({ ...c, namePath: [...c.path, 'name'] }));
}

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

/** Whether a workload's pods take traffic: a Service selects them, or (no Service in the workspace) they expose ports. */
export function takesTraffic(check: PodCheck): boolean {
  if (check.ctx.lookup.all('Service', scopeOf(check.object)).length === 0) return containers(check.template).some((c) => asArray(c.container.ports).length > 0);
  return servicesMaySelect(check.ctx.lookup, scopeOf(check.object), check.template.labels).some((s) => {
    const selector = asRecord(s.data.spec).selector;
    return selector !== undefined && Object.keys(asRecord(selector)).length > 0 && selectorMatches(selector, check.template.labels);
  });
}
