import { replaceValue } from '../edits';
import { asRecord } from '../model';
import type { ManifestRule } from '../rule';
import { formatDuration, istioRoutes, parseDuration } from '../traffic';

export const retryBudgetExceedsTimeout: ManifestRule = {
  id: 'retry-budget-exceeds-timeout',
  severity: 'warning',
  summary: "An http route's retries (attempts × perTryTimeout) take longer than its timeout: the timeout cuts the retries short.",
  kinds: ['VirtualService'],
  check(object, _ctx, report) {
    for (const route of istioRoutes(object)) {
      if (route.protocol !== 'http') continue;
      const retries = asRecord(route.route.retries);
      const attempts = typeof retries.attempts === 'number' ? retries.attempts : Number.NaN;
      const perTry = parseDuration(retries.perTryTimeout);
      const timeout = parseDuration(route.route.timeout);
      // A timeout of 0 disables it; no perTryTimeout means each try may use the whole timeout.
      if (!(attempts > 0) || perTry === undefined || perTry <= 0 || timeout === undefined || timeout <= 0) continue;
      const budget = attempts * perTry;
      if (budget <= timeout) continue;
      const needed = (attempts + 1) * perTry;
      const edit = replaceValue(object, [...route.path, 'timeout'], formatDuration(needed));
      report({
        path: [...route.path, 'timeout'],
        message: `Retries allow ${attempts} × ${String(retries.perTryTimeout)} = ${formatDuration(budget)}, longer than this route's timeout of ${String(route.route.timeout)}: the timeout ends the request before the last retries run (the first try plus ${attempts} retries can take ${formatDuration(needed)}), so when a canary pod is slow the client gets a timeout instead of a retry on a healthy pod, and the configured attempts are never used. Raise timeout to at least ${formatDuration(needed)}, or lower attempts or perTryTimeout.`,
        related: [{ object, path: [...route.path, 'retries'], message: `retries: ${attempts} attempts of up to ${String(retries.perTryTimeout)} each` }],
        fixes: edit ? [{ title: `Raise timeout to ${formatDuration(needed)}`, edits: [edit], preferred: true }] : [],
      });
    }
  },
};
