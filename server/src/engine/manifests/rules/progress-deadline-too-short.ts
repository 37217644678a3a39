import { asRecord, get, type Json } from '../model';
import type { Path } from '../yaml';
import { containersOf, describeObject, podTemplateRule } from './_pod';

const DEFAULT_DEADLINE = 600;
const seconds = (value: unknown, fallback: number): number => (typeof value === 'number' && value >= 0 ? value : fallback);

/**
 * Seconds a container may take before its readiness counts: the startup probe's whole budget
 * (initialDelaySeconds + failureThreshold × periodSeconds — the author says starting may take that
 * long), then the readiness probe's initialDelaySeconds (its first check). The readiness probe's
 * own failureThreshold is not added: it only decides when a ready pod turns unready.
 */
function startupSeconds(container: Json): { seconds: number; path: Path } {
  const startup = asRecord(container.startupProbe);
  const startupBudget = container.startupProbe
    ? seconds(startup.initialDelaySeconds, 0) + seconds(startup.failureThreshold, 3) * seconds(startup.periodSeconds, 10)
    : 0;
  const readinessDelay = seconds(asRecord(container.readinessProbe).initialDelaySeconds, 0);
  return { seconds: startupBudget + readinessDelay, path: readinessDelay >= startupBudget ? ['readinessProbe', 'initialDelaySeconds'] : ['startupProbe'] };
}

export const progressDeadlineTooShort = podTemplateRule({
  id: 'progress-deadline-too-short',
  severity: 'warning',
  summary: 'progressDeadlineSeconds no longer than a new pod needs to become available: every rollout is marked failed (and Argo aborts it).',
  servingOnly: true,
  check({ object, template, report }) {
    if (object.kind !== 'Deployment' && object.kind !== 'Rollout') return;
    const spec = asRecord(object.data.spec);
    const deadline = seconds(spec.progressDeadlineSeconds, DEFAULT_DEADLINE);
    const minReady = seconds(spec.minReadySeconds, 0);
    let slowest: { seconds: number; path: Path; name: string } | undefined;
    for (const c of containersOf(template)) {
      const startup = startupSeconds(c.container);
      if (!slowest || startup.seconds > slowest.seconds) slowest = { ...startup, path: [...c.path, ...startup.path], name: c.name };
    }
    const needed = minReady + (slowest?.seconds ?? 0);
    if (needed === 0 || deadline > needed) return;
    const written = get(object.data, ['spec', 'progressDeadlineSeconds']) !== undefined;
    const parts = [`minReadySeconds ${minReady}`, slowest?.seconds ? `${slowest.seconds} s before container ${slowest.name} can be ready` : '']
      .filter(Boolean)
      .join(' + ');
    report({
      path: written ? ['spec', 'progressDeadlineSeconds'] : minReady >= (slowest?.seconds ?? 0) ? ['spec', 'minReadySeconds'] : slowest!.path,
      on: written ? 'value' : 'key',
      message: `${describeObject(object)}: progressDeadlineSeconds ${deadline}${written ? '' : ' (the default)'} is not longer than a new pod needs to become available (${parts} = ${needed} s): the rollout is reported as failed (ProgressDeadlineExceeded${object.kind === 'Rollout' ? ', and Argo aborts it' : ''}) before any new pod counts, so every release looks broken. Set progressDeadlineSeconds well above ${needed}.`,
    });
  },
});
