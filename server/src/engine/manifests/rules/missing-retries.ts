import { appendToMap } from '../edits';
import type { ManifestRule } from '../rule';
import { istioRoutes, isSplit } from '../traffic';

/** Istio's retry policy when a route sets none. */
export const ISTIO_DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

export const missingRetries: ManifestRule = {
  id: 'missing-retries',
  severity: 'hint',
  summary: "A weighted (canary) http route leaves retries to Istio's implicit default: make the retry behaviour explicit.",
  kinds: ['VirtualService'],
  check(object, ctx, report) {
    for (const route of istioRoutes(object)) {
      // Conservative: only http routes that split traffic between destinations (a canary), not every route.
      if (route.protocol !== 'http' || !isSplit(route) || 'retries' in route.route) continue;
      const explicit = appendToMap(ctx.text, object, route.path, ['retries:', '  attempts: 2', `  retryOn: ${ISTIO_DEFAULT_RETRY_ON}`]);
      const none = appendToMap(ctx.text, object, route.path, ['retries:', '  attempts: 0']);
      report({
        path: [...route.path, 'route'],
        on: 'key',
        message: `This http route splits traffic between versions but sets no retries, so Istio's implicit default applies (2 retries on ${ISTIO_DEFAULT_RETRY_ON}): retries can hide a failing canary's errors from the success-rate gate, and they add load to the version that is already struggling. Make the retry behaviour of the canary explicit: write retries (attempts, perTryTimeout, retryOn), or attempts: 0 to see every error.`,
        fixes: [
          ...(explicit ? [{ title: "Write Istio's default retries explicitly", edits: [explicit] }] : []),
          ...(none ? [{ title: 'Disable retries on this route (attempts: 0)', edits: [none] }] : []),
        ],
      });
    }
  },
};
