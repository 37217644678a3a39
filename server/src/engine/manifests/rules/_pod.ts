/** Pod-template rules as one reusable check (kube-linter's templates): every workload kind gets them, Argo Rollouts included. */
import type { Severity } from '../../types';
import { containers, podTemplate, SERVING_KINDS, WORKLOAD_KINDS, type ContainerRef, type PodTemplate } from '../model';
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
