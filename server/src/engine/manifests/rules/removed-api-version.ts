import { kubernetesMinor, removedApi } from '../api-versions';
import type { ManifestRule } from '../rule';
import { rangeAt } from '../yaml';

export const removedApiVersion: ManifestRule = {
  id: 'removed-api-version',
  severity: 'error',
  summary: 'An apiVersion the configured Kubernetes version (kubernetesVersion) no longer serves: the apply fails, and the release with it.',
  kinds: ['*'],
  check(object, ctx, report) {
    const removal = removedApi(object.apiVersion, object.kind);
    if (!removal || kubernetesMinor(ctx.settings.kubernetesVersion) < removal.removedIn) return;
    const gone = `${object.kind} ${object.apiVersion} is no longer served since Kubernetes 1.${removal.removedIn} (kubernetesVersion is ${ctx.settings.kubernetesVersion}): kubectl apply fails with "no matches for kind", so the release stops here.`;
    if (!removal.replacement) {
      report({
        path: ['apiVersion'],
        message: `${gone} ${object.kind} has no replacement: it was removed from Kubernetes; enforce pod security with Pod Security Admission (pod-security.kubernetes.io/* namespace labels) or a policy engine, and delete this object.`,
      });
      return;
    }
    const at = rangeAt(object, ['apiVersion']);
    report({
      path: ['apiVersion'],
      message: `${gone} Use ${removal.replacement}${removal.changes ? `; besides the apiVersion, ${removal.changes}` : ' (only the apiVersion changes)'}.`,
      // Only where the object stays valid with the new apiVersion line alone.
      ...(removal.changes ? {} : { fixes: [{ title: `Use ${removal.replacement}`, edits: [{ ...at, newText: removal.replacement }], preferred: true }] }),
    });
  },
};
