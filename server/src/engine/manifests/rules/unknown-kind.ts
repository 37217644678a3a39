import { apiVersionsOfKind, builtInKinds, removedApi } from '../api-versions';
import type { ManifestRule } from '../rule';

export const unknownKind: ManifestRule = {
  id: 'unknown-kind',
  severity: 'error',
  summary: 'A kind that its built-in apiVersion does not have (policy/v1 PodSecurityPolicy, apps/v1 Ingress): the apply fails.',
  kinds: ['*'],
  check(object, _ctx, report) {
    const kinds = builtInKinds(object.apiVersion);
    // CRD groups, alpha and beta versions are not judged; removed-api-version reports removed pairs.
    if (!kinds || !object.kind || kinds.includes(object.kind)) return;
    const sameLetters = kinds.find((k) => k.toLowerCase() === object.kind.toLowerCase());
    const servedBy = apiVersionsOfKind(object.kind);
    const removedFor = ['v1beta1', 'v1beta2', 'v1beta3', 'v2beta1', 'v2beta2']
      .map((v) => removedApi(object.apiVersion.replace(/v1$/, v), object.kind))
      .find((r) => r && !r.replacement);
    const hint = sameLetters
      ? `Kinds are case-sensitive: write ${sameLetters}.`
      : servedBy.length
        ? `${object.kind} is served by ${servedBy.join(' and ')}.`
        : removedFor
          ? `${object.kind} was removed from Kubernetes in 1.${removedFor.removedIn} with no replacement.`
          : `It has: ${kinds.join(', ')}.`;
    report({
      path: ['kind'],
      message: `${object.apiVersion} has no kind ${object.kind}: kubectl apply fails with "no matches for kind", so the release stops here. ${hint}`,
    });
  },
};
