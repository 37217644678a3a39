import { appendToMap, replaceValue } from '../edits';
import { containersOf, describeObject, gracePeriodSeconds, podTemplateRule, preStopSleepSeconds } from './_pod';

/** Seconds the app needs after the preStop sleep to finish in-flight requests and exit cleanly. */
const DRAIN_MARGIN = 5;

export const terminationGraceTooShort = podTemplateRule({
  id: 'termination-grace-too-short',
  severity: 'warning',
  summary: 'terminationGracePeriodSeconds shorter than the preStop sleep plus a drain: the container is killed mid-request.',
  check({ object, template, ctx, report }) {
    const grace = gracePeriodSeconds(template);
    const sleeps = containersOf(template)
      .map((c) => ({ c, sleep: preStopSleepSeconds(c.container) }))
      .filter((x): x is { c: (typeof x)['c']; sleep: number } => x.sleep !== undefined);
    const longest = sleeps.sort((a, b) => b.sleep - a.sleep)[0];
    if (!longest || grace >= longest.sleep + DRAIN_MARGIN) return;
    const wanted = Math.ceil(longest.sleep) + 2 * DRAIN_MARGIN;
    const written = template.spec.terminationGracePeriodSeconds !== undefined;
    const edit = written
      ? replaceValue(object, [...template.path, 'terminationGracePeriodSeconds'], String(wanted))
      : appendToMap(ctx.text, object, template.path, [`terminationGracePeriodSeconds: ${wanted}`]);
    report({
      path: written ? [...template.path, 'terminationGracePeriodSeconds'] : [...longest.c.path, 'lifecycle', 'preStop'],
      on: written ? 'value' : 'key',
      message: `${describeObject(object)} gives its pods ${grace} s to stop${written ? '' : ' (the default)'}, but container ${longest.c.name} sleeps ${longest.sleep} s in preStop: the grace period counts from the start of the hook, so the app gets ${Math.max(0, grace - longest.sleep)} s to finish in-flight requests before it is killed. Set terminationGracePeriodSeconds to at least the sleep plus ${DRAIN_MARGIN} s of drain.`,
      fixes: edit ? [{ title: `Set terminationGracePeriodSeconds to ${wanted}`, edits: [edit], preferred: true }] : [],
    });
  },
});
